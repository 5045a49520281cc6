/**
 * The baselines that train by next-token loss instead of RL (SPEC §10): rejection-sampling fine-tuning (OT §4.3's
 * SFT baseline) keeps the sampled responses the reward marks correct (`collectCorrect`) and fine-tunes the base on
 * them; continued pretraining trains the base on its own pretraining corpus. Both train in chunks (`fineTune`), each
 * idempotent by its index and ending in a policy snapshot, so the workflow decides how many to run from their
 * recorded results.
 */
import { setImmediate } from 'node:timers/promises';
import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import type { Policy } from '../engine/policy.ts';
import type { PromptResponse } from '../engine/train/batch.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { RewardRecord } from '../schemas/records/reward-record.ts';
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import { runKeys } from '../storage/run-layout.ts';
import { BASE_CORPUS_DEFAULTS, baseCorpus, configWorlds, DEFAULT_WORLD_WEIGHTS } from '../training/base-corpus.ts';
import { evalScaleOf } from '../training/evaluation.ts';
import { fineTuneChunk } from '../training/fine-tune.ts';
import { keepCorrect } from '../training/keep-correct.ts';
import { templateOf } from '../training/policy-config.ts';
import { promptIds } from '../training/sampling.ts';
import { trainAndSnapshot } from '../training/train-policy.ts';
import { ready } from './gpu.ts';
import { keepAlive } from './keep-alive.ts';
import { once, type RunContext, readJsonl, recorded, runContext, writeJsonl } from './run-context.ts';
import { trainingTurn } from './training-turn.ts';
import type {
  CollectCorrectInput,
  CollectCorrectOutput,
  FineTuneCorpus,
  FineTuneInput,
  FineTuneOutput,
} from './types.ts';

/** A sampled response kept for fine-tuning: where its prompt is, and its tokens. */
interface KeptResponse {
  task: string;
  promptsKey: string;
  promptIndex: number;
  tokens: number[];
}

export function collectCorrect(input: CollectCorrectInput): Promise<CollectCorrectOutput> {
  return keepAlive({ phase: 'collect' }, async () => {
    const ctx = await runContext(input.run);
    return once(ctx.store, runKeys.rftKeptDone(), async () => {
      const kept: KeptResponse[] = [];
      const perTask: CollectCorrectOutput['perTask'] = {};
      for (const round of input.rounds) {
        const [rollouts, rewards] = await Promise.all([
          readJsonl<RolloutRecord>(ctx.store, round.rolloutsKey),
          readJsonl<RewardRecord>(ctx.store, round.rewardsKey),
        ]);
        const correct = keepCorrect(rollouts, rewards, (t) => evalScaleOf(ctx.config, t), input.judgedThreshold);
        for (const r of rollouts) {
          perTask[r.task] ??= { sampled: 0, kept: 0 };
          perTask[r.task].sampled++;
        }
        for (const r of correct) {
          perTask[r.task].kept++;
          kept.push({ task: r.task, promptsKey: round.promptsKey, promptIndex: r.promptIndex, tokens: r.tokens });
        }
      }
      await writeJsonl(ctx.store, runKeys.rftKept(), kept);
      const keptTokens = kept.reduce((n, k) => n + k.tokens.length, 0);
      return { keptKey: runKeys.rftKept(), perTask, kept: kept.length, keptTokens };
    });
  });
}

export async function fineTune(input: FineTuneInput): Promise<FineTuneOutput> {
  await ready();
  const ctx = await runContext(input.run);
  const doneKey = runKeys.fineTuneChunkDone(input.chunk);
  // The turn is taken before the done marker is read: an attempt that waited for an earlier one finds its result.
  return trainingTurn(ctx, { phase: 'fine-tune', chunk: input.chunk }, () =>
    once(ctx.store, doneKey, () => fineTuneStep(ctx, input, doneKey))
  );
}

async function fineTuneStep(ctx: RunContext, input: FineTuneInput, doneKey: string): Promise<FineTuneOutput> {
  const { cancellationSignal: signal } = Context.current();
  const options = { ...input, seed: ctx.config.seed };
  let ms = 0;
  let examples = 0;
  const tuned = await trainAndSnapshot(
    ctx,
    input.policy,
    async (policy) => {
      const corpus = await examplesFor(ctx, policy, input.corpus);
      examples = corpus.length;
      const started = Date.now();
      const trained = await fineTuneChunk(policy, corpus, options, async (step) => {
        heartbeat({ phase: 'fine-tune', chunk: input.chunk, step, of: input.steps });
        await setImmediate(); // lets the heartbeat out, and a cancellation in
        signal.throwIfAborted();
      });
      ms = Date.now() - started;
      return trained;
    },
    {
      stage: input.stage,
      extra: { fineTuneChunk: input.chunk },
      signal,
      settled: async () => (await ctx.store.head(doneKey)) !== null,
    }
  );
  if (tuned === null) return recorded<FineTuneOutput>(ctx, doneKey);
  return { policy: tuned.policy, ms, ...tuned.trained, examples };
}

/** The corpus of the run this worker trained last: its chunks reuse it; another run's replaces it. */
let held: { key: string; examples: Promise<PromptResponse[]> } | null = null;

/** The examples of a corpus, built once per run and worker (tokenising tens of thousands of pairs is not free). */
function examplesFor(ctx: RunContext, policy: Policy, corpus: FineTuneCorpus): Promise<PromptResponse[]> {
  const key = `${ctx.run.base}|${corpus.type}`;
  if (held?.key === key) return held.examples;
  const examples =
    corpus.type === 'rft'
      ? keptExamples(ctx, policy, corpus.keptKey)
      : Promise.resolve(pretrainingExamples(ctx, policy));
  const entry = { key, examples };
  held = entry;
  examples.catch(() => {
    if (held === entry) held = null;
  });
  return examples;
}

async function keptExamples(ctx: RunContext, policy: Policy, keptKey: string): Promise<PromptResponse[]> {
  const kept = await readJsonl<KeptResponse>(ctx.store, keptKey);
  if (kept.length === 0)
    throw ApplicationFailure.nonRetryable(
      `${ctx.run.runId}: no sampled response was correct: nothing to fine-tune on`,
      'InvalidInput'
    );
  const batches = new Map<string, DatasetRow[]>();
  for (const key of new Set(kept.map((k) => k.promptsKey)))
    batches.set(key, await readJsonl<DatasetRow>(ctx.store, key));
  return kept.map((k) => ({
    prompt: promptIds(policy, batches.get(k.promptsKey)![k.promptIndex], templateOf(ctx.config)),
    response: k.tokens,
  }));
}

/** The corpus the demo base was pretrained on (its defaults), drawn afresh from the run's seed. */
function pretrainingExamples(ctx: RunContext, policy: Policy): PromptResponse[] {
  const worlds = configWorlds(ctx.config);
  if (worlds.length === 0)
    throw ApplicationFailure.nonRetryable(
      `${ctx.run.runId}: continued pretraining draws the synthetic worlds' corpus, and no task of the config is synthetic`,
      'InvalidInput'
    );
  const worldWeights = Object.fromEntries(Object.entries(DEFAULT_WORLD_WEIGHTS).filter(([w]) => worlds.includes(w)));
  return baseCorpus(policy, ctx.config, { ...BASE_CORPUS_DEFAULTS, seed: ctx.config.seed, worldWeights }).examples;
}
