/**
 * runTests: a program against its unit tests, every run in its own bubblewrap sandbox (see docs/sandbox.md).
 * Stdio tests run one process per input, spread over the pool; functional tests run in one process through a small
 * harness that reports each top-level assert on a private fd.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { outputsMatch } from './compare.ts';
import { SandboxInputError } from './errors.ts';
import { resolveLimits, type SandboxLimits } from './limits.ts';
import { defaultPool, type SandboxPool } from './pool.ts';
import { type ProcessOutcome, runSandboxed, STDERR_TAIL_CHARS } from './run-process.ts';
import type { CodeTests, FunctionalTests, SandboxResult, SandboxStatus, StdioTests, TestOutcome } from './types.ts';

export interface RunTestsOptions {
  /** Limits of each sandboxed process (stdio: per input; functional: the whole script). Defaults: DEFAULT_LIMITS. */
  limits?: Partial<SandboxLimits>;
  /** Pool that bounds how many sandboxes run at once. Default: one per process, size = available cores. */
  pool?: SandboxPool;
  /** Interpreter inside the sandbox; must live under /usr. Default /usr/bin/python3. */
  python?: string;
  /** Interpreter flags. Default ['-S', '-I']: no site-packages, isolated mode (faster start; the stdlib only). */
  pythonFlags?: string[];
  /** Host uid/gid bwrap runs as. Default: nobody (65534) when root, else the caller's own. */
  hostId?: number;
  /**
   * Aborting kills the running sandboxes, starts no more, and rejects with the signal's reason (a scorer deadline
   * then frees its pool slots at once instead of waiting for the sandbox's own limits).
   */
  signal?: AbortSignal;
}

const HARNESS = readFileSync(new URL('./functional-harness.py', import.meta.url), 'utf8');
const SIGXCPU = 128 + osConstants.signals.SIGXCPU;
const SIGKILL = 128 + osConstants.signals.SIGKILL;
/** Longest program accepted: far above any policy response, low enough that a runaway string is refused early. */
const MAX_PROGRAM_CHARS = 1_000_000;

export async function runTests(
  program: string,
  tests: CodeTests,
  options: RunTestsOptions = {}
): Promise<SandboxResult> {
  if (typeof program !== 'string') throw new SandboxInputError('program', `must be a string, got ${typeof program}`);
  if (program.length > MAX_PROGRAM_CHARS) {
    throw new SandboxInputError('program', `is ${program.length} characters; the limit is ${MAX_PROGRAM_CHARS}`);
  }
  const checked = parseCodeTests(tests);
  const limits = resolveLimits(options.limits);
  options.signal?.throwIfAborted();
  const t0 = performance.now();
  const result =
    'functional' in checked
      ? await runFunctional(program, checked, limits, options)
      : await runStdio(program, checked, limits, options);
  return { ...result, durationMs: performance.now() - t0 };
}

/** Validates a CodeTests value (or its JSON text, as code-r1-12k stores it); throws SandboxInputError saying what is wrong. */
export function parseCodeTests(value: unknown): CodeTests {
  const tests = typeof value === 'string' ? parseJson(value) : value;
  if (typeof tests !== 'object' || tests === null || Array.isArray(tests)) {
    throw new SandboxInputError(
      'tests',
      'must be an object {"inputs": [...], "outputs": [...]} or {"functional": "..."}'
    );
  }
  const t = tests as Record<string, unknown>;
  if ('functional' in t) {
    if (typeof t.functional !== 'string' || t.functional.trim() === '') {
      throw new SandboxInputError('tests.functional', 'must be a non-empty string of Python assertions');
    }
    return { functional: t.functional };
  }
  const { inputs, outputs } = t;
  if (!Array.isArray(inputs) || !Array.isArray(outputs)) {
    throw new SandboxInputError('tests', 'needs "inputs" and "outputs" arrays (or a "functional" string)');
  }
  if (inputs.length === 0 || inputs.length !== outputs.length) {
    throw new SandboxInputError(
      'tests',
      `needs as many outputs as inputs, at least one (got ${inputs.length} and ${outputs.length})`
    );
  }
  const strings = (xs: unknown[], name: string) =>
    xs.map((x, i) => {
      if (typeof x !== 'string')
        throw new SandboxInputError(`tests.${name}[${i}]`, `must be a string, got ${typeof x}`);
      return x;
    });
  return { inputs: strings(inputs, 'inputs'), outputs: strings(outputs, 'outputs') };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SandboxInputError('tests', `is not valid JSON: ${(err as Error).message}`);
  }
}

type Partial_ = Omit<SandboxResult, 'durationMs'>;

