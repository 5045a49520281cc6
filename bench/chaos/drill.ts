/**
 * The chaos drill: one undisturbed run of the chaos config as the reference, then `runs` runs of the same config,
 * each struck by its seeded faults (plan.ts), each audited (audit.ts) and compared with the reference. The report
 * counts runs, not faults: a run counts as exactly-once when every one of its steps was, and so on.
 */

import { MODEL_FILE } from '../../engine/checkpoint/checkpoint.ts';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import { joinKey } from '../../storage/blob-store.ts';
import { checkpointPrefix } from '../../storage/checkpoints.ts';
import { runKeys } from '../../storage/run-layout.ts';
import { baseWeightsOf, maxAbsDifference } from '../../test/helpers/honest-resume.ts';
import { auditRun, type RunAudit } from './audit.ts';
import { CHAOS_JUDGED_STEPS, CHAOS_TOTAL_STEPS, chaosExperiment } from './config.ts';
import { chaosPlan, FAULT_KINDS, type FaultKind } from './plan.ts';
import { type FaultedRun, runWithFaults } from './run-with-faults.ts';
import { type ChaosStack, startChaosStack } from './stack.ts';

export interface DrillOptions {
  runs: number;
  seed: number;
  faultsPerRun: number;
  /** Where the drill's server database, S3 data and logs go. */
  dir: string;
  /** One run's limit, ms. */
  runTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RunReport {
  runId: string;
  completed: boolean;
  failure?: string;
  audit: RunAudit | null;
  identicalWeights: boolean;
  /** Every step's gradient norm, > 0 on a run that learns. */
  gradNorms: (number | null)[];
  faults: FaultedRun['faults'];
  wallMs: number;
  unexpectedWorkerExits: string[];
}

export interface DrillReport {
  runs: number;
  seed: number;
  faultsPerRun: number;
  stepsPerRun: number;
  reference: { wallMs: number; stepMs: number[]; finalWeightsSha: string; maxWeightChangeFromBase: number };
  /** Runs that completed / whose every step ran exactly once / whose every kept checkpoint verified / whose final
   *  weights equal the reference's, bit for bit. */
  runsCompleted: number;
  stepsExactlyOnce: number;
  checkpointsVerified: number;
  identicalWeights: number;
  /** Per kind: faults planned, struck (the run had not ended), and fault → struck step done, ms. */
  faults: Record<FaultKind, { planned: number; struck: number; recoverMs: { median: number; max: number } | null }>;
  /** Judge requests over the whole drill: answered, and left hanging by a judge-hang fault (then retried). */
  judgeRequests: { answered: number; hung: number };
  wallMs: number;
  perRun: RunReport[];
}

export async function runChaosDrill(o: DrillOptions): Promise<DrillReport> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const runTimeoutMs = o.runTimeoutMs ?? 600_000;
  const stack = await startChaosStack(o.dir, log);
  try {
    const tag = `chaos-${o.seed}-${Date.now().toString(36)}`;
    const ref = await runWithFaults({
      stack,
      runId: `${tag}-reference`,
      faults: [],
      referenceStepMs: [],
      timeoutMs: runTimeoutMs,
      log,
    });
    if (!ref.result) throw new Error(`the undisturbed reference run did not complete: ${ref.failure}`);
    const refReport = await reportRun(stack, ref, null);
    const refSha = refReport.audit?.finalWeightsSha;
    if (!refSha) throw new Error('the reference run has no final checkpoint');
    const maxWeightChangeFromBase = await movedFromBase(stack, ref.runId);
    log(
      `reference: ${ref.wallMs} ms, final weights ${refSha.slice(0, 16)}, max |Δ| from base ${maxWeightChangeFromBase}`
    );

    const plan = chaosPlan({
      runs: o.runs,
      seed: o.seed,
      faultsPerRun: o.faultsPerRun,
      totalSteps: CHAOS_TOTAL_STEPS,
      judgedSteps: CHAOS_JUDGED_STEPS,
    });
    const perRun: RunReport[] = [];
    for (let r = 0; r < o.runs; r++) {
      const run = await runWithFaults({
        stack,
        runId: `${tag}-run-${r}`,
        faults: plan[r],
        referenceStepMs: ref.stepMs,
        timeoutMs: runTimeoutMs,
        log,
      });
      perRun.push(await reportRun(stack, run, refSha));
      log(`run ${r + 1}/${o.runs}: ${JSON.stringify(summaryLine(perRun.at(-1)!))}`);
    }
    return {
      runs: o.runs,
      seed: o.seed,
      faultsPerRun: o.faultsPerRun,
      stepsPerRun: CHAOS_TOTAL_STEPS,
      reference: {
        wallMs: ref.wallMs,
        stepMs: ref.stepMs,
        finalWeightsSha: refSha,
        maxWeightChangeFromBase,
      },
      runsCompleted: perRun.filter((r) => r.completed).length,
      stepsExactlyOnce: perRun.filter((r) => r.audit?.stepsExactlyOnce === CHAOS_TOTAL_STEPS).length,
      checkpointsVerified: perRun.filter(
        (r) => r.audit && r.audit.checkpoints.kept > 0 && r.audit.checkpoints.verified === r.audit.checkpoints.kept
      ).length,
      identicalWeights: perRun.filter((r) => r.identicalWeights).length,
      faults: faultFigures(perRun),
      judgeRequests: stack.judge.counts(),
      wallMs: Date.now() - t0,
      perRun,
    };
  } finally {
    await stack.stop();
  }
}

