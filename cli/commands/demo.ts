/**
 * `omni-zero demo` (what `npm run demo` runs): brings up the local Temporal dev server with its Web UI and the local
 * S3 server (both left running afterwards so the run stays browsable and its checkpoints readable), runs this
 * process's workers, starts `examples/demo.yaml` as an experiment workflow, prints the Web UI link and one progress
 * line per step, and ends with the table SPEC §8 asks for: held-out score per domain of the base and after each
 * stage, BWT per domain, wall time per phase, and where the checkpoints and the report are.
 *
 * Ctrl-C stops only this process's workers: the workflow stays open on the server, and any `omni-zero worker`
 * continues it from the last completed step (the demo prints the exact command).
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Command } from 'commander';
import { ensureS3, ensureTemporal, localS3Env } from '../../infra/dev-stack.ts';
import { CLI_COMMAND, ROOT } from '../../infra/paths.mjs';
import { loadRun } from '../../report/load.ts';
import { bwtMatrix, PHASES, passAtKRows, runSummary, taskOrder } from '../../report/shape.ts';
import { configHash } from '../../schemas/config-hash.ts';
import { formatIssues, parseExperimentConfig } from '../../schemas/parse.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';
import { createWorkers, releaseUnrunWorkers } from '../../workers/create-workers.ts';
import { codecFromEnv } from '../../workers/data-converter.ts';
import { installRuntime } from '../../workers/runtime.ts';
import { spawnWorker } from '../../workers/worker-process.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import type { ExperimentProgress } from '../../workflows/progress.ts';
import { type ExperimentFile, readExperimentFile } from '../experiment-file.ts';
import { ensureStackTools } from '../run-setup.ts';
import { startExperiment } from '../start-experiment.ts';
import { localConnectionOptions, localServerEnv } from '../temporal-connection.ts';

type ReadOk = Extract<ExperimentFile, { ok: true }>;

export interface DemoOptions {
  /** Experiment config; default examples/demo.yaml. */
  config: string;
  /**
   * Overrides schedule.stepsPerStage; a stage's own `steps` and the window steps scale with it, so stages keep their
   * proportions and the window still grows mid-curriculum.
   */
  stepsPerStage?: number;
  /** `dotted.path=value` overrides (value parsed as JSON when it parses, else kept as text), applied in order. */
  set: string[];
  /** Milliseconds between progress polls; default 1000. */
  pollMs: number;
}

/** A `dotted.path=value` override on the raw config document. */
export function applySet(raw: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new Error(`--set '${assignment}': write path.to.field=value (e.g. schedule.order=reverse)`);
  const keys = assignment.slice(0, eq).split('.');
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  let node = raw;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (next === undefined) node[k] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next))
      throw new Error(`--set '${assignment}': '${k}' is not an object in the config`);
    node = node[k] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

