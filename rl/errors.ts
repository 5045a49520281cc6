/**
 * The one error class of `rl/`: bad input to a formula (a NaN reward, a negative length, an unknown variant name).
 * Workflows turn it into a non-retryable failure; the message alone must tell a person what to fix.
 */
export class RlInputError extends RangeError {
  override readonly name = 'RlInputError';
  /** The option or argument that was wrong, e.g. `lengthPenalty.lCache`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

export function requireFinite(value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RlInputError(field, `must be a finite number, got ${String(value)}`);
  }
  return value;
}

export function requireNonNegative(value: number, field: string): number {
  requireFinite(value, field);
  if (value < 0) throw new RlInputError(field, `must be >= 0, got ${value}`);
  return value;
}

export function requirePositive(value: number, field: string): number {
  requireFinite(value, field);
  if (value <= 0) throw new RlInputError(field, `must be > 0, got ${value}`);
  return value;
}

export function requireNonNegativeInteger(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RlInputError(field, `must be a whole number >= 0, got ${String(value)}`);
  }
  return value;
}

/** Looks a name up in one of the variant registries, listing the known names when it is not there. */
export function lookUp<T>(registry: Readonly<Record<string, T>>, name: string, field: string): T {
  if (!Object.hasOwn(registry, name)) {
    throw new RlInputError(field, `unknown name '${name}'; known: ${Object.keys(registry).join(', ')}`);
  }
  return registry[name];
}
