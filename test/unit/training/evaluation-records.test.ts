import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evalRecordSchema } from '../../../schemas/records/eval-record.ts';
import { type EvalTaskPart, evalRecordOf, mergeEvalParts, promptHits } from '../../../training/evaluation.ts';

test('promptHits counts scored samples and full marks per prompt, in the order prompts appear', () => {
  // prompt 3: 1, 0.5, null, 1 → 3 scored, 2 full; prompt 4: 0, 0, 0, 1 → 4 scored, 1 full
  const hits = promptHits([3, 3, 3, 3, 4, 4, 4, 4], [1, 0.5, null, 1, 0, 0, 0, 1]);
  assert.deepEqual(hits, [
    { scored: 3, full: 2 },
    { scored: 4, full: 1 },
  ]);
});

const part = (prompts: EvalTaskPart['prompts'], values: number[]): EvalTaskPart => ({
  values,
  thinkTokens: values.map(() => 1),
  answerTokens: values.map(() => 1),
  prompts,
  samplesPerPrompt: 2,
});

test('the record holds pass@k beside avg@k, the same from two shards as from one part', () => {
  // Two prompts, k = 2: [1, 0] and [0, 0] → avg@2 = 0.25, pass@2 = (1 + 0) / 2 = 0.5
  const whole = part(
    [
      { scored: 2, full: 1 },
      { scored: 2, full: 0 },
    ],
    [1, 0, 0, 0]
  );
  const at = { step: 0, stage: 'base', reason: 'base' as const };
  const one = evalRecordOf(at, { math: whole }, 5);
  assert.equal(one.scores.math, 0.25);
  assert.deepEqual(one.passAtK, { math: { k: 2, score: 0.5 } });
  assert.ok(evalRecordSchema.safeParse(one).success);
  const merged = mergeEvalParts([
    { math: part([{ scored: 2, full: 1 }], [1, 0]) },
    { math: part([{ scored: 2, full: 0 }], [0, 0]) },
  ]);
  assert.deepEqual(evalRecordOf(at, merged, 5), one);
});

test('a shard written before pass@k existed leaves the task pass@k unknown, not wrong', () => {
  const { prompts: _, samplesPerPrompt: __, ...older } = part(undefined, [1, 1]);
  const merged = mergeEvalParts([{ math: part([{ scored: 2, full: 0 }], [0, 0]) }, { math: older }]);
  const record = evalRecordOf({ step: 4, stage: 'math', reason: 'stage-end' }, merged, 1);
  assert.equal(record.scores.math, 0.5);
  assert.deepEqual(record.passAtK, { math: null });
  assert.ok(evalRecordSchema.safeParse(record).success);
});
