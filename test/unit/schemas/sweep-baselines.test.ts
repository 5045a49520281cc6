/** RFT and continued-pretraining variants of a sweep (issue 17's baselines): defaults, links, order and refusals. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { readSweepFile } from '../../../cli/sweep-file.ts';
import { ROOT } from '../../../infra/paths.mjs';
import { FINE_TUNE_STEPS_PER_CHUNK, parseSweep } from '../../../schemas/sweep.ts';
import { fourTasks } from './minimal.ts';

function sweep(variants: unknown[], extra: Record<string, unknown> = {}) {
  return parseSweep({ name: 'b', experiment: fourTasks(), seeds: [1, 2], variants, ...extra });
}

function issues(parsed: ReturnType<typeof parseSweep>) {
  assert.ok(!parsed.ok, 'expected the sweep to be refused');
  return parsed.issues.map((i) => `${i.path}: ${i.message}`);
}

test('an rft variant gets the paper’s k = 128 and full marks by default, its own values when given', () => {
  const parsed = sweep([{ name: 'rft-8', rft: { k: 8, judgedThreshold: 0.5 } }]);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.deepEqual(parsed.runs[0].rft, { k: 8, judgedThreshold: 0.5, stepsPerChunk: FINE_TUNE_STEPS_PER_CHUNK });
  const defaults = sweep([{ name: 'rft', rft: {} }]);
  assert.ok(defaults.ok);
  assert.deepEqual(defaults.runs[0].rft, { k: 128, judgedThreshold: 1, stepsPerChunk: FINE_TUNE_STEPS_PER_CHUNK });
  assert.equal(defaults.runs[0].merge, undefined);
});

test('a pretrain variant links each seed to the compared run of that seed and starts after it', () => {
  const parsed = sweep([{ name: 'cpt', pretrain: { sameWallTimeAs: 'grpo' } }, { name: 'grpo' }]);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const names = parsed.runs.map((r) => `${r.variant}/${r.seed}`);
  assert.deepEqual(names, ['cpt/1', 'cpt/2', 'grpo/1', 'grpo/2']);
  assert.equal(names[parsed.runs[1].pretrain!.source], 'grpo/2');
  assert.equal(parsed.runs[1].pretrain!.batchSize, 32);
  assert.deepEqual(
    parsed.startOrder.map((i) => names[i]),
    ['grpo/1', 'grpo/2', 'cpt/1', 'cpt/2']
  );
});

test('pretrain.sameWallTimeAs must name a trained variant of the sweep', () => {
  assert.deepEqual(issues(sweep([{ name: 'grpo' }, { name: 'cpt', pretrain: { sameWallTimeAs: 'gpro' } }])), [
    "variants[1] (cpt) pretrain.sameWallTimeAs: no variant 'gpro' in this sweep (variants: grpo, cpt)",
  ]);
  assert.deepEqual(
    issues(
      sweep([
        { name: 'rft', rft: { k: 4 } },
        { name: 'cpt', pretrain: { sameWallTimeAs: 'rft' } },
      ])
    ),
    ["variants[1] (cpt) pretrain.sameWallTimeAs: 'rft' is a baseline, not an RL run: name a trained variant"]
  );
  assert.deepEqual(issues(sweep([{ name: 'cpt', pretrain: { sameWallTimeAs: 'cpt' } }])), [
    "variants[0] (cpt) pretrain.sameWallTimeAs: 'cpt' is a baseline, not an RL run: name a trained variant",
  ]);
});

test('a pretrain variant needs a compared run of each of its seeds', () => {
  const parsed = parseSweep({
    name: 'b',
    experiment: fourTasks(),
    variants: [
      { name: 'grpo', overrides: { seed: 4 } },
      { name: 'cpt', pretrain: { sameWallTimeAs: 'grpo' } },
    ],
  });
  assert.deepEqual(issues(parsed), [
    "variants[1] (cpt, seed 0) pretrain.sameWallTimeAs: 'grpo' has no run with seed 0: give the sweep `seeds`",
  ]);
});

test('a variant is one baseline at most; bad rft values say what to fix', () => {
  const both = issues(sweep([{ name: 'grpo' }, { name: 'x', rft: { k: 4 }, pretrain: { sameWallTimeAs: 'grpo' } }]));
  assert.ok(
    both.some((m) => /give only one of merge, rft, pretrain/.test(m)),
    both.join('\n')
  );
  const bad = issues(sweep([{ name: 'rft', rft: { k: 0, judgedThreshold: 2, temperature: 1 } }]));
  assert.equal(bad.length, 3, bad.join('\n'));
  assert.ok(
    bad.some((m) => m.startsWith('variants[0].rft.k')),
    bad.join('\n')
  );
  assert.ok(
    bad.some((m) => m.startsWith('variants[0].rft.judgedThreshold')),
    bad.join('\n')
  );
  assert.ok(
    bad.some((m) => /temperature/.test(m)),
    bad.join('\n')
  );
});

test('the shipped baselines sweep: RFT at k = 8 and continued pretraining for each seed’s GRPO wall time', async () => {
  const file = await readSweepFile(path.join(ROOT, 'examples/sweeps/baselines.yaml'));
  assert.ok(file.ok, file.ok ? '' : file.problems.join('\n'));
  const { runs } = file.parsed;
  const name = (i: number) => `${runs[i].variant}/${runs[i].seed}`;
  assert.deepEqual(
    runs.filter((r) => r.rft).map((r) => [r.seed, r.rft?.k]),
    [
      [7, 8],
      [11, 8],
    ]
  );
  assert.deepEqual(
    runs.flatMap((r, i) => (r.pretrain ? [[name(i), name(r.pretrain.source)]] : [])),
    [
      ['pretrain/7', 'grpo/7'],
      ['pretrain/11', 'grpo/11'],
    ]
  );
  const merge = await readSweepFile(path.join(ROOT, 'examples/sweeps/merge-vs-curriculum.yaml'));
  assert.ok(merge.ok);
  assert.deepEqual(
    merge.parsed.runs.filter((r) => r.rft).map((r) => r.rft?.k),
    [8, 8]
  );
});
