# Runs the solution's definitions, then each top-level statement of the tests, inside the sandbox.
# Each top-level `assert` is one counted test; other statements (imports, helpers, a `check(candidate)` call) are
# set-up whose failure ends the run. With no top-level assert the whole script is one test.
# Reports go to fd 4 as lines "<nonce> <event> [args]". The nonce and the tests come on stdin, which is then replaced
# by /dev/null, so report lines the solution forges without the nonce are ignored by the parent.
import ast
import os
import sys
import traceback


def main():
    nonce = sys.stdin.readline().strip()
    # The tests come on stdin too, not as a file: a solution that could open them could copy the expected values.
    tests_source = sys.stdin.read()
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    report_fd = os.dup(4)
    os.close(4)
    os.set_inheritable(report_fd, False)

    def report(*words):
        os.write(report_fd, (" ".join([nonce, *map(str, words)]) + "\n").encode())

    try:
        tests = ast.parse(tests_source, "tests.py")
    except SyntaxError as e:
        report("tests-invalid", repr(f"{e.msg} (line {e.lineno})"))
        return
    statements = tests.body
    asserts = sum(isinstance(s, ast.Assert) for s in statements)
    report("total", max(asserts, 1))

    with open("/box/solution.py", encoding="utf-8") as f:
        solution_source = f.read()
    try:
        solution = compile(solution_source, "solution.py", "exec")
    except (SyntaxError, ValueError):
        traceback.print_exc(limit=0)
        report("error", "syntax")
        return
    # Not "__main__": an `if __name__ == "__main__":` block would read stdin, which holds nothing here.
    scope = {"__name__": "solution", "__builtins__": __builtins__}
    if not run(solution, scope, report, "solution"):
        return

    index = 0
    for statement in statements:
        code = compile(ast.Module(body=[statement], type_ignores=[]), "tests.py", "exec")
        if isinstance(statement, ast.Assert):
            try:
                exec(code, scope)
                report("pass", index)
            except MemoryError:
                report("memory")
                return
            except BaseException as e:  # noqa: BLE001 - SystemExit from the solution fails this assert only
                report("fail", index, type(e).__name__)
                traceback.print_exc(limit=-1)
            index += 1
        elif asserts == 0:
            # The whole script is the one test: an AssertionError anywhere (e.g. inside check()) fails it.
            try:
                exec(code, scope)
            except MemoryError:
                report("memory")
                return
            except AssertionError:
                traceback.print_exc(limit=-2)
                report("fail", 0, "AssertionError")
                report("done")
                return
            except BaseException:  # noqa: BLE001
                traceback.print_exc(limit=-2)
                report("error", "tests")
                return
        elif not run(code, scope, report, "tests"):
            return
    if asserts == 0:
        report("pass", 0)
    report("done")


def run(code, scope, report, where):
    try:
        exec(code, scope)
        return True
    except MemoryError:
        report("memory")
    except BaseException:  # noqa: BLE001
        traceback.print_exc(limit=-2)
        report("error", where)
    return False


main()
