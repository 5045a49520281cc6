/**
 * How a run's progress reads in a terminal (`run --wait`, `status`, `watch`): a live bar on a TTY, plain one-line
 * updates otherwise (no ANSI when the stream is not a TTY or NO_COLOR is set, so logs and CI stay clean).
 */
import cliProgress from 'cli-progress';
import { formatDuration } from '../schemas/format-duration.ts';
import type { ExperimentProgress } from '../workflows/progress.ts';

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3).replace(/\.?0+$/, ''));

/** Per-domain rewards of the last step (`code 0.41 math 0.22`), from the progress's `reward/<task>` metrics. */
export function rewardsText(p: ExperimentProgress): string {
  const m = p.lastMetrics ?? {};
  const perTask = Object.keys(m)
    .filter((k) => k.startsWith('reward/'))
    .sort()
    .map((k) => `${k.slice('reward/'.length)} ${num(m[k])}`);
  if (perTask.length) return perTask.join(' ');
  return m.reward !== undefined ? `all ${num(m.reward)}` : '-';
}

/** The run's failed experiment-tracker calls, when any failed: the steps went on, the user should still know. */
function trackerText(p: ExperimentProgress): string {
  const n = p.lastMetrics?.trackingFailures;
  return n ? `tracker failures ${n}` : '';
}

export function stageText(p: ExperimentProgress): string {
  return p.stage ? `stage ${p.stage.index + 1}/${p.stage.count} ${p.stage.name}` : 'stage -';
}

/** The plain one-line form of a progress snapshot. */
export function progressLine(run: string, p: ExperimentProgress): string {
  const pct = p.totalSteps > 0 ? Math.floor((100 * p.step) / p.totalSteps) : 0;
  return [
    run,
    p.status,
    stageText(p),
    `step ${p.step}/${p.totalSteps} (${pct}%)`,
    `window ${p.window ?? '-'}`,
    `reward ${rewardsText(p)}`,
    ...(p.lastMetrics?.loss !== undefined ? [`loss ${num(p.lastMetrics.loss)}`] : []),
    ...(trackerText(p) ? [trackerText(p)] : []),
    `eta ${formatDuration(p.etaMs)}`,
  ].join('  ');
}

/** Whether to draw the live bar on `stream`. */
export function useLiveBar(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

export interface ProgressView {
  /** Shows a snapshot: redraws the bar, or prints a line when something a person reads has changed. */
  update(p: ExperimentProgress): void;
  /** Prints a note on its own line (e.g. a failed query), without breaking the bar. */
  note(text: string): void;
  stop(): void;
}

/** A view of one run on `stream`: a cli-progress bar on a TTY, else one plain line per change. */
export function progressView(run: string, stream: NodeJS.WriteStream, live = useLiveBar(stream)): ProgressView {
  if (!live) {
    let last = '';
    return {
      update(p) {
        // ETA changes every poll; only a change of what the run did makes a new line.
        const key = JSON.stringify([p.status, p.stage, p.step, p.totalSteps, p.window, p.lastMetrics]);
        if (key === last) return;
        last = key;
        stream.write(`${progressLine(run, p)}\n`);
      },
      note: (text) => stream.write(`${text}\n`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${run} {status} | {stage} |{bar}| {value}/{total} steps | window {window} | reward {rewards} | eta {etaText}{trackers}{note}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic
  );
  let started = false;
  let noteText = '';
  let last: ExperimentProgress | null = null;
  const payload = (p: ExperimentProgress) => ({
    note: noteText ? ` | ${noteText}` : '',
    status: p.status,
    stage: stageText(p),
    window: p.window ?? '-',
    rewards: rewardsText(p),
    etaText: formatDuration(p.etaMs),
    trackers: trackerText(p) ? ` | ${trackerText(p)}` : '',
  });
  return {
    update(p) {
      last = p;
      noteText = '';
      if (!started) {
        bar.start(Math.max(1, p.totalSteps), p.step, payload(p));
        started = true;
      } else {
        bar.setTotal(Math.max(1, p.totalSteps));
        bar.update(p.step, payload(p));
      }
    },
    note(text) {
      // Inside the bar's line until the next update: cli-progress restores the cursor it saved at start, so a line
      // printed below the bar would be overwritten.
      noteText = text;
      if (started && last) bar.update(last.step, payload(last));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
