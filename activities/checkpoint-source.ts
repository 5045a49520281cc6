/**
 * Where a configured `model.checkpoint` lives. A relative `file://models/demo-base` (no third slash) is tried
 * against the worker's working directory first and then against the repository root, so the shipped demo base loads
 * whether the worker was started from the checkout, from `npm run demo`, or from another folder. `s3://`, absolute
 * `file:///…` and plain absolute paths pass through unchanged.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';

/** The checkout this code runs from (activities/ is one level below it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function resolveCheckpointSource(uri: string, bases: string[] = [process.cwd(), REPO_ROOT]): string {
  if (!uri.startsWith('file://')) return uri;
  const rest = uri.slice('file://'.length);
  if (rest.startsWith('/') || rest === '') return uri;
  for (const base of bases) {
    const candidate = path.resolve(base, rest);
    if (existsSync(candidate)) return `file://${candidate}`;
  }
  // Non-retryable: no retry makes a missing folder appear, and the run should fail with this message at once.
  throw ApplicationFailure.nonRetryable(
    `model.checkpoint '${uri}': no folder '${rest}' under ${bases.join(' or ')}; ` +
      `use file:///absolute/dir, or run 'omni-zero pretrain-base' to create models/demo-base`,
    'InvalidInput'
  );
}
