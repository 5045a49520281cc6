/**
 * `omni-zero report RUN [--compare RUN2] [--storage URI] [--out FILE]`: one self-contained HTML page with the curves
 * a run is judged by (report/), printed as `{"out":…,"charts":N,"steps":M}`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadRun } from '../../report/load.ts';
import { loadSweep } from '../../report/load-sweep.ts';
import { renderReport } from '../../report/render.ts';
import { renderSweepReport } from '../../report/render-sweep.ts';
import { checkpointSchema } from '../../schemas/experiment/checkpoint.ts';
import { openBlobStore } from '../../storage/open.ts';
import { publishReportToMlflow } from '../../tracking/publish-report.ts';

export interface ReportCommandOptions {
  /** Base of the runs (`<storage>/<run>`). Default: the config's default checkpoint.storage. */
  storage?: string;
  /** A second run, overlaid dashed. */
  compare?: string;
  /** Where the second run lives, when not in `storage` (e.g. an ablation written to another bucket). */
  compareStorage?: string;
  /** Output file. Default `report-<run>.html` (or `report-<run>-vs-<run2>.html`) in the working directory. */
  out?: string;
}

export interface ReportResult {
  out: string;
  charts: number;
  steps: number;
  /** Set for a sweep: how many runs its page compares. */
  runs?: number;
  /** The report's artifact URI in the run's MLflow run, when its config has `tracking.mlflow`. */
  mlflow?: string;
  /** Why the report could not be stored in MLflow (the HTML file was written). */
  mlflowError?: string;
}

/** The command minus the process: writes the page and returns what it prints. */
export async function writeReport(runId: string, options: ReportCommandOptions = {}): Promise<ReportResult> {
  const storage = options.storage ?? defaultStorage();
  const sweep = options.compare === undefined ? await loadSweep(storage, runId) : null;
  if (sweep) return writeSweepReport(runId, sweep, options.out);
  const run = await loadRun(storage, runId);
  if (options.compareStorage !== undefined && options.compare === undefined) {
    throw new Error('--compare-storage needs --compare <run2>: name the run to overlay');
  }
  const compare =
    options.compare === undefined ? undefined : await loadRun(options.compareStorage ?? storage, options.compare);
  const rendered = renderReport(run, { compare, generatedAt: new Date().toISOString() });
  const out = path.resolve(
    options.out ?? `report-${runId}${options.compare === undefined ? '' : `-vs-${options.compare}`}.html`
  );
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, rendered.html);
  const result: ReportResult = { out, charts: rendered.charts.length, steps: rendered.steps };
  if (options.compare !== undefined) return result;
  // The page is written either way: an MLflow server that fails is reported, not fatal.
  try {
    const artifact = await publishReportToMlflow(
      openBlobStore(`${storage.replace(/\/+$/, '')}/${runId}`),
      runId,
      rendered.html
    );
    return artifact === null ? result : { ...result, mlflow: artifact };
  } catch (err) {
    return { ...result, mlflowError: (err as Error).message };
  }
}

async function writeSweepReport(
  sweepId: string,
  sweep: NonNullable<Awaited<ReturnType<typeof loadSweep>>>,
  outFile: string | undefined
): Promise<ReportResult> {
  const rendered = renderSweepReport(sweepId, sweep.record.comparison, sweep.runs, {
    generatedAt: new Date().toISOString(),
  });
  const out = path.resolve(outFile ?? `report-${sweepId}.html`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, rendered.html);
  return { out, charts: rendered.charts.length, steps: 0, runs: rendered.runs };
}

/** The schema's default, so the report looks where `omni-zero run` writes when the config does not say. */
function defaultStorage(): string {
  return checkpointSchema.parse({}).storage;
}

/** `write` receives the JSON line (tests capture it; the node test runner owns the real stdout). */
export function register(program: Command, write: (line: string) => void = (line) => process.stdout.write(line)): void {
  program
    .command('report')
    .description(
      'Write a self-contained HTML report of a run or a sweep (rewards, held-out scores, think/answer lengths, BWT matrix, time per phase); prints {"out","charts","steps"}'
    )
    .argument('<run>', 'run id (the folder under --storage), or a sweep id (its comparison table and overlaid curves)')
    .option('--compare <run2>', 'overlay a second run (dashed lines, side-by-side BWT tables)')
    .option('--compare-storage <uri>', 'where the --compare run lives (default: --storage)')
    .option(
      '--storage <uri>',
      'where runs live: file://<dir>, s3://<bucket>/<prefix> (default: file://.omni-zero/runs)'
    )
    .option('--out <file>', 'output HTML file (default: report-<run>.html)')
    .action(async (runId: string, opts: ReportCommandOptions) => {
      const result = await writeReport(runId, opts);
      write(`${JSON.stringify(result)}\n`);
    });
}
