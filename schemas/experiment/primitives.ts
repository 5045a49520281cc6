/**
 * Building blocks shared by every section of the experiment config: strict objects whose unknown keys are errors
 * with a did-you-mean, and the small value types (identifiers, URIs, durations) the sections reuse.
 */
import { z } from 'zod';
import { didYouMean } from '../did-you-mean.ts';

/** The message for one unknown key, with the closest known key when one is plausibly meant. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = didYouMean(key, known);
  return suggestion === undefined
    ? `unknown key '${key}' (known keys: ${known.join(', ')})`
    : `unknown key '${key}' (did you mean '${suggestion}'?)`;
}

/**
 * `z.strictObject` whose unknown-key issue says, per key and one line each, what was probably meant: a typo must never
 * silently fall back to a default. `parseExperimentConfig` splits the lines into one issue per key.
 */
export function strict<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => unknownKeyMessage(key, known)).join('\n')
        : undefined,
  });
}

/** Names used in workflow ids, blob keys and metric labels: lower-case letters, digits and hyphens. */
export const identifier = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, {
  error:
    'must be lower-case letters, digits and hyphens, starting with a letter, at most 63 characters (e.g. "code-r1")',
});

/** A blob location: `file://<path>` (absolute, or relative to the process's working directory) or `s3://bucket/key`. */
export const uri = z.string().regex(/^(file:\/\/.+|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)$/, {
  error: 'must be a file://<path> or s3://<bucket>/<prefix> URI (e.g. "file://data/math.jsonl", "s3://my-bucket/runs")',
});

/** Temporal-style duration string: a number and one unit of ms, s, m, h, d (e.g. '10s', '30m', '1.5h'). */
export const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, {
  error: "must be a duration such as '500ms', '10s', '30m', '2h' or '1d'",
});

const DURATION_UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds in a `duration` string (already validated by the schema). */
export function durationToMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value);
  if (match === null) throw new Error(`not a duration: '${value}' (expected e.g. '10s', '30m')`);
  return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
}

/** A count of steps, tokens, samples: a non-negative safe integer. */
export const count = z.int().min(0);
/** A count that must be at least one. */
export const positiveCount = z.int().min(1);
/** A real number ≥ 0. */
export const nonNegative = z.number().min(0);
