/**
 * What the report knows about one run: its header (from run.json, read defensively), every step's metrics and every
 * evaluation record that validated, and the problems met while reading. Rendering only: no Temporal, no I/O here.
 */
import type { WindowSegment } from '../schemas/experiment/window.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';

export interface ReportStage {
  name: string;
  /** First global step (inclusive). */
  startStep: number;
  /** The step after the stage's last (exclusive). */
  endStep: number;
  /** Tasks the stage trains on, when run.json says. */
  tasks: string[];
  /** The window in force over [fromStep, toStep), tokens. */
  windows: WindowSegment[];
}

export interface RunHeader {
  runId: string;
  /** Experiment name; null when run.json is missing or has none. */
  experiment: string | null;
  configHash: string | null;
  /** When the run was recorded (run.json `createdAt`, ISO 8601), if it says. */
  createdAt: string | null;
  /** A status written by the run itself, else derived from the steps present (see deriveStatus). */
  status: string;
  /** Planned steps; null when the plan is unknown. */
  totalSteps: number | null;
  /** Stages in run order; from the plan, else inferred from the metrics' stage names. */
  stages: ReportStage[];
  /** True when stages came from run.json's plan, false when inferred from the metrics. */
  stagesFromPlan: boolean;
}

export interface RunData {
  header: RunHeader;
  /** Valid step metrics, sorted by step, at most one per step. */
  metrics: StepMetrics[];
  /** Valid evaluation records, sorted by step. */
  evaluations: EvalRecord[];
  /** Where the run was read from (for the page's footer). */
  source: string;
  /** Everything that was wrong but not fatal: malformed objects, missing steps, missing stage-end evaluations. */
  problems: string[];
}
