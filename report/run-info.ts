/**
 * The header and stages of a run from its run.json, read defensively: run.json is written by the training loop, which
 * may be older or newer than this report, so every field is optional and a wrong one is a problem line, not a crash.
 * Stages missing from the plan are inferred from the metrics (consecutive steps with the same stage name).
 */
import type { WindowSegment } from '../schemas/experiment/window.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import type { ReportStage, RunHeader } from './run-data.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStep = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function parseRunInfo(info: unknown, runId: string, metrics: StepMetrics[], problems: string[]): RunHeader {
  const obj = isObj(info) ? info : {};
  if (info !== null && !isObj(info)) problems.push('run.json is not a JSON object: header inferred from the metrics');
  const plan = isObj(obj.plan) ? obj.plan : null;
  const config = isObj(obj.config) ? obj.config : null;
  if (str(obj.runId) !== null && obj.runId !== runId) {
    problems.push(`run.json names run '${String(obj.runId)}' but was read as '${runId}'`);
  }

  const planned = plan ? planStages(plan.stages, problems) : null;
  const stagesFromPlan = planned !== null && planned.length > 0;
  const stages = stagesFromPlan ? planned : inferStages(metrics);
  let totalSteps = plan && isStep(plan.totalSteps) ? plan.totalSteps : null;
  if (totalSteps === null && stagesFromPlan) totalSteps = stages.at(-1)!.endStep;

  const header: RunHeader = {
    runId,
    experiment: str(obj.experiment) ?? (config ? str(config.name) : null),
    configHash: str(obj.configHash),
    createdAt: str(obj.createdAt),
    status: '',
    totalSteps,
    stages,
    stagesFromPlan,
  };
  header.status = str(obj.status) ?? baselineStatus(plan) ?? deriveStatus(metrics, totalSteps);
  return header;
}

/**
 * A baseline run (workflows/merge-run.ts, rft-run.ts, pretrain-run.ts) takes no RL step, so it has no metrics to
 * derive a status from: its plan says what it is, and its evaluations show its result.
 */
function baselineStatus(plan: Obj | null): string | null {
  if (plan === null) return null;
  if (isObj(plan.merge)) return 'merged model (no training steps)';
  if (isObj(plan.rft)) return 'rejection-sampling fine-tuned (no RL steps)';
  if (isObj(plan.pretrain)) return 'continued pretraining (no RL steps)';
  return null;
}

function planStages(raw: unknown, problems: string[]): ReportStage[] | null {
  if (!Array.isArray(raw)) {
    if (raw !== undefined) problems.push('run.json plan.stages is not a list: stages inferred from the metrics');
    return null;
  }
  const out: ReportStage[] = [];
  raw.forEach((s, i) => {
    if (!isObj(s) || str(s.name) === null || !isStep(s.startStep) || !isStep(s.endStep) || s.endStep < s.startStep) {
      problems.push(`run.json plan.stages[${i}] lacks a name or a valid startStep/endStep: skipped`);
      return;
    }
    const tasks = Array.isArray(s.tasks)
      ? s.tasks.map((t) => (isObj(t) ? str(t.task) : str(t))).filter((t): t is string => t !== null)
      : [];
    const windows = Array.isArray(s.windows)
      ? s.windows.filter(
          (w): w is WindowSegment => isObj(w) && isStep(w.fromStep) && isStep(w.toStep) && isStep(w.maxTokens)
        )
      : [];
    out.push({ name: s.name as string, startStep: s.startStep, endStep: s.endStep, tasks, windows });
  });
  out.sort((a, b) => a.startStep - b.startStep);
  return out;
}

/** Consecutive steps with one stage name form a stage; gaps in the steps do not split it. */
export function inferStages(metrics: StepMetrics[]): ReportStage[] {
  const out: ReportStage[] = [];
  for (const m of metrics) {
    const last = out.at(-1);
    if (last && last.name === m.stage) {
      last.endStep = m.step + 1;
      for (const t of Object.keys(m.perTask)) if (!last.tasks.includes(t)) last.tasks.push(t);
    } else {
      out.push({ name: m.stage, startStep: m.step, endStep: m.step + 1, tasks: Object.keys(m.perTask), windows: [] });
    }
  }
  return out;
}

/** `complete` when every planned step has metrics, else how far it got. */
export function deriveStatus(metrics: StepMetrics[], totalSteps: number | null): string {
  const done = metrics.length;
  if (totalSteps === null) return `${done} step${done === 1 ? '' : 's'} recorded (plan unknown)`;
  if (done >= totalSteps && metrics.at(-1)!.step >= totalSteps - 1) return 'complete';
  return `incomplete (${done} of ${totalSteps} steps recorded)`;
}
