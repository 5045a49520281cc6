/** Errors of the checkpoint area; each says which file is wrong and what to do about it. */

/** A safetensors file (or buffer) that does not follow the format, or a tensor that cannot be written. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    message: string,
    /** The file, when reading or writing one. */
    readonly file?: string
  ) {
    super(file ? `${file}: ${message}` : message);
  }
}

/** A checkpoint directory that cannot be loaded as asked (missing files, wrong shapes, unsupported config). */
export class ModelCheckpointError extends Error {
  override readonly name = 'ModelCheckpointError';
  constructor(
    message: string,
    /** The checkpoint directory. */
    readonly dir: string,
    /** Expected tensor names absent from the checkpoint. */
    readonly missing: readonly string[] = [],
    /** Tensor names present in the checkpoint that the model does not have. */
    readonly unexpected: readonly string[] = []
  ) {
    super(`${dir}: ${message}`);
  }
}
