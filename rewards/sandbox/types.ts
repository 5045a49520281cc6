/** The unit tests of a code task (code-r1-12k's JSON shapes) and what running a program against them returns. */

/** Each input is fed on stdin to a fresh run; its stdout must match the output at the same index. */
export interface StdioTests {
  inputs: string[];
  outputs: string[];
}

/** Python assertions run after the solution's definitions, in the same scope; each top-level `assert` is one test. */
export interface FunctionalTests {
  functional: string;
}

export type CodeTests = StdioTests | FunctionalTests;

export const SANDBOX_STATUSES = [
  'passed',
  'failed',
  'error',
  'timeout',
  'memory',
  'output-limit',
  'sandbox-error',
] as const;

/**
 * passed: every test passed. failed: it ran to the end and some test's output or assertion was wrong. error: the
 * program raised, exited non-zero, had a syntax error or ended the run early. timeout: CPU or wall limit. memory:
 * address-space limit (MemoryError). output-limit: too many bytes on stdout/stderr. sandbox-error: the sandbox could not
 * run it (missing bwrap, no user namespaces): not the program's fault, so a scorer should not reward or punish it.
 */
export type SandboxStatus = (typeof SANDBOX_STATUSES)[number];

export interface TestOutcome {
  /** 'skipped': not run because an earlier test timed out (an infinite loop costs one time limit, not one per test). */
  status: SandboxStatus | 'skipped';
  /** Wall time of this test's sandboxed process (stdio tests only; functional tests share one process). Unit: ms. */
  durationMs?: number;
}

export interface SandboxResult {
  /** The outcome of the run: 'passed' only if all tests passed; otherwise that of the first test that did not pass. */
  status: SandboxStatus;
  /** Tests that passed. */
  passed: number;
  /** Tests in the task (for functional tests: top-level asserts, or 1 when there are none). */
  total: number;
  /** Wall time of the whole call, queueing for the pool included. Unit: ms. */
  durationMs: number;
  /** The last characters of stderr of the run that decided the status (a traceback's end says what went wrong). */
  stderrTail: string;
  /** One entry per test, in order. */
  perTest?: TestOutcome[];
}
