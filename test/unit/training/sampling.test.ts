/**
 * sampleRows, the one sampling path of rollout, evaluation and the difficulty reference: a shard samples exactly what
 * the whole batch samples for its rows, the progress callback sees every token step, the prefilled think tag is put
 * back in front of the text, and seeding by row id makes a row's draws independent of its position.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { initBackend } from '../../../engine/backend.ts';
import { Policy, type PolicyTemplate } from '../../../engine/policy.ts';
import type { DatasetRow } from '../../../schemas/records/dataset-row.ts';
import { type SampleRowsOptions, sampleRows } from '../../../training/sampling.ts';

const template: PolicyTemplate = { systemPrompt: '', thinkTag: 'think', answerTag: 'answer', prefillThink: false };
const row = (id: string, prompt: string): DatasetRow =>
  ({ id, task: 't', kind: 'math', prompt, reference: '1' }) as DatasetRow;
const rows = [row('a', '1+1='), row('b', 'two plus two, a longer prompt'), row('c', '3'), row('d', '4+4=')];
const base: SampleRowsOptions = {
  template,
  sampling: { temperature: 1 },
  samplesPerPrompt: 2,
  maxNewTokens: 6,
  step: 3,
};

let policy: Policy;
before(async () => {
  await initBackend({ force: process.env.OMNI_ZERO_BACKEND || 'cpu' });
  policy = Policy.create({ preset: 'micro', tokenizer: { type: 'byte', tagTokens: [] }, seed: 5, learningRate: 1e-3 });
});
after(() => policy.dispose());

const key = (r: { promptIndex: number; sampleIndex: number; tokens: number[] }) =>
  `${r.promptIndex}/${r.sampleIndex}:${r.tokens.join(',')}`;

test('a shard of rows samples what the whole batch samples for them, with their batch indices', async () => {
  const whole = await sampleRows(policy, rows, base);
  assert.equal(whole.length, rows.length * 2);
  const shard = await sampleRows(policy, rows, { ...base, range: { from: 1, to: 3 } });
  assert.deepEqual(shard.map(key), whole.filter((r) => r.promptIndex >= 1 && r.promptIndex < 3).map(key));
});

test('the progress callback sees every token step, and the prefilled think tag leads the text', async () => {
  const steps: number[] = [];
  const out = await sampleRows(policy, rows.slice(0, 1), {
    ...base,
    template: { ...template, prefillThink: true },
    onProgress: (tokens) => steps.push(tokens),
  });
  assert.ok(steps.length > 0 && steps.every((n, i) => n === i + 1), `steps ${steps}`);
  assert.equal(Math.max(...out.map((r) => r.tokens.length)), steps.length);
  for (const r of out) assert.ok(r.text.startsWith('<think>'), r.text);
});

test('seeded by row id, a row draws the same responses wherever it stands in the batch', async () => {
  const first = await sampleRows(policy, [rows[2], rows[0]], { ...base, seedByRowId: true });
  const second = await sampleRows(policy, [rows[0], rows[1], rows[2]], { ...base, seedByRowId: true });
  const tokensOf = (out: typeof first, index: number) =>
    out.filter((r) => r.promptIndex === index).map((r) => r.tokens);
  assert.deepEqual(tokensOf(first, 0), tokensOf(second, 2));
  const byIndex = await sampleRows(policy, [rows[2], rows[0]], base);
  assert.notDeepEqual(tokensOf(byIndex, 0), tokensOf(first, 0), 'index seeding draws differently: the key matters');
});
