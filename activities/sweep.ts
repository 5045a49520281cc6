/** The sweep's closing activity: read each child run's records, compare them (report/sweep.ts), write the table. */
import { loadRun } from '../report/load.ts';
import { compareSweep, type SweepComparison } from '../report/sweep.ts';
import { openBlobStore } from '../storage/open.ts';
import { writeJson } from './run-context.ts';

export interface CompareSweepInput {
  /** Where the comparison goes: `<storage>/sweeps/<sweepId>/comparison.json` (the base config's storage). */
  storage: string;
  sweepId: string;
  /** Each completed child with its own `checkpoint.storage`. */
  runs: { variant: string; seed: number; runId: string; storage: string; wallMs: number }[];
}

export async function compareSweepRuns(input: CompareSweepInput): Promise<SweepComparison> {
  const runs = await Promise.all(input.runs.map(async (r) => ({ ...r, data: await loadRun(r.storage, r.runId) })));
  const comparison = compareSweep(runs);
  const store = openBlobStore(`${input.storage.replace(/\/+$/, '')}/sweeps/${input.sweepId}`);
  await writeJson(store, 'comparison.json', { sweepId: input.sweepId, runs: input.runs, comparison });
  return comparison;
}
