import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastBoxed } from '../../../data/adapters/boxed.ts';
import { ADAPTERS, type AdapterContext } from '../../../data/adapters/index.ts';
import { loadRows } from '../../../data/load.ts';
import { matchQa } from '../../../rewards/qa/match.ts';
import { datasetRowSchema } from '../../../schemas/records/dataset-row.ts';

const fixture = (name: string) => new URL(`../../fixtures/data/${name}.jsonl`, import.meta.url).pathname;
const ctx = (kind: AdapterContext['kind'], extra: Partial<AdapterContext> = {}): AdapterContext => ({
  task: 't',
  kind,
  seed: 7,
  ...extra,
});
const quarantinedLines = (q: { records: { line: number }[] }) => q.records.map((r) => r.line);
const reasonAt = (q: { records: { line: number; reason: string }[] }, line: number) =>
  q.records.find((r) => r.line === line)?.reason ?? '';

test('every adapter the config lists is registered', () => {
  assert.deepEqual(Object.keys(ADAPTERS).sort(), [
    'code-r1',
    'omni',
    'openr1-math',
    'sharegpt',
    'supergpqa',
    'webinstruct',
  ]);
});

test('webinstruct: 10 good rows (a numeric answer becomes text); blank question, missing answer, broken JSON and an array quarantined', async () => {
  const r = await loadRows(fixture('webinstruct'), 'webinstruct', ctx('stem'));
  assert.equal(r.rows.length, 10);
  assert.equal(r.rows.find((x) => x.id === 'wi-13')?.reference, '3');
  assert.equal(r.lines, 14); // 15 lines, one blank
  assert.deepEqual(quarantinedLines(r.quarantine), [9, 10, 11, 12]);
  assert.match(reasonAt(r.quarantine, 9), /adapter webinstruct: question: must be a non-empty string/);
  assert.match(reasonAt(r.quarantine, 10), /answer: missing/);
  assert.match(reasonAt(r.quarantine, 11), /^json: /);
  assert.match(reasonAt(r.quarantine, 12), /row: must be a JSON object, got an array/);
  const first = r.rows[0];
  assert.deepEqual(first, {
    id: 'wi-1',
    task: 't',
    kind: 'stem',
    prompt: 'A car accelerates from rest at 2 m/s^2 for 5 s. What is its final speed in m/s?',
    reference: '10',
    category: 'Physics',
    meta: { source: 'webinstruct', answerType: 'Integer', difficulty: 'Primary School' },
  });
  assert.equal(r.rows.at(-1)?.id, 'wi-14');
});

test('openr1-math: reference from answer, else the last closed \\boxed{} of the solution; proofs and unclosed boxes quarantined', async () => {
  const r = await loadRows(fixture('openr1-math'), 'openr1-math', ctx('math'));
  const refs = Object.fromEntries(r.rows.map((x) => [x.id, x.reference]));
  assert.deepEqual(refs, {
    'or-1': '7',
    'or-2': '60',
    'or-3': '55',
    'or-4': '2',
    'or-6': '\\frac{5}{6}',
    'or-7': '5',
    'or-10': '56',
    'or-12': '1024',
  });
  assert.deepEqual(quarantinedLines(r.quarantine), [5, 8, 9, 11]);
  assert.match(reasonAt(r.quarantine, 5), /'proof' is not a final answer/);
  assert.match(reasonAt(r.quarantine, 8), /problem: missing/);
  assert.match(reasonAt(r.quarantine, 9), /no \\boxed\{\} answer/);
});

test('lastBoxed balances nested braces and ignores an unclosed box', () => {
  assert.equal(lastBoxed('a \\boxed{\\frac{1}{2}} b \\boxed{3}'), '3');
  assert.equal(lastBoxed('\\boxed{\\frac{1}{2}}'), '\\frac{1}{2}');
  assert.equal(lastBoxed('\\boxed{2} then \\boxed{3'), '2');
  assert.equal(lastBoxed('no box'), null);
});

