/** A config, or any JSON value, as tracker params: one `a.b.0.c` key per leaf, values as strings. */

/** MLflow's limit on a param value (mlflow/utils/validation.py MAX_PARAM_VAL_LENGTH). */
export const MAX_PARAM_VALUE = 6000;

/** Leaves of `value` in key order; arrays by index; an empty object or array is a leaf (`{}`, `[]`). */
export function flattenParams(value: unknown, prefix = ''): { key: string; value: string }[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object') return [{ key: prefix, value: clip(String(value)) }];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.keys(value)
        .sort()
        .map((k) => [k, (value as Record<string, unknown>)[k]]);
  if (entries.length === 0) return [{ key: prefix, value: Array.isArray(value) ? '[]' : '{}' }];
  return entries.flatMap(([k, v]) => flattenParams(v, prefix ? `${prefix}.${k}` : k));
}

function clip(s: string): string {
  return s.length <= MAX_PARAM_VALUE ? s : `${s.slice(0, MAX_PARAM_VALUE - 1)}…`;
}
