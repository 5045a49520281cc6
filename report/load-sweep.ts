/**
 * Reads a sweep back for its report: the comparison its workflow wrote (`<storage>/sweeps/<id>/comparison.json`)
 * and the records of each run it names, from each run's own storage.
 */
import { openBlobStore } from '../storage/open.ts';
import { checkRunId, loadRun } from './load.ts';
import { lengthStats, type SweepComparison, type SweepRunData } from './sweep.ts';

/** What the sweep workflow writes when it ends (activities/sweep.ts). */
export interface SweepRecord {
  sweepId: string;
  runs: { variant: string; seed: number; runId: string; storage: string; wallMs: number }[];
  comparison: SweepComparison;
}

export const SWEEP_RECORD_KEY = 'comparison.json';

export function sweepBase(storage: string, sweepId: string): string {
  checkRunId(sweepId);
  return `${storage.replace(/\/+$/, '')}/sweeps/${sweepId}`;
}

/** The sweep's record and its runs' data; null when `storage` holds no sweep of that id. */
export async function loadSweep(
  storage: string,
  sweepId: string
): Promise<{ record: SweepRecord; runs: SweepRunData[] } | null> {
  const store = openBlobStore(sweepBase(storage, sweepId));
  if (!(await store.head(SWEEP_RECORD_KEY))) return null;
  const record = JSON.parse(Buffer.from(await store.get(SWEEP_RECORD_KEY)).toString('utf8')) as SweepRecord;
  const runs = await Promise.all(record.runs.map(async (r) => ({ ...r, data: await loadRun(r.storage, r.runId) })));
  // From the runs' own metrics, so a record written by a worker that did not compute lengths still shows them.
  for (const v of record.comparison.variants) {
    v.lengths = lengthStats(
      runs.filter((r) => r.variant === v.variant),
      record.comparison.tasks
    );
  }
  return { record, runs };
}
