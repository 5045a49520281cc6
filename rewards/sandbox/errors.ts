/** Bad input to the sandbox (malformed tests, not a failing program): the message says what to fix. */
export class SandboxInputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string
  ) {
    super(`${field}: ${problem}`);
    this.name = 'SandboxInputError';
  }
}
