/** The code sandbox: run a policy's Python program against unit tests, isolated by bubblewrap. See docs/sandbox.md. */

export { normaliseOutput, outputsMatch } from './compare.ts';
export { SandboxInputError } from './errors.ts';
export { type ExtractOptions, extractProgram } from './extract.ts';
export { DEFAULT_LIMITS, type SandboxLimits } from './limits.ts';
export { defaultPool, SandboxPool } from './pool.ts';
export { parseCodeTests, type RunTestsOptions, runTests } from './run-tests.ts';
export type { CodeTests, FunctionalTests, SandboxResult, SandboxStatus, StdioTests, TestOutcome } from './types.ts';
export { SANDBOX_STATUSES } from './types.ts';
