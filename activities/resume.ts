/**
 * Resuming a failed run as a new, linked run: the old run's newest checkpoint that verifies deeply
 * (every file's sha256) becomes the new run's starting policy snapshot, with the global step, the stage it was taken
 * in and the data cursor it carries (omni.json `extra`, written by `update`). The old run's prepared datasets are
 * copied, not recomputed, so the new run draws from byte-identical rows.
 */
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { METADATA_FILE } from '../engine/checkpoint/checkpoint.ts';
import { joinKey } from '../storage/blob-store.ts';
import {
  type CheckpointManifest,
  checkpointPrefix,
  newestValidCheckpoint,
  readManifest,
  writeCheckpoint,
} from '../storage/checkpoints.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys } from '../storage/run-layout.ts';
import { type RunInfo, readJson, storeOf, writeJson } from './run-context.ts';
import type { ResumeFromCheckpointInput, ResumeFromCheckpointOutput } from './types.ts';

export const NO_VALID_CHECKPOINT = 'NoValidCheckpoint';

export async function resumeFromCheckpoint(input: ResumeFromCheckpointInput): Promise<ResumeFromCheckpointOutput> {
  const from = openBlobStore(input.from.base);
  const to = storeOf(input.run);
  const old = await readJson<RunInfo>(from, runKeys.runInfo());
  if (!old)
    throw ApplicationFailure.nonRetryable(
      `${from.uriOf(runKeys.runInfo())} not found: is ${input.from.base} the base of run '${input.from.runId}'?`,
      'InvalidInput'
    );
  if (old.configHash !== input.run.configHash)
    throw ApplicationFailure.nonRetryable(
      `run '${input.from.runId}' ran another config (${old.configHash.slice(0, 12)}… vs ${input.run.configHash.slice(0, 12)}…): a resume continues the same config`,
      'InvalidInput'
    );
  const ck = await newestValidCheckpoint(from, runKeys.checkpointRoot(), { deep: true });
  if (!ck)
    throw ApplicationFailure.nonRetryable(
      `run '${input.from.runId}' has no valid checkpoint under ${from.uriOf('checkpoints/')}: nothing to resume from; start the experiment again with 'omni-zero run'`,
      NO_VALID_CHECKPOINT
    );
  // The prepared datasets: copied once (a data manifest present in the new run means done; manifests go last).
  const dataKeys = (await from.list('data/')).map((b) => b.key);
  const manifests = dataKeys.filter((k) => k.endsWith('/manifest.json'));
  for (const key of [...dataKeys.filter((k) => !k.endsWith('/manifest.json')), ...manifests]) {
    if (manifests.includes(key) || !(await to.head(key))) await to.put(key, await from.get(key));
    heartbeat({ copied: key });
  }
  // Trackers continue the first run's tracker run (activities/tracking.ts), however many resumes ago it was.
  const lineage = (await readJson<{ root: string }>(from, runKeys.trackingLineage()))?.root ?? input.from.runId;
  await writeJson(to, runKeys.trackingLineage(), { root: lineage });
  // The checkpoint as the new run's starting snapshot under policy/ (manifest written last by writeCheckpoint).
  const target = checkpointPrefix(runKeys.policyRoot(), ck.step);
  let prefix = target;
  if (!(await readManifest(to, target).catch(() => null))) {
    const files = await Promise.all(
      ck.manifest.files.map(async (f) => ({ path: f.path, data: await from.get(joinKey(ck.prefix, f.path)) }))
    );
    ({ prefix } = await writeCheckpoint(to, runKeys.policyRoot(), ck.step, files, {
      experiment: input.run.experiment,
      run: input.run.runId,
      stage: ck.manifest.stage,
      configHash: input.run.configHash,
    }));
  }
  const sha256 = (await readManifest(to, prefix))?.manifestSha256;
  const meta = JSON.parse(new TextDecoder().decode(await from.get(joinKey(ck.prefix, METADATA_FILE)))) as {
    step: number;
    extra?: { stage?: string; cursor?: ResumeFromCheckpointOutput['cursor'] };
  };
  if (meta.step !== ck.step)
    throw ApplicationFailure.nonRetryable(
      `${from.uriOf(ck.prefix)}: omni.json says step ${meta.step} but the checkpoint is step ${ck.step}`,
      'InvalidInput'
    );
  return {
    policy: { step: ck.step, key: prefix, ...(sha256 ? { sha256 } : {}) },
    cursor: meta.extra?.cursor ?? {},
    stage: meta.extra?.stage ?? ck.manifest.stage,
    checkpoint: from.uriOf(ck.prefix),
    ...(planInForce(ck.manifest) ? { plan: planInForce(ck.manifest) } : {}),
  };
}

function planInForce(m: CheckpointManifest): ResumeFromCheckpointOutput['plan'] {
  const { stageIndex, stageStartStep, stageEndStep, learningRate } = m;
  if (stageIndex === undefined || stageStartStep === undefined || stageEndStep === undefined || !learningRate)
    return undefined;
  return { stageIndex, stageStartStep, stageEndStep, learningRate };
}
