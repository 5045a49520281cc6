/**
 * Runs from Temporal's visibility store: experiment workflows only (`WorkflowType = "experiment"` — stage children
 * carry OmniRun too), filtered by experiment and status, newest first, one row each from their search attributes
 * and memo.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { SA } from '../workflows/search-attributes.ts';

export interface ListFilter {
  experiment?: string;
  /** A Temporal execution status (running, completed, failed, terminated, …) or a run status (training, paused, …). */
  status?: string;
  /** Default 20. */
  limit?: number;
}

export interface RunRow {
  run: string;
  experiment: string | null;
  /** The run's own status while it runs or when it completed (completed/stopped); Temporal's when it did not finish. */
  status: string;
  stage: string | null;
  step: number | null;
  totalSteps: number | null;
  reward: number | null;
  started: string;
  closed: string | null;
}

/** Temporal's ExecutionStatus values, by the lower-case word a person types. */
const EXECUTION_STATUS: Record<string, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  terminated: 'Terminated',
  canceled: 'Canceled',
  cancelled: 'Canceled',
  timedout: 'TimedOut',
  'timed-out': 'TimedOut',
  continuedasnew: 'ContinuedAsNew',
};

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The visibility query for a filter (exported for tests). */
export function listQuery(f: ListFilter): string {
  const parts = ['WorkflowType = "experiment"'];
  if (f.experiment) parts.push(`${SA.experiment.name} = ${quote(f.experiment)}`);
  if (f.status) {
    const exec = EXECUTION_STATUS[f.status.toLowerCase()];
    parts.push(exec ? `ExecutionStatus = ${quote(exec)}` : `${SA.status.name} = ${quote(f.status)}`);
  }
  return parts.join(' AND ');
}

/** Total steps from the memo's `stages` (`code:30 math:30`), as the run planned them. */
function totalFromMemo(memo: Record<string, unknown> | undefined): number | null {
  const stages = memo?.stages;
  if (typeof stages !== 'string' || stages.trim() === '') return null;
  let total = 0;
  for (const part of stages.trim().split(/\s+/)) {
    const n = Number(part.slice(part.lastIndexOf(':') + 1));
    if (!Number.isFinite(n)) return null;
    total += n;
  }
  return total;
}

export function runRow(info: WorkflowExecutionInfo): RunRow {
  const sa = info.typedSearchAttributes;
  const own = sa.get(SA.status) ?? null;
  const exec = info.status.name;
  return {
    run: info.workflowId,
    experiment: sa.get(SA.experiment) ?? null,
    // A terminated or timed-out run never upserted its end: Temporal's status is the truth then.
    status: exec === 'RUNNING' || (exec === 'COMPLETED' && own) ? (own ?? 'running') : exec.toLowerCase(),
    stage: sa.get(SA.stage) ?? null,
    step: sa.get(SA.step) ?? null,
    totalSteps: totalFromMemo(info.memo),
    reward: sa.get(SA.reward) ?? null,
    started: info.startTime.toISOString(),
    closed: info.closeTime?.toISOString() ?? null,
  };
}

export async function listRuns(client: Client, f: ListFilter): Promise<RunRow[]> {
  const limit = f.limit ?? 20;
  const rows: RunRow[] = [];
  for await (const info of client.workflow.list({ query: listQuery(f), pageSize: Math.min(limit, 100) })) {
    rows.push(runRow(info));
    if (rows.length >= limit) break;
  }
  return rows;
}

/** A plain, aligned text table (no ANSI) of the rows. */
export function runTable(rows: RunRow[]): string {
  const header = ['RUN', 'EXPERIMENT', 'STATUS', 'STAGE', 'STEP', 'REWARD', 'STARTED'];
  const cells = rows.map((r) => [
    r.run,
    r.experiment ?? '-',
    r.status,
    r.stage ?? '-',
    `${r.step ?? '-'}/${r.totalSteps ?? '-'}`,
    r.reward === null ? '-' : r.reward.toFixed(3),
    r.started.replace('T', ' ').slice(0, 19),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells]
    .map((c) =>
      c
        .map((v, i) => v.padEnd(widths[i]))
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}