async function reportRun(stack: ChaosStack, run: FaultedRun, refSha: string | null): Promise<RunReport> {
  const store = stack.store(`runs/${run.runId}`);
  const audit = run.result
    ? await auditRun({ client: stack.client, runId: run.runId, plan: run.result.plan, store })
    : null;
  const gradNorms: (number | null)[] = [];
  for (let s = 0; s < CHAOS_TOTAL_STEPS; s++) {
    const m = await store.get(runKeys.metrics(s)).catch(() => null);
    gradNorms.push(m ? ((JSON.parse(Buffer.from(m).toString('utf8')) as StepMetrics).gradNorm ?? null) : null);
  }
  return {
    runId: run.runId,
    completed: run.result?.status === 'completed' && run.result.steps === CHAOS_TOTAL_STEPS,
    ...(run.failure ? { failure: run.failure } : {}),
    audit,
    identicalWeights: refSha !== null && audit?.finalWeightsSha === refSha,
    gradNorms,
    faults: run.faults,
    wallMs: run.wallMs,
    unexpectedWorkerExits: stack.unexpectedExits(),
  };
}

/** Largest |Δ| between the reference's final weights and the base's: > 0 means the drill's config really learns. */
async function movedFromBase(stack: ChaosStack, runId: string): Promise<number> {
  const config = chaosExperiment({
    runId,
    storage: stack.storage,
    queues: stack.queues,
    judgeBaseURL: stack.judge.baseURL,
  });
  const base = await baseWeightsOf(config);
  const final = await stack.store(`runs/${runId}`).get(joinKey(checkpointPrefix('', CHAOS_TOTAL_STEPS), MODEL_FILE));
  return maxAbsDifference(final, base);
}

function faultFigures(runs: RunReport[]): DrillReport['faults'] {
  const faults = runs.flatMap((r) => r.faults);
  return Object.fromEntries(
    FAULT_KINDS.map((kind) => {
      const of = faults.filter((f) => f.kind === kind);
      const ms = of.flatMap((f) => (f.recoverMs === undefined ? [] : [f.recoverMs])).sort((a, b) => a - b);
      const recoverMs = ms.length ? { median: ms[Math.floor((ms.length - 1) / 2)], max: ms.at(-1)! } : null;
      return [kind, { planned: of.length, struck: of.filter((f) => f.struck).length, recoverMs }];
    })
  ) as DrillReport['faults'];
}

function summaryLine(r: RunReport) {
  return {
    completed: r.completed,
    exactlyOnce: r.audit?.stepsExactlyOnce,
    checkpoints: r.audit && `${r.audit.checkpoints.verified}/${r.audit.checkpoints.kept}`,
    identicalWeights: r.identicalWeights,
    faults: r.faults.map((f) => `${f.kind}@${f.step ?? '-'}:${f.recoverMs ?? '-'}ms`),
    wallMs: r.wallMs,
    ...(r.failure ? { failure: r.failure } : {}),
  };
}