test('code-r1: tests parsed from the JSON ground truth; bad or missing tests and prompts quarantined', async () => {
  const r = await loadRows(fixture('code-r1'), 'code-r1', ctx('code'));
  assert.deepEqual(
    r.rows.map((x) => x.id),
    ['0', '1', '2', '3', '4', '5', '6', '11']
  );
  assert.deepEqual(r.rows[0].tests, { functional: 'assert add(1, 2) == 3\nassert add(-1, 1) == 0' });
  assert.deepEqual(r.rows[1].tests, { inputs: ['3\n', '5\n'], outputs: ['9\n', '25\n'] });
  assert.equal(r.rows[0].prompt, 'Write a function add(a, b) that returns the sum.');
  assert.equal(r.rows[4].prompt, 'Write rev(s) returning s reversed.');
  assert.deepEqual(quarantinedLines(r.quarantine), [8, 9, 10, 11, 13]);
  assert.match(reasonAt(r.quarantine, 10), /prompt: has no user message/);
  assert.match(reasonAt(r.quarantine, 11), /ground_truth: missing/);
  for (const line of [8, 9, 13])
    assert.match(reasonAt(r.quarantine, line), /adapter code-r1: reward_model\.ground_truth: /);
});

test('supergpqa: options as plain text in the prompt (no letters), answer text as reference, discipline as category', async () => {
  const r = await loadRows(fixture('supergpqa'), 'supergpqa', ctx('qa'));
  assert.equal(r.rows.length, 9);
  assert.deepEqual(quarantinedLines(r.quarantine), [8, 9, 10, 11]);
  assert.match(reasonAt(r.quarantine, 8), /answer: 'D' is not one of the options/);
  assert.match(reasonAt(r.quarantine, 9), /at least two/);
  assert.match(reasonAt(r.quarantine, 10), /separator/);
  const mars = r.rows.find((x) => x.id === 'sg-1');
  assert.ok(mars);
  assert.equal(mars.reference, 'Mars');
  assert.equal(mars.category, 'Science');
  assert.equal(mars.meta?.field, 'Astronomy');
  for (const opt of ['Venus', 'Mars', 'Jupiter', 'Saturn']) assert.ok(mars.prompt.includes(opt));
  assert.doesNotMatch(mars.prompt, /\b[A-D]\)|\(B\)/);
  assert.ok(matchQa('<answer>mars</answer>', mars.reference ?? ''));
  // Same seed, same option order; another seed may reorder.
  const again = await loadRows(fixture('supergpqa'), 'supergpqa', ctx('qa'));
  assert.equal(again.rows[0].prompt, r.rows[0].prompt);
});

test('sharegpt per-turn: one row per assistant turn with the earlier messages as context', async () => {
  const r = await loadRows(fixture('sharegpt'), 'sharegpt', ctx('writing'));
  assert.deepEqual(
    r.rows.map((x) => x.id),
    ['c1', 'c2', 'c3#0', 'c3#1', 'c4', 'c5', 'c6#1', 'c10', 'c12']
  );
  const c3 = r.rows.find((x) => x.id === 'c3#1');
  assert.equal(c3?.prompt, 'Write a short story opening about a lighthouse keeper.');
  assert.deepEqual(c3?.context, [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!' },
  ]);
  assert.match(c3?.reference ?? '', /^Every night/);
  assert.deepEqual(r.rows.find((x) => x.id === 'c2')?.context, [{ role: 'system', content: 'You are a poet.' }]);
  assert.deepEqual(r.adapterDropped, { 'assistant turn without a user turn before it': 1 });
  assert.deepEqual(quarantinedLines(r.quarantine), [7, 8, 9, 11, 13]);
  assert.match(reasonAt(r.quarantine, 9), /unknown speaker "robot"/);
  assert.match(reasonAt(r.quarantine, 13), /id: 'c1' already used/);
});