async function runStdio(
  program: string,
  tests: StdioTests,
  limits: SandboxLimits,
  options: RunTestsOptions
): Promise<Partial_> {
  const pool = options.pool ?? defaultPool();
  let timedOut = false;
  const runs = tests.inputs.map((input, i) =>
    pool.run(async (): Promise<{ outcome: TestOutcome; run?: ProcessOutcome }> => {
      if (timedOut || options.signal?.aborted) return { outcome: { status: 'skipped' } };
      const run = await runSandboxed({
        files: { 'solution.py': program },
        args: ['/box/solution.py'],
        stdin: input,
        limits,
        python: options.python,
        pythonFlags: options.pythonFlags,
        hostId: options.hostId,
        signal: options.signal,
      });
      const status = classifyStdio(run, tests.outputs[i]);
      if (status === 'timeout') timedOut = true;
      return { outcome: { status, durationMs: run.durationMs }, run };
    })
  );
  const done = await Promise.all(runs);
  options.signal?.throwIfAborted();
  const perTest = done.map((d) => d.outcome);
  const passed = perTest.filter((t) => t.status === 'passed').length;
  const firstBad = done.findIndex((d) => d.outcome.status !== 'passed' && d.outcome.status !== 'skipped');
  const decisive = done[firstBad === -1 ? 0 : firstBad];
  const status = firstBad === -1 ? 'passed' : (decisive.outcome.status as SandboxStatus);
  return { status, passed, total: tests.inputs.length, stderrTail: stderrOf(decisive.run), perTest };
}

function classifyStdio(run: ProcessOutcome, expected: string): SandboxStatus {
  const abnormal = abnormalEnd(run);
  if (abnormal) return abnormal;
  if (run.exitCode !== 0) return 'error';
  return outputsMatch(run.stdout, expected) ? 'passed' : 'failed';
}

/** How a run ended other than by the program's own exit, in precedence order. */
function abnormalEnd(run: ProcessOutcome): SandboxStatus | undefined {
  if (!run.started) return 'sandbox-error';
  if (run.outputExceeded) return 'output-limit';
  // SIGXCPU at the soft CPU limit. A SIGKILL we did not send (the hard CPU limit when SIGXCPU is ignored, the OOM
  // killer, or the program's own `kill -9`) cannot be told apart from outside, so it stays an 'error'.
  if (run.wallTimedOut || run.exitCode === SIGXCPU) return 'timeout';
  if (run.exitCode !== 0 && /^MemoryError\b/m.test(run.stderrTail)) return 'memory';
  return undefined;
}

function stderrOf(run: ProcessOutcome | undefined): string {
  if (!run) return '';
  if (!run.started) return `${run.sandboxError ?? 'sandbox failed'}${run.stderrTail ? `\n${run.stderrTail}` : ''}`;
  if (run.exitCode === SIGKILL && !run.wallTimedOut && !run.outputExceeded) {
    const note = "killed by SIGKILL (the hard CPU limit, the kernel's OOM killer, or the program itself)\n";
    return `${run.stderrTail}${note}`.slice(-STDERR_TAIL_CHARS);
  }
  return run.stderrTail;
}

async function runFunctional(
  program: string,
  tests: FunctionalTests,
  limits: SandboxLimits,
  options: RunTestsOptions
): Promise<Partial_> {
  const pool = options.pool ?? defaultPool();
  // The harness reads the nonce and the tests from stdin before the solution runs; lines on fd 4 without the nonce
  // are not the harness's.
  const nonce = randomBytes(16).toString('hex');
  const run = await pool.run(() =>
    runSandboxed({
      files: { 'solution.py': program, 'harness.py': HARNESS },
      args: ['/box/harness.py'],
      stdin: `${nonce}\n${tests.functional}`,
      limits,
      channel: true,
      python: options.python,
      pythonFlags: options.pythonFlags,
      hostId: options.hostId,
      signal: options.signal,
    })
  );
  options.signal?.throwIfAborted();
  const report = parseReport(run.channel, nonce);
  if (report.testsInvalid !== undefined) {
    throw new SandboxInputError('tests.functional', `is not valid Python: ${report.testsInvalid}`);
  }
  const total = report.total ?? 1;
  const perTest: TestOutcome[] = Array.from({ length: total }, (_, i) => ({
    status: report.passed.has(i) ? 'passed' : report.failed.has(i) ? 'failed' : 'skipped',
  }));
  const passed = report.passed.size;
  let status = abnormalEnd(run);
  if (!status && report.memory) status = 'memory';
  if (!status && (report.error || !report.done)) status = 'error';
  status ??= passed === total ? 'passed' : 'failed';
  let stderrTail = stderrOf(run);
  if (status === 'error' && !report.error && !report.done && run.started) {
    stderrTail = `${stderrTail}the program ended the run (exit code ${run.exitCode}) before the tests finished\n`.slice(
      -STDERR_TAIL_CHARS
    );
  }
  return { status, passed, total, stderrTail, perTest };
}

interface HarnessReport {
  total?: number;
  passed: Set<number>;
  failed: Set<number>;
  error?: string;
  memory: boolean;
  done: boolean;
  testsInvalid?: string;
}

function parseReport(channel: string, nonce: string): HarnessReport {
  const report: HarnessReport = { passed: new Set(), failed: new Set(), memory: false, done: false };
  for (const line of channel.split('\n')) {
    const words = line.split(' ');
    if (words[0] !== nonce) continue;
    const [, event, arg] = words;
    const index = Number(arg);
    if (event === 'total' && report.total === undefined) report.total = index;
    else if (event === 'pass') report.passed.add(index);
    else if (event === 'fail') report.failed.add(index);
    else if (event === 'error') report.error = arg;
    else if (event === 'memory') report.memory = true;
    else if (event === 'done') report.done = true;
    else if (event === 'tests-invalid') report.testsInvalid = words.slice(2).join(' ');
  }
  return report;
}
