/** Errors of data preparation: bad configuration or unusable input that a person must fix (never a bad row). */

export class DataInputError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(`${field}: ${message}`);
    this.name = 'DataInputError';
  }
}
