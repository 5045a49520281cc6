import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { groupKey } from '../../../rl/advantages.ts';
import { type DrawnSample, drawAgain, filterGroups, trainedGroups } from '../../../rl/dynamic-sampling.ts';

const group = (task: string, name: string, rewards: (number | null)[]): DrawnSample[] =>
  rewards.map((reward) => ({ task, group: name, reward }));

test('keeps exactly the groups whose defined rewards differ, in draw order', () => {
  const samples = [
    ...group('math', '0/0', [1, 1, 1, 1]), // all correct: dropped
    ...group('math', '0/1', [1, -1, 1, 1]), // mixed: kept
    ...group('math', '0/2', [-1, -1, -1, -1]), // all wrong: dropped
    ...group('code', '0/3', [0.5, 0.25, 0.5, 0.5]), // mixed: kept
    ...group('code', '0/4', [1, null, 1, null]), // defined rewards all 1: dropped
    ...group('code', '0/5', [null, 0, null, 1]), // defined rewards 0 and 1: kept
    ...group('code', '0/6', [null, null, null, null]), // nothing defined: dropped
  ];
  assert.deepEqual(filterGroups(samples), {
    drawn: 7,
    kept: [groupKey('math', '0/1'), groupKey('code', '0/3'), groupKey('code', '0/5')],
  });
});

test('a group of one response is never kept; the same prompt id under two tasks is two groups', () => {
  const samples = [...group('math', 'p', [1]), ...group('math', 'q', [1, 0]), ...group('code', 'q', [1, 1])];
  assert.deepEqual(filterGroups(samples), { drawn: 3, kept: [groupKey('math', 'q')] });
});

test('the step trains on the first `want` kept groups, fewer when the draws ran out', () => {
  assert.deepEqual(trainedGroups(['a', 'b', 'c', 'd', 'e'], 4), ['a', 'b', 'c', 'd']);
  assert.deepEqual(trainedGroups(['a', 'b'], 4), ['a', 'b']);
});

test('draws again while short of groups and under the bound', () => {
  // 4 groups wanted: 1 kept after 1 draw of at most 3 → again; after 3 draws → stop, train on what was kept.
  assert.equal(drawAgain({ kept: 1, want: 4, draws: 1, maxBatches: 3 }), true);
  assert.equal(drawAgain({ kept: 3, want: 4, draws: 2, maxBatches: 3 }), true);
  assert.equal(drawAgain({ kept: 3, want: 4, draws: 3, maxBatches: 3 }), false);
  assert.equal(drawAgain({ kept: 4, want: 4, draws: 1, maxBatches: 3 }), false);
  assert.equal(drawAgain({ kept: 6, want: 4, draws: 2, maxBatches: 3 }), false);
  assert.equal(drawAgain({ kept: 0, want: 4, draws: 1, maxBatches: 1 }), false);
});

test('property: kept groups are a subset of drawn ones, each with two different defined rewards', () => {
  const sample = fc.record({
    task: fc.constantFrom('math', 'code'),
    group: fc.constantFrom('0', '1', '2', '3'),
    reward: fc.option(fc.constantFrom(-1, 0, 0.5, 1), { nil: null }),
  });
  fc.assert(
    fc.property(fc.array(sample, { maxLength: 40 }), (samples) => {
      const { drawn, kept } = filterGroups(samples);
      assert.equal(drawn, new Set(samples.map((s) => groupKey(s.task, s.group))).size);
      for (const s of samples) {
        const key = groupKey(s.task, s.group);
        const defined = samples
          .filter((x) => groupKey(x.task, x.group) === key && x.reward !== null)
          .map((x) => x.reward);
        assert.equal(kept.includes(key), new Set(defined).size >= 2);
      }
    })
  );
});
