/** The sweep's closing activity: read each child run's records, compare them (report/sweep.ts), write the table. */
import { loadRun } from '../report/load.ts';
import { SWEEP_RECORD_KEY, type SweepRecord, sweepBase } from '../report/load-sweep.ts';
import { compareSweep, type SweepComparison } from '../report/sweep.ts';
import { openBlobStore } from '../storage/open.ts';
import { writeJson } from './run-context.ts';

export interface CompareSweepInput {
  /** Where the comparison goes: `<storage>/sweeps/<sweepId>/comparison.json` (the base config's storage). */
  storage: string;
  sweepId: string;
  /** Each completed child with its own `checkpoint.storage`. */
  runs: SweepRecord['runs'];
}

export async function compareSweepRuns(input: CompareSweepInput): Promise<SweepComparison> {
  const runs = await Promise.all(input.runs.map(async (r) => ({ ...r, data: await loadRun(r.storage, r.runId) })));
  const comparison = compareSweep(runs);
  const record: SweepRecord = { sweepId: input.sweepId, runs: input.runs, comparison };
  await writeJson(openBlobStore(sweepBase(input.storage, input.sweepId)), SWEEP_RECORD_KEY, record);
  return comparison;
}
