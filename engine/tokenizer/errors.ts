/** A tokenizer that cannot be built or used as asked; the message says what to fix. */
export class TokenizerError extends Error {
  override readonly name = 'TokenizerError';
  constructor(
    message: string,
    /** The tokenizer file, when one is involved. */
    readonly file?: string
  ) {
    super(file ? `${file}: ${message}` : message);
  }
}
