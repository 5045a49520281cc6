/** `omni-zero sandbox run`: one program against its unit tests in the bubblewrap sandbox, the verdict as JSON. */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { extractProgram, parseCodeTests, runTests } from '../../rewards/sandbox/index.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a whole number > 0, got '${value}'`);
  return n;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function register(program: Command): void {
  const sandbox = program.command('sandbox').description('the code sandbox that scores generated Python programs');
  sandbox
    .command('run')
    .description('run a Python program against unit tests ({"inputs","outputs"} or {"functional"} JSON)')
    .requiredOption('--program <file>', "the Python program ('-' for stdin)")
    .requiredOption('--tests <file>', 'JSON file: {"inputs": [...], "outputs": [...]} or {"functional": "..."}')
    .option('--extract', 'the program file is a policy response: run its last ```python block (or answer content)')
    .option('--cpu-seconds <n>', 'CPU limit per process (s, default 5)', positiveInt)
    .option('--wall-ms <n>', 'wall-clock limit per process (ms, default 10000)', positiveInt)
    .option('--memory-mb <n>', 'address-space limit per process (MiB, default 512)', positiveInt)
    .option('--per-test', 'also print the outcome of each test')
    .action(
      async (o: {
        program: string;
        tests: string;
        extract?: boolean;
        cpuSeconds?: number;
        wallMs?: number;
        memoryMb?: number;
        perTest?: boolean;
      }) => {
        const text = readText(o.program, 'program');
        const code = o.extract ? extractProgram(text) : text;
        if (code === null)
          throw new Error(`no program in '${o.program}': it has no \`\`\`python block and no answer content`);
        const tests = parseCodeTests(readText(o.tests, 'tests'));
        const limits = {
          ...(o.cpuSeconds ? { cpuSeconds: o.cpuSeconds } : {}),
          ...(o.wallMs ? { wallMs: o.wallMs } : {}),
          ...(o.memoryMb ? { memoryBytes: o.memoryMb * 2 ** 20 } : {}),
        };
        const r = await runTests(code, tests, { limits });
        const { status, passed, total, stderrTail } = r;
        const out = {
          status,
          passed,
          total,
          durationMs: Math.round(r.durationMs),
          stderrTail,
          ...(o.perTest ? { perTest: r.perTest } : {}),
        };
        console.log(JSON.stringify(out));
        if (status === 'sandbox-error') {
          console.error(
            `omni-zero: the sandbox could not run the program: ${stderrTail.split('\n')[0]} (run 'npm run setup')`
          );
          process.exitCode = 2;
        }
      }
    );
}
