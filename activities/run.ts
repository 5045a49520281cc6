/** I/O activities of a run: record the run (config, plan) once, and take checkpoints with retention. */
import { ApplicationFailure } from '@temporalio/activity';
import { configHash } from '../schemas/config-hash.ts';
import { parseExperimentConfig } from '../schemas/parse.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import { joinKey } from '../storage/blob-store.ts';
import { applyRetention, checkpointPrefix, readManifest, writeCheckpoint } from '../storage/checkpoints.ts';
import { runKeys } from '../storage/run-layout.ts';
import { keepAlive } from './keep-alive.ts';
import { type RunInfo, readJson, runContext, storeOf, writeJson } from './run-context.ts';
import { trackCheckpoint } from './tracking.ts';
import type { CheckpointInput, CheckpointOutput, InitRunInput } from './types.ts';

export async function initRun(input: InitRunInput): Promise<{ base: string }> {
  const parsed = parseExperimentConfig(input.config);
  // The workflow validated the same document: a difference here means workers and workflow run different versions.
  if (!parsed.ok) {
    const problems = parsed.issues.map((i) => `${i.path || '(config)'}: ${i.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(
      `initRun: the workflow accepted the config but this worker rejects it (${problems}); run workers of the same omni-zero version as the workflow worker`,
      'InvalidExperimentConfig'
    );
  }
  if (configHash(parsed.config) !== input.run.configHash) {
    throw ApplicationFailure.nonRetryable(
      'initRun: this worker resolves the config to a different hash than the workflow did (different schema defaults); run workers of the same omni-zero version as the workflow worker',
      'InvalidInput'
    );
  }
  const store = storeOf(input.run);
  const existing = await readJson<RunInfo>(store, runKeys.runInfo());
  if (existing && existing.configHash !== input.run.configHash) {
    throw ApplicationFailure.nonRetryable(
      `${store.uriOf(runKeys.runInfo())} belongs to another config (${existing.configHash.slice(0, 12)}…): choose another run id or storage`,
      'InvalidInput'
    );
  }
  if (!existing) {
    const info: RunInfo = {
      runId: input.run.runId,
      experiment: input.run.experiment,
      configHash: input.run.configHash,
      config: input.config,
      plan: input.plan,
      createdAt: new Date().toISOString(),
    };
    await writeJson(store, runKeys.runInfo(), info);
  }
  return { base: input.run.base };
}

/** Copies the policy snapshot of `step` into `checkpoints/step-…` (manifest last) and applies retention. */
export function checkpoint(input: CheckpointInput): Promise<CheckpointOutput> {
  // A large model's upload has no progress points of its own: heartbeat on a timer (keep-alive.ts).
  return keepAlive({ phase: 'checkpoint', step: input.step }, () => takeCheckpoint(input));
}

async function takeCheckpoint(input: CheckpointInput): Promise<CheckpointOutput> {
  const ctx = await runContext(input.run);
  const target = checkpointPrefix(runKeys.checkpointRoot(), input.step);
  const existing = await readManifest(ctx.store, target).catch(() => null);
  if (!existing) {
    const source = await readManifest(ctx.store, input.policy.key);
    if (!source)
      throw new Error(`policy snapshot ${input.policy.key} has no manifest; cannot checkpoint step ${input.step}`);
    const metrics = await bestMetric(ctx.store, input.step);
    await writeCheckpoint(
      ctx.store,
      runKeys.checkpointRoot(),
      input.step,
      await Promise.all(
        source.files.map(async (f) => ({ path: f.path, data: await ctx.store.get(joinKey(input.policy.key, f.path)) }))
      ),
      {
        experiment: input.run.experiment,
        run: input.run.runId,
        stage: input.stage,
        configHash: input.run.configHash,
        ...(metrics ? { metrics } : input.metrics ? { metrics: input.metrics } : {}),
        ...(input.plan ? { plan: input.plan } : {}),
      }
    );
  }
  const c = ctx.config.checkpoint;
  const deletedSteps = await applyRetention(ctx.store, runKeys.checkpointRoot(), {
    keepLast: c.keepLast,
    ...(c.keepBest ? { best: { metric: c.bestMetric, mode: 'max' as const } } : {}),
  });
  const manifest = await readManifest(ctx.store, target);
  await trackCheckpoint(ctx, input.step, ctx.store.uriOf(target), deletedSteps);
  return { prefix: ctx.store.uriOf(target), files: manifest?.files.length ?? 0, deletedSteps };
}

/** Held-out scores of the evaluation taken at this step, if any (`eval/<task>`, `eval/mean`): what keep-best compares. */
async function bestMetric(store: ReturnType<typeof storeOf>, step: number): Promise<Record<string, number> | null> {
  const ev = await readJson<EvalRecord>(store, runKeys.evaluation(step));
  if (!ev) return null;
  const defined = Object.entries(ev.scores).filter((e): e is [string, number] => e[1] !== null);
  if (defined.length === 0) return null;
  return {
    ...Object.fromEntries(defined.map(([t, v]) => [`eval/${t}`, v])),
    'eval/mean': defined.reduce((a, [, v]) => a + v, 0) / defined.length,
  };
}