test('sharegpt OT rules: conversations over two turns and short replies dropped and counted, not quarantined', async () => {
  const r = await loadRows(
    fixture('sharegpt'),
    'sharegpt',
    ctx('writing', { sharegpt: { split: 'per-turn', maxTurns: 2, minResponseChars: 10 } })
  );
  assert.deepEqual(
    r.rows.map((x) => x.id),
    ['c1', 'c2', 'c4', 'c10', 'c12']
  );
  assert.deepEqual(r.adapterDropped, {
    'conversation over 2 turns': 2,
    'reply under 10 chars (overly simple turn)': 1,
  });
});

test('sharegpt last-turn split keeps only the final assistant turn', async () => {
  const r = await loadRows(
    fixture('sharegpt'),
    'sharegpt',
    ctx('writing', { sharegpt: { split: 'last-turn', minResponseChars: 0 } })
  );
  assert.deepEqual(
    r.rows.map((x) => x.id),
    ['c1', 'c2', 'c3#1', 'c4', 'c5', 'c6#1', 'c10', 'c12']
  );
  assert.equal(r.adapterDropped['earlier turn (last-turn split)'], 2);
});

test('omni: rows in our schema; a wrong kind or task, extra keys, a missing id, a numeric or missing reference quarantined', async () => {
  const r = await loadRows(fixture('omni'), 'omni', ctx('math', { task: 'arith' }));
  assert.deepEqual(
    r.rows.map((x) => x.id),
    ['m1', 'm2', 'm3', 'm10', 'm11', 'm12']
  );
  for (const row of r.rows) {
    assert.equal(row.task, 'arith');
    assert.ok(datasetRowSchema.safeParse(row).success);
  }
  assert.deepEqual(quarantinedLines(r.quarantine), [4, 5, 6, 7, 8, 9, 13]);
  assert.match(reasonAt(r.quarantine, 4), /^schema: prompt: /);
  assert.match(reasonAt(r.quarantine, 5), /kind: is 'code' but task 'arith' is of kind 'math'/);
  assert.match(reasonAt(r.quarantine, 7), /^schema: .*extra/i);
  assert.match(reasonAt(r.quarantine, 8), /^schema: id: /);
  assert.equal(
    reasonAt(r.quarantine, 13),
    'verifier: a math row needs a reference (or accepted answers) to verify against'
  );
  const s = r.quarantine.summary();
  assert.equal(s.count, 7);
  // Reasons group by stage and field: six kinds here, one row each, ties in name order, the top five listed.
  assert.deepEqual(s.topReasons[0], { reason: 'adapter omni: kind', count: 1 });
  assert.equal(s.topReasons.length, 5);
});

test('rows no verifier could score are quarantined at load: code without valid tests, bad writing constraints', async () => {
  const { Readable } = await import('node:stream');
  const lines = [
    { id: 'ok', prompt: 'f: 1->2', tests: { functional: 'assert f(1)==2' } },
    { id: 'no-tests', prompt: 'f: 1->3' },
    { id: 'bad-tests', prompt: 'f: 1->4', tests: { inputs: ['1'], outputs: [] } },
  ];
  const code = await loadRows(Readable.from(lines.map((l) => `${JSON.stringify(l)}\n`)), 'omni', ctx('code'));
  assert.deepEqual(
    code.rows.map((r) => r.id),
    ['ok']
  );
  assert.equal(reasonAt(code.quarantine, 2), 'verifier: a code row needs tests');
  assert.match(reasonAt(code.quarantine, 3), /^verifier: tests/);
  const writing = [
    { id: 'w1', prompt: 'Write 2 words.', constraints: [{ type: 'word-count', min: 2, max: 2 }] },
    { id: 'w2', prompt: 'Write.', constraints: [{ type: 'rhymes' }] },
  ];
  const w = await loadRows(Readable.from(writing.map((l) => `${JSON.stringify(l)}\n`)), 'omni', ctx('writing'));
  assert.deepEqual(
    w.rows.map((r) => r.id),
    ['w1']
  );
  assert.match(reasonAt(w.quarantine, 2), /^verifier: constraints\[0\]\.type: unknown constraint type "rhymes"/);
});
