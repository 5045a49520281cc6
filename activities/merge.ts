/**
 * The model-merging baseline (OT §4.3, issue 17): the best checkpoint of each source run is TIES-merged against the
 * base policy they all started from (training/merge-policy.ts), and the merged weights are written as checkpoint
 * step 0 of the merged run — evaluated there like any policy, and loadable by another run as `model.checkpoint`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { initBackend } from '../engine/backend.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { parseExperimentConfig } from '../schemas/parse.ts';
import { sameBaseModel } from '../schemas/sweep.ts';
import { bestCheckpoint, downloadCheckpoint, writeCheckpoint } from '../storage/checkpoints.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys } from '../storage/run-layout.ts';
import { checkpointWeights, tiesMergeInto } from '../training/merge-policy.ts';
import { basePolicy } from '../training/policy-store.ts';
import { TIES_DEFAULTS, TiesMergeError } from '../training/ties-merge.ts';
import { keepAlive } from './keep-alive.ts';
import { once, type RunContext, type RunInfo, readJson, runContext } from './run-context.ts';
import type { MergeCheckpointsInput, MergeCheckpointsOutput, MergeSource } from './types.ts';

const invalid = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidInput');

export function mergeCheckpoints(input: MergeCheckpointsInput): Promise<MergeCheckpointsOutput> {
  return keepAlive({ phase: 'merge' }, async () => {
    await initBackend();
    const ctx = await runContext(input.run);
    return once(ctx.store, runKeys.merge(), () => merge(ctx, input));
  });
}

async function merge(ctx: RunContext, input: MergeCheckpointsInput): Promise<MergeCheckpointsOutput> {
  const density = input.density ?? TIES_DEFAULTS.density;
  const lambda = input.lambda ?? TIES_DEFAULTS.lambda;
  if (input.sources.length === 0) throw invalid('a merge needs at least one source run');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-merge-'));
  const base = await basePolicy(ctx);
  try {
    const merged: MergeCheckpointsOutput['merged'] = [];
    const models = [];
    for (const [i, source] of input.sources.entries()) {
      const picked = await sourceCheckpoint(ctx.config, source);
      const local = path.join(dir, String(i));
      await downloadCheckpoint(picked.store, picked.prefix, local);
      models.push(await checkpointWeights(local, base));
      await rm(local, { recursive: true, force: true });
      merged.push({ runId: source.runId, step: picked.step, checkpoint: picked.uri, metric: picked.value });
    }
    tiesMergeInto(base, models, { density, lambda });
    base.step = 0;
    const out = path.join(dir, 'merged');
    const files = await base.save(out, {
      configHash: ctx.run.configHash,
      extra: { runId: ctx.run.runId, stage: 'merge', ties: { density, lambda }, merged },
    });
    const { prefix, manifest } = await writeCheckpoint(
      ctx.store,
      runKeys.checkpointRoot(),
      0,
      files.map((f) => ({ path: f.path, localPath: f.localPath })),
      { experiment: ctx.run.experiment, run: ctx.run.runId, stage: 'merge', configHash: ctx.run.configHash }
    );
    const sha256 = manifest.manifestSha256;
    return {
      policy: { step: 0, key: prefix, ...(sha256 ? { sha256 } : {}) },
      checkpoint: ctx.store.uriOf(prefix),
      merged,
      density,
      lambda,
    };
  } catch (err) {
    if (err instanceof TiesMergeError) throw invalid(`TIES-merge of ${ctx.run.runId}: ${err.message}`);
    throw err;
  } finally {
    base.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A source run's checkpoint to merge (retention's best, else its newest), refused unless it shares the base. */
async function sourceCheckpoint(config: ExperimentConfig, source: MergeSource) {
  const store = openBlobStore(source.base);
  const info = await readJson<RunInfo>(store, runKeys.runInfo());
  if (!info) throw invalid(`merge source '${source.runId}': no run.json at ${store.uriOf(runKeys.runInfo())}`);
  const parsed = parseExperimentConfig(info.config);
  if (!parsed.ok) throw invalid(`merge source '${source.runId}': its run.json config no longer validates`);
  const theirs = parsed.config;
  if (!sameBaseModel(theirs, config))
    throw invalid(
      `merge source '${source.runId}' started from another base model (model ${JSON.stringify(theirs.model)}, seed ${theirs.seed}; the merge's: ${JSON.stringify(config.model)}, seed ${config.seed}): task vectors need one shared base`
    );
  const c = theirs.checkpoint;
  const best = c.keepBest ? { metric: c.bestMetric, mode: 'max' as const } : undefined;
  const picked = await bestCheckpoint(store, runKeys.checkpointRoot(), best);
  if (!picked)
    throw invalid(`merge source '${source.runId}' has no valid checkpoint under ${store.uriOf('checkpoints/')}`);
  return { ...picked, store, uri: store.uriOf(picked.prefix) };
}
