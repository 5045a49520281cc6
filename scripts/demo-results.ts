/**
 * Summarises finished demo runs for docs/RESULTS.md: per run, the held-out score per domain of the base and after
 * each stage, BWT and average relative score (report/shape.ts, the same numbers as the HTML report), and per stage
 * the mean reward, training accuracy and think/answer lengths over its first and last quarter of steps, and each
 * evaluation's pass@k per domain (k = avg@k's k).
 * Usage: node --import tsx scripts/demo-results.ts RUN [RUN…] [--storage s3://omni-zero-demo/runs]
 */
import { localS3Env } from '../infra/dev-stack.ts';
import { loadRun } from '../report/load.ts';
import { bwtMatrix, runSummary, taskOrder } from '../report/shape.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--storage');
const storage = at >= 0 ? args.splice(at, 2)[1] : 's3://omni-zero-demo/runs';
if (args.length === 0) throw new Error('name at least one run id (as printed by omni-zero demo)');
if (storage.startsWith('s3://') && !process.env.OMNI_ZERO_S3_ENDPOINT) Object.assign(process.env, localS3Env());

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const r3 = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);

for (const runId of args) {
  const run = await loadRun(storage, runId);
  const tasks = taskOrder([run]);
  const matrix = bwtMatrix(run.header, run.evaluations, tasks);
  const summary = runSummary(run, matrix);
  const stages = run.header.stages.map((s) => {
    const steps = run.metrics.filter((m) => m.stage === s.name);
    const q = Math.max(1, Math.floor(steps.length / 4));
    const part = (ms: typeof steps) => {
      const per = ms.map((m) => m.perTask[s.name]).filter((p) => p !== undefined);
      return {
        reward: r3(mean(per.map((p) => p.rewardMean ?? 0))),
        accuracy: r3(mean(per.flatMap((p) => (p.accuracy === null || p.accuracy === undefined ? [] : [p.accuracy])))),
        thinkTokens: r3(mean(per.map((p) => p.thinkTokensMean ?? 0))),
        answerTokens: r3(mean(per.map((p) => p.answerTokensMean ?? 0))),
      };
    };
    return { stage: s.name, steps: steps.length, first: part(steps.slice(0, q)), last: part(steps.slice(-q)) };
  });
  console.log(
    JSON.stringify({
      runId,
      rows: matrix.rows.map((r) => ({ label: r.label, scores: r.scores })),
      bwt: summary.bwt,
      averageRelative: r3(summary.averageRelative),
      passAtK: run.evaluations.map((e) => ({
        step: e.step,
        stage: e.stage,
        ...Object.fromEntries(Object.entries(e.passAtK ?? {}).map(([t, p]) => [t, p ? r3(p.score) : null])),
      })),
      phaseSeconds: Object.fromEntries(Object.entries(summary.phaseMs).map(([k, v]) => [k, Math.round(v / 1000)])),
      stages,
    })
  );
}
