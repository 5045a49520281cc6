/**
 * Where a configured `model.checkpoint` lives. A relative `file://models/demo-base` (no third slash) is tried
 * against the worker's working directory first and then against the repository root, so the shipped demo base loads
 * whether the worker was started from the checkout, from `npm run demo`, or from another folder. `s3://`, absolute
 * `file:///…` and plain absolute paths pass through unchanged.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this code runs from (training/ is one level below it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A configured checkpoint folder that does not exist. Named `InvalidInput`, a type the activities' retry policy never
 * retries (workflows/activity-options.ts): no retry makes a missing folder appear, so the run fails at once.
 */
export class CheckpointSourceError extends Error {
  override readonly name = 'InvalidInput';
}

export function resolveCheckpointSource(uri: string, bases: string[] = [process.cwd(), REPO_ROOT]): string {
  if (!uri.startsWith('file://')) return uri;
  const rest = uri.slice('file://'.length);
  if (rest.startsWith('/') || rest === '') return uri;
  for (const base of bases) {
    const candidate = path.resolve(base, rest);
    if (existsSync(candidate)) return `file://${candidate}`;
  }
  throw new CheckpointSourceError(
    `model.checkpoint '${uri}': no folder '${rest}' under ${bases.join(' or ')}; ` +
      `use file:///absolute/dir, or run 'omni-zero pretrain-base' to create models/demo-base`
  );
}
