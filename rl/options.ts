/**
 * Options over defaults where an explicit `undefined` means "not set": `{ ...defaults, ...options }` would let
 * `{ dualClip: undefined }` (an optional config field passed straight through) replace the default with undefined.
 */
export function withDefaults<T extends object>(defaults: Readonly<Required<T>>, options: T): Required<T> {
  const merged = { ...defaults } as Required<T>;
  for (const key of Object.keys(options) as (keyof T)[]) {
    const value = options[key];
    if (value !== undefined) merged[key] = value as Required<T>[keyof T];
  }
  return merged;
}
