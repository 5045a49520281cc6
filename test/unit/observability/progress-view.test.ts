import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { progressLine, progressView, useLiveBar } from '../../../cli/progress-view.ts';
import type { ExperimentProgress } from '../../../workflows/progress.ts';

const base: ExperimentProgress = {
  runId: 'r1',
  experiment: 'demo',
  status: 'training',
  stage: { index: 1, name: 'math', count: 4 },
  step: 37,
  totalSteps: 120,
  window: 1024,
  summary: null,
  lastMetrics: { reward: 0.3, loss: 0.0123, 'reward/math': 0.22, 'reward/code': 0.41 },
  etaMs: 250_000,
};

test('progressLine: stage i/n and name, step/total with percent, window, per-domain rewards sorted, loss, ETA', () => {
  // 37/120 = 30.8% → 30%
  assert.equal(
    progressLine('r1', base),
    'r1  training  stage 2/4 math  step 37/120 (30%)  window 1024  reward code 0.41 math 0.22  loss 0.0123  eta 4m10s'
  );
  assert.equal(
    progressLine('r1', { ...base, stage: null, lastMetrics: null, etaMs: null, window: null }),
    'r1  training  stage -  step 37/120 (30%)  window -  reward -  eta ?'
  );
});

test('progressLine: failed tracker calls show when there are any, and nothing when there are none', () => {
  const failing = { ...base, lastMetrics: { ...base.lastMetrics, trackingFailures: 3 } };
  assert.match(progressLine('r1', failing), /loss 0\.0123 {2}tracker failures 3 {2}eta 4m10s$/);
  assert.ok(!progressLine('r1', base).includes('tracker'));
});

test('plain view: one line per change, none when only the ETA moved, no ANSI', () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const view = progressView('r1', out as unknown as NodeJS.WriteStream, false);
  view.update(base);
  view.update({ ...base, etaMs: 240_000 });
  view.update({ ...base, step: 38 });
  view.stop();
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[1], /step 38\/120/);
  assert.ok(!text.includes('\u001b['), 'no ANSI');
});

test('live bar only on a TTY and without NO_COLOR', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  assert.equal(useLiveBar(tty, {}), true);
  assert.equal(useLiveBar(tty, { NO_COLOR: '1' }), false);
  assert.equal(useLiveBar({ isTTY: false } as NodeJS.WriteStream, {}), false);
});

test('live view on a TTY draws the bar with stage, steps and rewards', () => {
  const out = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  out.isTTY = true;
  out.columns = 200;
  Object.assign(out, { cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let text = '';
  (out as unknown as PassThrough).on('data', (b: Buffer) => (text += b.toString()));
  const view = progressView('r1', out);
  view.update(base);
  view.stop();
  // 37/120 of a 24-cell bar = 7.4 → 7 full cells
  assert.match(
    text,
    /r1 training \| stage 2\/4 math \|█{7}░{17}\| 37\/120 steps \| window 1024 \| reward code 0.41 math 0.22 \| eta 4m10s/
  );
});
