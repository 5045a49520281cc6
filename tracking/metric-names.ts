/**
 * Tracker metric names of a step's and an evaluation's records: the StepMetrics field names, per task under
 * `task/<task>/…`, held-out scores as `eval/<task>` and `eval/mean` (the names checkpoint.bestMetric uses), and
 * held-out pass@k as `eval/<task>/pass_at_<k>` (MLflow refuses `@` in a metric name).
 * Undefined values (null) are left out rather than logged as 0.
 */
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';

export type NamedValue = { key: string; value: number };

function defined(entries: [string, number | null | undefined][]): NamedValue[] {
  return entries.flatMap(([key, value]) =>
    typeof value === 'number' && Number.isFinite(value) ? [{ key, value }] : []
  );
}

export function stepMetricValues(m: StepMetrics): NamedValue[] {
  const perTask = Object.entries(m.perTask).flatMap(([task, t]): [string, number | null][] => [
    [`task/${task}/rewardMean`, t.rewardMean],
    [`task/${task}/accuracy`, t.accuracy],
    [`task/${task}/thinkTokensMean`, t.thinkTokensMean],
    [`task/${task}/answerTokensMean`, t.answerTokensMean],
    [`task/${task}/responseTokensMean`, t.responseTokensMean],
    [`task/${task}/truncatedFraction`, t.truncatedFraction],
    [`task/${task}/zeroVarianceGroupFraction`, t.zeroVarianceGroupFraction],
    [`task/${task}/droppedUndefined`, t.droppedUndefined],
    ...Object.entries(t.components).map(([c, v]): [string, number | null] => [`task/${task}/reward/${c}`, v]),
  ]);
  return defined([
    ['rewardMean', m.rewardMean],
    ['loss', m.loss],
    ['clipFraction', m.clipFraction],
    ['klApprox', m.klApprox],
    ['refKl', m.refKl],
    ['entropy', m.entropy],
    ['gradNorm', m.gradNorm],
    ['learningRate', m.learningRate],
    ['window', m.window],
    ['zeroVarianceGroupFraction', m.zeroVarianceGroupFraction],
    ['truncatedFraction', m.truncatedFraction],
    ['timings/rolloutMs', m.timings.rolloutMs],
    ['timings/scoringMs', m.timings.scoringMs],
    ['timings/updateMs', m.timings.updateMs],
    ['dynamicSampling/draws', m.dynamicSampling?.draws],
    ['dynamicSampling/groupsDrawn', m.dynamicSampling?.groupsDrawn],
    ['dynamicSampling/groupsKept', m.dynamicSampling?.groupsKept],
    ['dynamicSampling/groupsTrained', m.dynamicSampling?.groupsTrained],
    ...perTask,
  ]);
}

export function evalMetricValues(e: EvalRecord): NamedValue[] {
  const scores = Object.entries(e.scores).filter((x): x is [string, number] => x[1] !== null);
  return defined([
    ...scores.map(([task, v]): [string, number] => [`eval/${task}`, v]),
    ['eval/mean', scores.length ? scores.reduce((s, [, v]) => s + v, 0) / scores.length : null],
    ...Object.entries(e.passAtK ?? {}).flatMap(([task, p]): [string, number | null][] =>
      p ? [[`eval/${task}/pass_at_${p.k}`, p.score]] : []
    ),
    ['timings/evaluationMs', e.evaluationMs],
  ]);
}
