/**
 * Where a run keeps its things in the blob store, relative to the run's base `<checkpoint.storage>/<runId>`:
 * one definition shared by the activities that write and the report, CLI and resume that read. Every per-step object
 * has a key derived from the step alone, so a retried activity overwrites rather than duplicates.
 *
 *   run.json                                  the resolved config, plan and config hash (written once at start)
 *   data/<task>/train.jsonl, held-out.jsonl   prepared datasets (DatasetRow per line) + data/<task>/manifest.json
 *   data/<task>/quarantine.jsonl              rows that failed validation, with reasons
 *   steps/<step>/prompts.jsonl                the step's batch (DatasetRow per line)
 *   steps/<step>/rollouts.jsonl               RolloutRecord per line
 *   steps/<step>/rollouts-<i>-of-<n>.jsonl    one shard's RolloutRecords (+ .done.json), merged into rollouts.jsonl
 *   steps/<step>/rewards.jsonl                RewardRecord per line
 *   steps/<step>/<phase>.done.json            a phase's small summary, written last: present = the phase completed
 *   steps/<step>/draw-<d>/…                   dynamic sampling's extra draw d ≥ 1 of a step: the same files as above
 *   policy/step-<step>/…                      the policy after <step> (weights + optimiser), with manifest.json
 *   checkpoints/step-<step>/…                 kept checkpoints (manifest.json last), retention applies
 *   metrics/step-<step>.json                  StepMetrics of one step (exactly one object per step index)
 *   eval/step-<step>.json                     EvalRecord: held-out scores per task at that step
 *   tracking/lineage.json                     a resumed run: { root } = the first run's id, whose tracker run it continues
 *   tracking/failures/<tracker>-<what>-<step>.json   one tracker call that failed (the step went on), with the error
 *   merge.json                                a merged run's merge (sources' checkpoints, density, λ), written last
 *   rft/kept.jsonl, rft/kept.done.json        an RFT run's kept responses, and the counts per task (sampled, kept)
 *   fine-tune/chunk-<n>.done.json             an RFT or pretrain run's training chunk: its policy, loss, tokens, time
 *   steps/<step>/eval-shards/<reason>-<i>-of-<n>.json   one evaluation shard's samples, merged into the EvalRecord
 */
import { joinKey } from './blob-store.ts';

const pad = (step: number) => String(step).padStart(8, '0');

/** A step's folder; dynamic sampling's extra draws (draw ≥ 1) each have their own inside it. */
const stepDir = (step: number, draw: number) =>
  draw === 0 ? joinKey('steps', pad(step)) : joinKey('steps', pad(step), `draw-${draw}`);

export type StepPhase = 'sample' | 'rollout' | 'score' | 'update' | 'checkpoint' | 'evaluate';

export const runKeys = {
  runInfo: () => 'run.json',
  dataset: (task: string, split: 'train' | 'held-out') => joinKey('data', task, `${split}.jsonl`),
  dataManifest: (task: string) => joinKey('data', task, 'manifest.json'),
  quarantine: (task: string) => joinKey('data', task, 'quarantine.jsonl'),
  prompts: (step: number, draw = 0) => joinKey(stepDir(step, draw), 'prompts.jsonl'),
  rollouts: (step: number, draw = 0) => joinKey(stepDir(step, draw), 'rollouts.jsonl'),
  rolloutShard: (step: number, shard: number, of: number, draw = 0) =>
    joinKey(stepDir(step, draw), `rollouts-${shard}-of-${of}.jsonl`),
  rolloutShardDone: (step: number, shard: number, of: number, draw = 0) =>
    joinKey(stepDir(step, draw), `rollouts-${shard}-of-${of}.done.json`),
  rewards: (step: number, draw = 0) => joinKey(stepDir(step, draw), 'rewards.jsonl'),
  phaseDone: (step: number, phase: StepPhase, draw = 0) => joinKey(stepDir(step, draw), `${phase}.done.json`),
  policyRoot: () => 'policy',
  checkpointRoot: () => '',
  metrics: (step: number) => joinKey('metrics', `step-${pad(step)}.json`),
  metricsPrefix: () => 'metrics/',
  evaluation: (step: number) => joinKey('eval', `step-${pad(step)}.json`),
  evaluationPrefix: () => 'eval/',
  trackingLineage: () => joinKey('tracking', 'lineage.json'),
  trackingFailure: (tracker: string, what: string, step: number) =>
    joinKey('tracking', 'failures', `${tracker}-${what}-${pad(step)}.json`),
  trackingFailuresPrefix: () => 'tracking/failures/',
  merge: () => 'merge.json',
  rftKept: () => joinKey('rft', 'kept.jsonl'),
  rftKeptDone: () => joinKey('rft', 'kept.done.json'),
  fineTuneChunkDone: (chunk: number) => joinKey('fine-tune', `chunk-${pad(chunk)}.done.json`),
  /** Held-out evaluation shards at a step (merged into `evaluation(step)`). */
  evaluationShards: (step: number) => joinKey('steps', pad(step), 'eval-shards'),
} as const;

/** Step number from a `metrics/step-00000012.json` or `eval/step-…json` key, or null. */
export function stepOfKey(key: string): number | null {
  const m = key.match(/step-(\d{8})\.json$/);
  return m ? Number(m[1]) : null;
}