/** The config file with the demo's overrides applied and validated again. */
export function demoConfig(read: ReadOk, o: Pick<DemoOptions, 'stepsPerStage' | 'set'>): ReadOk {
  if (o.stepsPerStage === undefined && o.set.length === 0) return read;
  const raw = structuredClone(read.raw) as Record<string, unknown>;
  if (o.stepsPerStage !== undefined) {
    const schedule = raw.schedule as { stepsPerStage?: number; stages?: { steps?: number }[] } | undefined;
    const before = schedule?.stepsPerStage ?? read.config.schedule.stepsPerStage ?? o.stepsPerStage;
    const scale = (step: number) => Math.round((step * o.stepsPerStage!) / before);
    raw.schedule = { ...(schedule ?? {}), stepsPerStage: o.stepsPerStage };
    // A stage with its own budget keeps its proportion to the others (at least one step).
    for (const stage of schedule?.stages ?? [])
      if (stage.steps !== undefined) stage.steps = Math.max(1, scale(stage.steps));
    const window = raw.window as { type?: string; steps?: { fromStep: number }[] } | undefined;
    if (window?.type === 'steps' && window.steps) {
      for (const s of window.steps) s.fromStep = scale(s.fromStep);
    }
  }
  for (const a of o.set) applySet(raw, a);
  const parsed = parseExperimentConfig(raw);
  if (!parsed.ok)
    throw new Error(`the config with the demo's overrides does not validate: ${formatIssues(parsed.issues)}`);
  return { ok: true, config: parsed.config, hash: configHash(parsed.config), raw };
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '   –' : `${(v * 100).toFixed(0).padStart(3)}%`;
const signed = (v: number | null | undefined) =>
  v === null || v === undefined ? '    –' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(0)}`.padStart(5);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const clock = (ms: number) => `${Math.floor(ms / 60000)}m${String(Math.round((ms % 60000) / 1000)).padStart(2, '0')}s`;

/** One progress line: stage, step/total, reward per domain, window, ETA. */
export function progressLine(p: ExperimentProgress): string {
  const stage = p.stage ? `stage ${p.stage.index + 1}/${p.stage.count} ${p.stage.name.padEnd(8)}` : 'stage –';
  const rewards = Object.entries(p.lastMetrics ?? {})
    .filter(([k]) => k.startsWith('reward/'))
    .map(([k, v]) => `${k.slice('reward/'.length)} ${v.toFixed(2)}`)
    .join(' ');
  const eta = p.etaMs === null ? '' : `  ETA ${clock(p.etaMs)}`;
  return `${stage} step ${p.step}/${p.totalSteps}  reward ${rewards || '–'}  window ${p.window ?? '–'}${eta}`;
}

export interface DemoTable {
  tasks: string[];
  /** Held-out score per task: the base, then after each stage. */
  rows: { label: string; step: number | null; scores: Record<string, number | null> }[];
  /** pass@k of the base and of the last evaluation (report/shape.ts passAtKRows); absent in older records. */
  passAtK?: { label: string; scores: Record<string, number | null> }[];
  /** BWT_j = P_base,j − P_after-last-stage,j (SPEC §8; positive = forgotten). */
  bwt: Record<string, number | null>;
  /** Mean over tasks of P_final / P_base (OT's average relative performance). */
  averageRelative: number | null;
  /** Wall time per phase summed over the steps (and the base evaluation), ms. */
  phaseMs: Record<string, number>;
}

export function renderTable(t: DemoTable): string {
  const rows = [...t.rows, ...(t.passAtK ?? [])];
  const w = Math.max(12, ...rows.map((r) => r.label.length));
  const head = `${''.padEnd(w)} ${t.tasks.map((x) => x.padStart(8)).join('')}`;
  const lines = [
    head,
    ...rows.map((r) => `${r.label.padEnd(w)} ${t.tasks.map((x) => pct(r.scores[x]).padStart(8)).join('')}`),
  ];
  lines.push(`${'BWT (pts)'.padEnd(w)} ${t.tasks.map((x) => signed(t.bwt[x]).padStart(8)).join('')}`);
  lines.push(
    `average relative score (final / base): ${t.averageRelative === null ? '–' : t.averageRelative.toFixed(2)}`
  );
  lines.push(
    `wall time: ${Object.entries(t.phaseMs)
      .map(([k, v]) => `${k} ${secs(v)}`)
      .join(', ')}`
  );
  return lines.join('\n');
}

async function runDemo(o: DemoOptions): Promise<void> {
  const t0 = Date.now();
  const say = (m: string) => process.stderr.write(`[demo] ${m}\n`);
  const read0 = await readExperimentFile(o.config);
  if (!read0.ok) throw new Error(`${o.config}: ${read0.problems.join('; ')}`);
  const read = demoConfig(read0, o);
  const { config } = read;
  const codec = codecFromEnv(); // a malformed codec key stops the demo before anything starts
  installRuntime('ERROR'); // the SDK's start-up warnings ("no activities registered") are noise in a demo
  const storage = config.checkpoint.storage;
  await ensureStackTools({ s3: storage.startsWith('s3://'), log: say });
  const temporal = await ensureTemporal(say);
  say(`Temporal ${temporal.address}, Web UI ${temporal.uiUrl}`);
  if (codec) {
    say(
      `payloads encrypted with codec key '${codec.ring.currentKeyId}'; to read them in the Web UI run '${CLI_COMMAND} codec-server' and set its URL in the UI's Settings → Codec Server (docs/codec.md)`
    );
  }
  if (storage.startsWith('s3://')) {
    const s3 = await ensureS3(say);
    const bucket = storage.slice('s3://'.length).split('/')[0];
    await new S3BlobStore(bucket, '').ensureBucket();
    say(`S3 ${s3.endpoint}, bucket ${bucket}`);
  }
  // The demo's own stack: plain text to the dev server it found or started, whatever the user's `temporal` settings.
  const nativeConnection = await NativeConnection.connect(localConnectionOptions(temporal.address));
  const queues = config.orchestration.taskQueues;
  const taskQueues = { main: queues.workflow, gpu: queues.gpu, cpu: queues.cpu, io: queues.io };
  // The GPU worker in its own process: rollouts and updates compute on their process's only JS thread, so workflow
  // tasks, sampling and scoring here no longer wait for them, and the second core is used (bench/orchestration.ts).
  const [gpuStarted, localStarted] = await Promise.allSettled([
    spawnWorker({
      roles: ['gpu'],
      queues: taskQueues,
      address: temporal.address,
      baseEnv: localServerEnv(),
      env: { OMNI_ZERO_LOG_LEVEL: 'ERROR', ...(storage.startsWith('s3://') ? localS3Env() : {}) },
      onOutput: (text) => {
        if (!text.startsWith('worker: polling')) process.stderr.write(`[gpu worker] ${text}`);
      },
    }),
    createWorkers({ connection: nativeConnection, roles: ['main', 'cpu', 'io'], taskQueues }),
  ]);
  if (gpuStarted.status === 'rejected' || localStarted.status === 'rejected') {
    // The GPU worker is a child process: left running, it would keep this one alive after the error.
    if (gpuStarted.status === 'fulfilled') await gpuStarted.value.kill('SIGTERM');
    if (localStarted.status === 'fulfilled') await releaseUnrunWorkers(localStarted.value);
    await nativeConnection.close();
    throw gpuStarted.status === 'rejected' ? gpuStarted.reason : (localStarted as PromiseRejectedResult).reason;
  }
  const gpuWorker = gpuStarted.value;
  const workers = localStarted.value;
  const running = workers.map((w) => w.run());
  const connection = await Connection.connect(localConnectionOptions(temporal.address));
  const client = new Client({ connection, namespace: config.orchestration.namespace });
  const setupMs = Date.now() - t0;
  let interrupted = false;
  const shutdown = async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled([...running, gpuWorker.kill('SIGTERM')]);
    await connection.close();
    await nativeConnection.close();
  };
  try {
    const run = await startExperiment(client, read, { file: o.config, uiBase: temporal.uiUrl });
    say(`started ${run.workflowId}: ${run.summary}`);
    say(`watch it in the Web UI: ${run.ui}`);
    const onSigint = () => {
      interrupted = true;
      say(`interrupted: the run ${run.workflowId} stays open on the server; its workers stop now.`);
      say(`continue it from its last completed step with: ${CLI_COMMAND} worker --queue all`);
      say('(or, as the demo runs them: one process with --queue main,cpu,io and one with --queue gpu)');
      say(`(or stop it: ${CLI_COMMAND} stop ${run.workflowId})`);
      void shutdown().then(() => process.exit(130));
    };
    process.once('SIGINT', onSigint);
    let lastStep = -1;
    let lastStage = '';
    const stageStarted = new Map<string, number>();
    const poll = setInterval(async () => {
      try {
        const p = await run.handle.query<ExperimentProgress>('progress');
        if (p.stage && p.stage.name !== lastStage) {
          lastStage = p.stage.name;
          stageStarted.set(p.stage.name, Date.now());
        }
        if (p.step !== lastStep && p.step > 0) {
          lastStep = p.step;
          say(progressLine(p));
        }
      } catch {
        // the query fails while the workflow moves between workers or has just closed: next poll
      }
    }, o.pollMs);
    let result: ExperimentResult;
    try {
      result = (await run.handle.result()) as ExperimentResult;
    } finally {
      clearInterval(poll);
      process.off('SIGINT', onSigint);
    }
    const runMs = Date.now() - t0 - setupMs;
    const data = await loadRun(storage, run.workflowId);
    const tasks = taskOrder([data]);
    const matrix = bwtMatrix(data.header, data.evaluations, tasks);
    const summary = runSummary(data, matrix);
    const table: DemoTable = {
      tasks,
      rows: matrix.rows.map((r) => ({ label: r.label, step: r.step, scores: r.scores })),
      passAtK: passAtKRows(data.evaluations, matrix),
      bwt: summary.bwt,
      averageRelative: summary.averageRelative,
      phaseMs: {
        setup: setupMs,
        ...Object.fromEntries(PHASES.map((p) => [p, summary.phaseMs[p]])),
        run: runMs,
        total: Date.now() - t0,
      },
    };
    process.stderr.write(`\n${renderTable(table)}\n\n`);
    const report = `${CLI_COMMAND} report ${run.workflowId} --storage ${storage}`;
    say(`checkpoints: ${result.base}/ (final ${result.finalCheckpoint ?? 'none'})`);
    say(`HTML report: ${report}`);
    say(`Web UI: ${run.ui}  (the dev server and S3 server keep running; 'omni-zero server stop' stops both)`);
    console.log(
      JSON.stringify({
        workflowId: run.workflowId,
        ui: run.ui,
        status: result.status,
        summary: result.summary,
        steps: result.steps,
        storage,
        runBase: result.base,
        finalCheckpoint: result.finalCheckpoint,
        report,
        table,
      })
    );
  } finally {
    if (!interrupted) await shutdown();
  }
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the embedded demo experiment on the local Temporal dev server and S3 server (started if needed)')
    .option('--config <file>', 'experiment config', path.join(ROOT, 'examples', 'demo.yaml'))
    .option('--steps-per-stage <n>', 'override schedule.stepsPerStage (window steps scale with it)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`--steps-per-stage: expected a whole number > 0, got '${v}'`);
      return n;
    })
    .option(
      '--set <path=value>',
      'override a config field, e.g. schedule.order=reverse (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[]
    )
    .option('--poll-ms <n>', 'progress poll interval', Number, 1000)
    .action(async (o: DemoOptions) => {
      await runDemo(o);
    });
}
