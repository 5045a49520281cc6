/**
 * Deliberately broken resumes, for the negative controls of the resume and crash tests: each is the bug a resume
 * most often has in RL frameworks, injected from the test side only — a test's own worker registers these wrappers in
 * place of the real activities (in-process for `resumeFromCheckpoint`; a child process, broken-gpu-worker.ts, as the
 * replacement of a killed GPU worker). Nothing in the product can select them.
 *
 * - `reload-base`: the policy the run continues from holds the base's weights (the checkpoint's Adam state kept);
 * - `drop-adam`: the checkpoint's weights without its Adam state (the optimizer starts from zero moments);
 * - `reset-cursor`: the data cursor starts over (the run re-reads the rows it already trained on).
 */

import { resumeFromCheckpoint } from '../../activities/resume.ts';
import { runContext, storeOf } from '../../activities/run-context.ts';
import type { ResumeFromCheckpointInput, ResumeFromCheckpointOutput, RunRef } from '../../activities/types.ts';
import { MODEL_FILE, OPTIMIZER_FILE } from '../../engine/checkpoint/checkpoint.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { joinKey } from '../../storage/blob-store.ts';
import { readManifest, writeCheckpoint } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import { resolveCheckpointSource } from '../../training/checkpoint-source.ts';

export const BREAKAGES = ['reload-base', 'drop-adam', 'reset-cursor'] as const;
export type Breakage = (typeof BREAKAGES)[number];

/**
 * Rewrites the policy snapshot at `prefix` (under the run's policy/ root) with `edit` applied to its files; returns
 * the rewritten manifest's sha256, which a reference to the broken snapshot must carry (policy-store.ts refuses a
 * snapshot whose hash is not the reference's).
 */
async function editSnapshot(
  store: BlobStore,
  prefix: string,
  edit: (files: Map<string, Uint8Array>) => Promise<void>
): Promise<string | undefined> {
  const m = await readManifest(store, prefix);
  if (!m) throw new Error(`broken resume: no snapshot at ${store.uriOf(prefix)}`);
  const files = new Map(
    await Promise.all(m.files.map(async (f) => [f.path, await store.get(joinKey(prefix, f.path))] as const))
  );
  await edit(files);
  const written = await writeCheckpoint(
    store,
    runKeys.policyRoot(),
    m.step,
    [...files].map(([path, data]) => ({ path, data })),
    { experiment: m.experiment, run: m.run, stage: m.stage, configHash: m.configHash }
  );
  if (written.prefix !== prefix) throw new Error(`broken resume: ${prefix} is not a snapshot under policy/`);
  return written.manifest.manifestSha256;
}

/**
 * Applies a weights/optimizer breakage to the run's snapshot at `prefix` (no-op for `reset-cursor`); returns the
 * broken snapshot's sha256, as the broken resume's reference to it would carry.
 */
export async function breakSnapshot(breakage: Breakage, run: RunRef, prefix: string): Promise<string | undefined> {
  if (breakage === 'reset-cursor') return undefined;
  const store = storeOf(run);
  return editSnapshot(store, prefix, async (files) => {
    if (breakage === 'drop-adam') {
      files.delete(OPTIMIZER_FILE);
      return;
    }
    const { config } = await runContext(run);
    if (!config.model.checkpoint) throw new Error('reload-base needs a config whose model.checkpoint is the base');
    files.set(MODEL_FILE, await openBlobStore(resolveCheckpointSource(config.model.checkpoint)).get(MODEL_FILE));
  });
}

/** `resumeFromCheckpoint` with `breakage` applied to what it hands the new run. */
export function brokenResumeFromCheckpoint(
  breakage: Breakage
): (input: ResumeFromCheckpointInput) => Promise<ResumeFromCheckpointOutput> {
  return async (input) => {
    const r = await resumeFromCheckpoint(input);
    const sha256 = await breakSnapshot(breakage, input.run, r.policy.key);
    if (breakage === 'reset-cursor') return { ...r, cursor: {} };
    return { ...r, policy: { ...r.policy, ...(sha256 ? { sha256 } : {}) } };
  };
}
