/** The Temporal schedule built for an experiment config, checked without a server (the server side is in integration). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_CATCHUP_WINDOW,
  experimentScheduleOptions,
  OVERLAP_NAMES,
  parseOverlap,
  ScheduleOptionsError,
  scheduledSweep,
  scheduleOptions,
} from '../../../cli/schedules.ts';
import { configHash } from '../../../schemas/config-hash.ts';
import { parseExperimentConfig } from '../../../schemas/parse.ts';
import { parseSweep } from '../../../schemas/sweep.ts';

function read(raw: Record<string, unknown>) {
  const parsed = parseExperimentConfig(raw);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
  return { ok: true as const, config: parsed.config, raw, hash: configHash(parsed.config) };
}

const raw = {
  name: 'nightly',
  model: { preset: 'micro' },
  window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 16 }] },
  tasks: { math: { kind: 'math', source: { type: 'synthetic' } } },
  schedule: { kind: 'curriculum', stepsPerStage: 3 },
  orchestration: { taskQueues: { workflow: 'lab-queue' } },
};

test('the action starts `experiment` on the config’s workflow queue with {config} and no runId', () => {
  const o = experimentScheduleOptions(read(raw), { file: 'n.yaml', every: '1d' });
  assert.equal(o.scheduleId, 'nightly-schedule');
  assert.equal(o.action.workflowType, 'experiment');
  assert.equal(o.action.taskQueue, 'lab-queue');
  // Temporal appends the action time to this id, so each run's id (= its run id) differs.
  assert.equal(o.action.workflowId, 'nightly-schedule');
  assert.deepEqual(o.action.args, [{ config: raw }]);
  assert.equal((o.action.args?.[0] as { runId?: string } | undefined)?.runId, undefined);
  assert.deepEqual(
    o.action.typedSearchAttributes && Array.isArray(o.action.typedSearchAttributes)
      ? o.action.typedSearchAttributes.map((p) => [p.key.name, p.value])
      : null,
    [
      ['OmniExperiment', 'nightly'],
      ['OmniStatus', 'validating'],
    ]
  );
  assert.deepEqual(o.spec, { intervals: [{ every: '1d' }] });
  assert.match(String(o.action.staticSummary), /^nightly: curriculum, 1 stage \(math 3\), 3 steps$/);
});

test('policies: SKIP and a one-day catch-up window unless told otherwise, always explicit', () => {
  const d = experimentScheduleOptions(read(raw), { file: 'n.yaml', cron: '0 3 * * *' });
  assert.deepEqual(d.policies, { overlap: 'SKIP', catchupWindow: DEFAULT_CATCHUP_WINDOW, pauseOnFailure: false });
  assert.equal(DEFAULT_CATCHUP_WINDOW, '1d');
  assert.deepEqual(d.spec, { cronExpressions: ['0 3 * * *'] });
  assert.deepEqual(d.state, { paused: false });
  const o = experimentScheduleOptions(read(raw), {
    file: 'n.yaml',
    cron: '@daily',
    overlap: parseOverlap('buffer-one'),
    catchupWindow: '2h',
    pauseOnFailure: true,
    paused: true,
    note: 'waiting for data',
    scheduleId: 'lab',
  });
  assert.deepEqual(o.policies, { overlap: 'BUFFER_ONE', catchupWindow: '2h', pauseOnFailure: true });
  assert.deepEqual(o.state, { paused: true, note: 'waiting for data' });
  assert.equal(o.action.workflowId, 'lab');
});

test('exactly one of cron and every; intervals of at least a second; windows of at least ten seconds', () => {
  const bad = (opts: Parameters<typeof experimentScheduleOptions>[1], re: RegExp) =>
    assert.throws(
      () => experimentScheduleOptions(read(raw), opts),
      (e: Error) => e instanceof ScheduleOptionsError && re.test(e.message)
    );
  bad({ file: 'f' }, /exactly one of --cron EXPR and --every DURATION/);
  bad({ file: 'f', cron: '@daily', every: '1d' }, /exactly one of/);
  bad({ file: 'f', every: 'daily' }, /--every 'daily' is not a duration/);
  bad({ file: 'f', every: '500ms' }, /--every must be at least 1s, got '500ms'/);
  bad({ file: 'f', every: '1d', catchupWindow: '5s' }, /--catchup-window must be at least 10s/);
});

test('overlap names: every CLI spelling maps to its policy, case and _/- forgiven; others are refused with the list', () => {
  for (const [name, policy] of Object.entries(OVERLAP_NAMES)) {
    assert.equal(parseOverlap(name), policy);
    assert.equal(parseOverlap(policy), policy); // BUFFER_ONE → buffer-one
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), (s) => {
      const known = Object.keys(OVERLAP_NAMES).includes(s.toLowerCase().replace(/_/g, '-'));
      if (known) return;
      assert.throws(
        () => parseOverlap(s),
        /unknown overlap policy .*: use one of skip, buffer-one, buffer-all, cancel-other, terminate-other, allow-all/
      );
    })
  );
});

test('a sweep file schedules the `sweep` workflow with its document; each scheduled sweep prefixes its own runs', () => {
  const sweepRaw = { name: 'ablate', experiment: raw, variants: [{ name: 'a' }, { name: 'b' }], seeds: [1, 2] };
  const parsed = parseSweep(sweepRaw);
  assert.ok(parsed.ok);
  const o = scheduleOptions(scheduledSweep({ ok: true, raw: sweepRaw, parsed }), { file: 's.yaml', every: '7d' });
  assert.equal(o.scheduleId, 'ablate-schedule');
  assert.equal(o.action.workflowType, 'sweep');
  assert.equal(o.action.taskQueue, 'lab-queue');
  // No sweepId: the workflow takes its own time-suffixed id, so two scheduled sweeps never share child run ids.
  assert.deepEqual(o.action.args, [{ sweep: sweepRaw }]);
  assert.equal(o.action.staticSummary, 'sweep ablate: 2 variant(s), 4 run(s)');
  assert.match(String(o.memo?.configHash), /^[0-9a-f]{64}$/);
  const other = scheduledSweep({ ok: true, raw: { ...sweepRaw, seeds: [3] }, parsed });
  assert.notEqual(other.hash, o.memo?.configHash);
});
