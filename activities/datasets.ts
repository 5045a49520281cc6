/**
 * CPU activities over a run's data: prepare every task's datasets once (data/ does the work; this writes the rows,
 * manifests and quarantine into the run's store), and draw each step's batch by the seeded data cursor. A task with
 * the difficulty filter gets its reference policy from difficulty-reference.ts; the filter's pass counts go out with
 * every heartbeat, so a retried attempt samples only the prompts not yet counted.
 */
import { ApplicationFailure, Context, heartbeat } from '@temporalio/activity';
import { DataInputError } from '../data/errors.ts';
import type { DataManifest } from '../data/manifest.ts';
import { prepareTask } from '../data/prepare.ts';
import { stepBatch } from '../data/step-batch.ts';
import { loadTokenizer } from '../engine/tokenizer/load.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys } from '../storage/run-layout.ts';
import { tokenizerSpecOf } from '../training/policy-config.ts';
import { ReferencePolicies } from './difficulty-reference.ts';
import { keepAlive } from './keep-alive.ts';
import { once, type RunContext, readJson, readJsonl, runContext, writeJsonl } from './run-context.ts';
import type { PreparedData, RunRef, SampleBatchInput, SampleBatchOutput } from './types.ts';

const rowCache = new Map<string, Promise<DatasetRow[]>>();

function rows(ctx: RunContext, task: string, split: 'train' | 'held-out'): Promise<DatasetRow[]> {
  const key = `${ctx.run.base}#${task}#${split}`;
  let r = rowCache.get(key);
  if (!r) {
    r = readJsonl<DatasetRow>(ctx.store, runKeys.dataset(task, split));
    rowCache.set(key, r);
    r.catch(() => rowCache.delete(key));
  }
  return r;
}

export function heldOutRows(ctx: RunContext, task: string): Promise<DatasetRow[]> {
  return rows(ctx, task, 'held-out');
}

/** Heartbeat details of prepareData: where it is, and the difficulty filter's pass counts so far for `task`. */
interface PrepareBeat {
  task: string;
  stage: string;
  done: number;
  total: number;
  /** Row id → passes of k, of the prompts the difficulty filter has sampled (a retry does not sample them again). */
  passes?: Record<string, number>;
}

/** Longest a token loop goes without a heartbeat (the SDK throttles sends; this bounds the work of building one). */
const TOKEN_BEAT_MS = 1000;

export async function prepareData({ run }: { run: RunRef }): Promise<PreparedData> {
  const ctx = await runContext(run);
  const tokenizer = loadTokenizer(tokenizerSpecOf(ctx.config));
  const activity = Context.current();
  const previous = activity.info.heartbeatDetails as PrepareBeat | undefined;
  const out: PreparedData = { tasks: {} };
  let beat: PrepareBeat = { task: '', stage: '', done: 0, total: 0 };
  let passes = new Map<string, number>();
  let lastBeat = 0;
  const send = () => {
    lastBeat = Date.now();
    heartbeat(passes.size > 0 ? { ...beat, passes: Object.fromEntries(passes) } : beat);
  };
  const references = new ReferencePolicies(ctx, {
    onStep: () => {
      if (Date.now() - lastBeat >= TOKEN_BEAT_MS) send();
    },
  });
  try {
    for (const [task, taskConfig] of Object.entries(ctx.config.tasks)) {
      // data/ writes the rows, the quarantine and the manifest (last) under data/<task>/: a manifest means done.
      let manifest = await readJson<DataManifest>(ctx.store, runKeys.dataManifest(task));
      if (!manifest) {
        passes = new Map(previous?.task === task && previous.passes ? Object.entries(previous.passes) : []);
        beat = { task, stage: 'start', done: 0, total: 0 };
        send();
        const reference = taskConfig.filters.difficulty.enabled ? await references.for(task, taskConfig) : undefined;
        try {
          const prepared = await prepareTask(task, taskConfig, {
            seed: ctx.config.seed,
            countTokens: (text: string) => tokenizer.encode(text).length,
            referencePolicy: reference?.policy,
            verify: { thinkTag: ctx.config.template.thinkTag, answerTag: ctx.config.template.answerTag },
            difficulty: {
              known: passes,
              ...(reference?.shardSize ? { shardSize: reference.shardSize } : {}),
              ...(reference?.concurrency ? { concurrency: reference.concurrency } : {}),
              onShard: (counts) => {
                for (const c of counts) passes.set(c.id, c.passes);
                send();
              },
            },
            output: { store: ctx.store, prefix: `data/${task}` },
            openStore: openBlobStore,
            onProgress: (done, total, stage) => {
              beat = { task, stage, done, total };
              send();
            },
            signal: activity.cancellationSignal,
          });
          manifest = prepared.manifest;
        } catch (err) {
          // Bad config or data (data/errors.ts): no retry fixes it; fail the run now, saying what to change.
          if (err instanceof DataInputError) {
            const from = reference ? ` (reference: ${reference.describe})` : '';
            throw ApplicationFailure.nonRetryable(`${err.message}${from}`, 'InvalidInput');
          }
          throw err;
        }
      }
      out.tasks[task] = {
        train: manifest.outputs.train.rows,
        heldOut: manifest.outputs.heldOut.rows,
        quarantined: manifest.quarantine.count,
      };
    }
  } finally {
    await references.dispose();
  }
  return out;
}

export function sampleBatch(input: SampleBatchInput): Promise<SampleBatchOutput> {
  // Reading a large train split from S3 has no progress points: heartbeat on a timer (keep-alive.ts).
  return keepAlive({ phase: 'sample', step: input.step }, () => sampleStepBatch(input));
}

async function sampleStepBatch(input: SampleBatchInput): Promise<SampleBatchOutput> {
  const ctx = await runContext(input.run);
  // A batch prefetched for a step its stage never ran (stopped, budget shortened) must not be served to the next
  // stage, which starts at that same step.
  const sameStage = (done: SampleBatchOutput) => done.stageIndex === undefined || done.stageIndex === input.stageIndex;
  const draw = input.draw ?? 0;
  return once(
    ctx.store,
    runKeys.phaseDone(input.step, 'sample', draw),
    async () => {
      const info = await readJson<{ plan: { stages: { index: number; tasks: { task: string; weight: number }[] }[] } }>(
        ctx.store,
        runKeys.runInfo()
      );
      const stage = info?.plan.stages.find((s) => s.index === input.stageIndex);
      if (!stage) throw new Error(`run.json has no stage ${input.stageIndex}`);
      const mixture = Object.fromEntries(stage.tasks.map((t) => [t.task, t.weight]));
      const train = Object.fromEntries(
        await Promise.all(stage.tasks.map(async (t) => [t.task, await rows(ctx, t.task, 'train')] as const))
      );
      const batch = stepBatch({
        trainSizes: Object.fromEntries(Object.entries(train).map(([t, r]) => [t, r.length])),
        mixture,
        count: ctx.config.rollout.promptsPerStep,
        seed: ctx.config.seed,
        step: input.step,
        cursor: input.cursor,
        draw,
      });
      const picked = batch.picks.map((p) => train[p.task][p.row]);
      await writeJsonl(ctx.store, runKeys.prompts(input.step, draw), picked);
      const tasks: Record<string, number> = {};
      for (const p of batch.picks) tasks[p.task] = (tasks[p.task] ?? 0) + 1;
      const promptsKey = runKeys.prompts(input.step, draw);
      return { promptsKey, tasks, cursor: batch.cursor, stageIndex: input.stageIndex };
    },
    sameStage
  );
}
