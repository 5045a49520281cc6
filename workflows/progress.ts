/** What the `progress` query answers; small and JSON-only so the Web UI and `omni-zero status` can show it. */
export type RunStatus =
  | 'validating'
  | 'planned'
  | 'preparing'
  | 'training'
  | 'evaluating'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'stopped';

export interface ExperimentProgress {
  runId: string;
  experiment: string | null;
  status: RunStatus;
  /** The stage in progress (or next to run), null before planning. */
  stage: { index: number; name: string; count: number } | null;
  /** Global steps completed / planned. */
  step: number;
  totalSteps: number;
  /** Response window in force at the current step, tokens. */
  window: number | null;
  /** One line: `demo: curriculum, 4 stages (code 30 → …), 120 steps`. */
  summary: string | null;
  /** Metrics of the last completed step (reward per domain, lengths…). */
  lastMetrics: Record<string, number> | null;
  /** Estimated milliseconds to the end, from the mean step time so far; null until a step has completed. */
  etaMs: number | null;
  /** Problems that failed validation, when status is failed for that reason. */
  problems?: string[];
}
