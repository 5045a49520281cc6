import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { dedupKey } from '../../../data/filters/dedup.ts';
import { verifyResponse } from '../../../data/verify.ts';
import { generateWorld, inHeldOutPool, pretrainCorpus, WORLDS, worldByName } from '../../../data/worlds/index.ts';
import { factTable } from '../../../data/worlds/qa.ts';
import type { Problem, TaskWorld } from '../../../data/worlds/types.ts';
import { templated } from '../../../data/worlds/world.ts';
import { hashSeed, mulberry32 } from '../../../rl/random.ts';
import { type DatasetRow, datasetRowSchema } from '../../../schemas/records/dataset-row.ts';

const rowOf = (w: TaskWorld, p: Problem): DatasetRow => ({
  id: 'x',
  task: w.name,
  kind: w.kind,
  prompt: p.prompt,
  ...p.fields,
});
const problems = (w: TaskWorld, seed: number, n: number): Problem[] => {
  const r = mulberry32(hashSeed(seed, 99));
  return Array.from({ length: n }, () => w.problem(r, seed));
};

test('the registry holds the demo worlds (arith is the math task world of examples/demo.yaml); an unknown name says which exist', () => {
  assert.deepEqual(Object.keys(WORLDS).sort(), ['arith', 'code', 'induce', 'math', 'qa', 'writing']);
  assert.throws(() => worldByName('chess'), /unknown world 'chess'; known: arith, code, induce, math, qa, writing/);
});

for (const name of ['arith', 'code', 'induce', 'math', 'qa', 'writing']) {
  test(`${name}: rows pass the schema, prompts ≤ 60 bytes, gold answers ≤ 25 bytes, splits disjoint and seeded`, () => {
    const w = worldByName(name);
    const a = generateWorld(w, { seed: 3, trainSize: 300, heldOutSize: 60 });
    const b = generateWorld(w, { seed: 3, trainSize: 300, heldOutSize: 60 });
    assert.deepEqual(a, b);
    assert.equal(a.train.length, 300);
    assert.equal(a.heldOut.length, 60);
    for (const row of [...a.train, ...a.heldOut]) {
      assert.ok(datasetRowSchema.safeParse(row).success, row.id);
      assert.equal(row.kind, w.kind);
      assert.ok(Buffer.byteLength(row.prompt) <= 60, row.prompt);
      assert.ok(Buffer.byteLength(String(row.meta?.gold)) <= 25, String(row.meta?.gold));
    }
    const trainKeys = new Set(a.train.map((r) => dedupKey(r, 'normalised')));
    assert.equal(trainKeys.size, 300, 'training prompts are distinct');
    for (const h of a.heldOut) {
      assert.ok(!trainKeys.has(dedupKey(h, 'normalised')), h.prompt);
      assert.ok(inHeldOutPool(name, h.prompt));
    }
    assert.ok(a.train.every((r) => !inHeldOutPool(name, r.prompt)));
    const other = generateWorld(w, { seed: 4, trainSize: 300, heldOutSize: 60 });
    assert.notDeepEqual(
      other.train.map((r) => r.prompt),
      a.train.map((r) => r.prompt)
    );
  });

  test(`${name}: the pretraining corpus never contains a held-out prompt and carries bugs only at the noise rate`, () => {
    const w = worldByName(name);
    const clean = pretrainCorpus(w, 5, 600, { noise: 0 });
    assert.equal(clean.length, 600);
    assert.ok(clean.every((p) => !p.bug && !inHeldOutPool(name, p.prompt)));
    const noisy = pretrainCorpus(w, 5, 600, { noise: 1, thinkTag: 'thinking' });
    // The same problems in the same order at any noise level; only the eligible ones change.
    assert.deepEqual(
      noisy.map((p) => p.prompt),
      clean.map((p) => p.prompt)
    );
    assert.ok(noisy.some((p) => p.bug));
    assert.match(noisy[0].response, /^<thinking>.*<\/thinking><answer>.*<\/answer>$/s);
  });
}

test('each registry world exposes generate and pretrainCorpus, the same as the free functions', () => {
  const w = worldByName('writing');
  assert.deepEqual(
    w.generate({ seed: 2, trainSize: 20, heldOutSize: 5 }),
    generateWorld(w, { seed: 2, trainSize: 20, heldOutSize: 5 })
  );
  assert.deepEqual(w.pretrainCorpus(2, 30, { noise: 0.5 }), pretrainCorpus(w, 2, 30, { noise: 0.5 }));
});

test('the train pool is 7/8 and the held-out pool 1/8 of prompts, whatever the seed', () => {
  const w = worldByName('math');
  const ps = problems(w, 1, 4000).map((p) => p.prompt);
  const unique = [...new Set(ps)];
  const held = unique.filter((p) => inHeldOutPool('math', p)).length / unique.length;
  assert.ok(held > 0.09 && held < 0.16, `held-out share ${held}`);
});

test('asking for more prompts than a world holds is a clear error', () => {
  assert.throws(
    () => generateWorld(worldByName('qa'), { seed: 1, trainSize: 1, heldOutSize: 100_000 }),
    /found only \d+ distinct held-out prompts of the 100000 asked for; ask for fewer/
  );
});

test('math: gold answers verify, every systematic error is scored wrong by verifyMath (hand-checked cases too)', async () => {
  const w = worldByName('math');
  for (const p of problems(w, 2, 300)) {
    const row = rowOf(w, p);
    assert.ok((await verifyResponse(row, templated(p.think, p.answer))).correct, `${p.prompt} ${p.answer}`);
    if (p.bug)
      assert.ok(!(await verifyResponse(row, templated(p.think, p.bug.answer))).correct, `${p.prompt} ${p.bug.answer}`);
  }
  // 47+38: ones 7+8 = 15 carries; the dropped carry gives 85 - 10 = 75.
  const r = mulberry32(0);
  const adds = Array.from({ length: 2000 }, () => w.problem(r, 0)).filter((p) => p.prompt === '47+38=');
  if (adds.length > 0) assert.equal(adds[0].bug?.answer, '75');
});

test('math bugs: carry dropped, smaller-from-larger, row slip, added denominators, adding a loss', () => {
  const w = worldByName('math');
  const byFamily = new Map<string, Problem>();
  for (const p of problems(w, 9, 3000)) if (p.bug && !byFamily.has(p.family)) byFamily.set(p.family, p);
  const check = (p: Problem | undefined, f: (nums: number[]) => string) => {
    assert.ok(p);
    const nums = (p.prompt.match(/\d+/g) ?? []).map(Number);
    assert.equal(p.bug?.answer, f(nums), p.prompt);
  };
  check(byFamily.get('add'), ([a, b]) => String(a + b - 10));
  // e.g. 52-17: tens 5-1 = 4, ones |2-7| = 5 → 45 (true 35).
  check(byFamily.get('sub'), ([a, b]) =>
    String((Math.floor(a / 10) - Math.floor(b / 10)) * 10 + Math.abs((a % 10) - (b % 10)))
  );
  check(byFamily.get('mul'), ([a, b]) => String(a * (b - 1)));
  check(byFamily.get('fraction'), ([a, b, c, d]) => `${a + c}/${b + d}`);
  check(byFamily.get('word-loss'), ([a, b]) => String(a + b));
});

test('qa: gold is matched by matchQa, the neighbour distractor is not, and both are among the candidates', async () => {
  const w = worldByName('qa');
  const t = factTable(11);
  assert.equal(new Set([...t.countries, ...Object.values(t.values).flat()]).size, t.countries.length * 4);
  for (const p of problems(w, 11, 200)) {
    const row = rowOf(w, p);
    const candidates = p.prompt.split('Options: ')[1].split('; ');
    assert.equal(candidates.length, 4);
    assert.ok(candidates.includes(p.answer) && p.bug && candidates.includes(p.bug.answer));
    assert.ok((await verifyResponse(row, templated(p.think, p.answer))).correct);
    assert.ok(!(await verifyResponse(row, templated(p.think, p.bug?.answer ?? ''))).correct);
  }
});

test('writing: gold replies satisfy every constraint, the systematic miss fails one', async () => {
  const w = worldByName('writing');
  for (const p of problems(w, 13, 300)) {
    const row = rowOf(w, p);
    assert.ok((await verifyResponse(row, templated(p.think, p.answer))).correct, `${p.prompt} → ${p.answer}`);
    assert.ok(
      !(await verifyResponse(row, templated(p.think, p.bug?.answer ?? ''))).correct,
      `${p.prompt} → ${p.bug?.answer}`
    );
  }
});

for (const name of ['code', 'induce'])
  test(`${name}: gold programs pass and off-by-one programs fail in the real sandbox (a handful)`, async () => {
    await goldPassesBugFails(worldByName(name));
  });

async function goldPassesBugFails(w: TaskWorld): Promise<void> {
  const ps = problems(w, 17, 400);
  const picks = [
    ...ps.filter((p) => p.bug).slice(0, 3),
    ps.find((p) => p.family === 'abs'),
    ps.find((p) => p.family === 'reverse'),
  ].filter((p): p is Problem => p !== undefined);
  assert.equal(picks.length, 5);
  const verdicts = await Promise.all(
    picks.flatMap((p) => [
      verifyResponse(rowOf(w, p), templated(p.think, p.answer)).then((v) => ({ p, gold: true, v })),
      ...(p.bug
        ? [verifyResponse(rowOf(w, p), templated(p.think, p.bug.answer)).then((v) => ({ p, gold: false, v }))]
        : []),
    ])
  );
  for (const { p, gold, v } of verdicts)
    assert.equal(v.correct, gold, `${p.prompt} ${gold ? p.answer : p.bug?.answer}: ${v.reason}`);
}

test('induce: the scratchpad works the constant out of the shown examples (hand-worked cases)', () => {
  const w = worldByName('induce');
  const thinks = new Map(problems(w, 23, 3000).map((p) => [p.prompt, p.think]));
  // Each prompt below is drawn for some seed; its scratchpad is worked here by hand.
  const want: Record<string, string> = {};
  for (const [prompt, think] of thinks) {
    const m = /^f: (-?\d+)->(-?\d+), (-?\d+)->(-?\d+), (-?\d+)->(-?\d+)$/.exec(prompt);
    if (!m) continue;
    const [x0, y0, x1, y1] = m.slice(1, 5).map(Number) as [number, number, number, number];
    const op = (x: number) => (x < 0 ? `(${x})` : String(x));
    if (think.startsWith('add ')) want[prompt] = `add ${op(y0)}-${op(x0)}=${y0 - x0}`;
    if (think.startsWith('sub ')) want[prompt] = `sub ${op(x0)}-${op(y0)}=${x0 - y0}`;
    if (think.startsWith('affine ')) {
      assert.equal(x0, 0, `${prompt}: affine shows 0 first`);
      want[prompt] = `affine ${y0} ${op(y1)}-${y0}=${y1 - y0} ${op(y1 - y0)}/${op(x1)}=${(y1 - y0) / x1}`;
    }
    if (think.startsWith('max ')) want[prompt] = `max ${op(x0)}->${y0}`;
  }
  for (const [prompt, think] of Object.entries(want)) assert.equal(thinks.get(prompt), think, prompt);
  const families = new Set([...thinks.values()].map((t) => t.split(' ')[0]));
  for (const f of ['add', 'sub', 'mul', 'affine', 'max', 'abs', 'square', 'reverse']) assert.ok(families.has(f), f);
  // Two written out in full, from the corpus of seed 1.
  const corpus = pretrainCorpus(w, 1, 30, { noise: 0 });
  const byPrompt = new Map(corpus.map((c) => [c.prompt, c.response]));
  assert.equal(byPrompt.get('f: 10->14, 5->9, 3->7'), '<think>add 14-10=4</think><answer>def f(x):return x+4</answer>');
  assert.equal(
    byPrompt.get('f: 0->3, -3->-9, 8->35'),
    '<think>affine 3 (-9)-3=-12 (-12)/(-3)=4</think><answer>def f(x):return x*4+3</answer>'
  );
  assert.equal(
    byPrompt.get('f: -3->-18, 4->24, 12->72'),
    '<think>mul (-18)/(-3)=6</think><answer>def f(x):return x*6</answer>'
  );
});

test('induce: a systematic error keeps the correct scratchpad and writes the constant one lower', () => {
  const w = worldByName('induce');
  const bugged = problems(w, 29, 400).filter((p) => p.bug);
  assert.ok(bugged.length > 50);
  for (const p of bugged) {
    assert.equal(p.bug?.think, undefined, 'the wrong response shares the scratchpad');
    const [gold, wrong] = [p.answer, p.bug?.answer ?? ''];
    const k = [...gold].findIndex((ch, i) => ch !== wrong[i]);
    const constant = (s: string) => Number(s.slice(k).replace(/\)$/, ''));
    assert.equal(constant(gold) - constant(wrong), 1, `${gold} vs ${wrong}`);
  }
});

test('property: any seed gives schema-valid, disjoint splits', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.constantFrom('arith', 'code', 'induce', 'math', 'qa', 'writing'),
      (seed, name) => {
        const { train, heldOut } = generateWorld(worldByName(name), { seed, trainSize: 40, heldOutSize: 10 });
        const ids = new Set(train.map((r) => r.id));
        const prompts = new Set(train.map((r) => dedupKey(r, 'normalised')));
        return heldOut.every((h) => !ids.has(h.id) && !prompts.has(dedupKey(h, 'normalised')));
      }
    ),
    { numRuns: 40 }
  );
});

test('property: for any seed, math/qa/writing gold answers verify and their systematic errors do not', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.constantFrom('arith', 'math', 'qa', 'writing'),
      async (seed, name) => {
        const w = worldByName(name);
        for (const p of problems(w, seed, 8)) {
          const row = rowOf(w, p);
          if (!(await verifyResponse(row, templated(p.think, p.answer))).correct) return false;
          if (p.bug && (await verifyResponse(row, templated(p.think, p.bug.answer))).correct) return false;
        }
        return true;
      }
    ),
    { numRuns: 60 }
  );
});

test('arith: gold and bug answers verify as expected; hand-checked scratchpads of the carry, the borrow and a story', async () => {
  const w = worldByName('arith');
  const ps = problems(w, 21, 4000);
  for (const p of ps.slice(0, 300)) {
    const row = rowOf(w, p);
    assert.ok((await verifyResponse(row, templated(p.think, p.answer))).correct, `${p.prompt} ${p.answer}`);
    if (p.bug)
      assert.ok(!(await verifyResponse(row, templated(p.think, p.bug.answer))).correct, `${p.prompt} ${p.bug.answer}`);
  }
  const byFamily = new Map<string, Problem>();
  for (const p of ps) if (!byFamily.has(p.family)) byFamily.set(p.family, p);
  assert.deepEqual([...byFamily.keys()].sort(), ['add1', 'add2', 'sub2', 'word-gain', 'word-loss']);
  assert.ok(
    ps.every((p) => p.family !== 'add1' || p.bug === undefined),
    'the easy tier has no systematic error'
  );
  // Draw until the hand-checked prompt comes up (one add2 prompt in ~32,000 draws).
  const r = mulberry32(hashSeed(21, 7));
  const at = (prompt: string) => {
    for (let i = 0; i < 2_000_000; i++) {
      const p = w.problem(r, 21);
      if (p.prompt === prompt) return p;
    }
    assert.fail(`${prompt} never drawn`);
  };
  // 85+47: 5+7 = 12 carries; tens 8+4 = 12, +1 = 13 → 132. Dropping the carry stops at 12 → 122.
  const carry = at('85+47=');
  assert.equal(carry.think, '5+7=12 8+4=12 +1=13');
  assert.equal(carry.answer, '132');
  assert.deepEqual(carry.bug, { answer: '122', think: '5+7=12 8+4=12', name: 'dropped carry' });
  // 52-17: 12-7 = 5 borrows; tens 5-1 = 4, -1 = 3 → 35. Dropping the borrow stops at 4 → 45.
  const borrow = at('52-17=');
  assert.equal(borrow.think, '12-7=5 5-1=4 -1=3');
  assert.equal(borrow.answer, '35');
  assert.deepEqual(borrow.bug, { answer: '45', think: '12-7=5 5-1=4', name: 'dropped borrow' });
  // No carry, no borrow: two columns, no systematic error; a leading zero is not written.
  const plain = at('83+82=');
  assert.deepEqual([plain.think, plain.answer, plain.bug], ['3+2=5 8+8=16', '165', undefined]);
  assert.equal(at('87-54=').think, '7-4=3 8-5=3');
  assert.equal(at('87-54=').bug, undefined);
  assert.equal(at('21-18=').think, '11-8=3 2-1=1 -1=0');
  assert.equal(at('21-18=').answer, '3');
  const loss = byFamily.get('word-loss');
  const [x, y] = loss?.prompt.match(/\d+/g)?.map(Number) ?? [];
  assert.equal(loss?.think, `${x}-${y}=${x - y}`);
  assert.equal(loss?.bug?.answer, String(x + y));
});

test('arith: every scratchpad step is true, and the answer is its last number then the units digit of its first', () => {
  const w = worldByName('arith');
  for (const p of problems(w, 5, 2000)) {
    for (const [think, answer] of [[p.think, p.answer], ...(p.bug ? [[p.bug.think ?? '', p.bug.answer]] : [])]) {
      const results: number[] = [];
      for (const step of think.split(' ')) {
        const m = step.match(/^(\d*)([+-])(\d+)=(\d+)$/);
        assert.ok(m, `${p.prompt} ${think}`);
        const left = m[1] === '' ? (results.at(-1) ?? Number.NaN) : Number(m[1]);
        assert.equal(m[2] === '+' ? left + Number(m[3]) : left - Number(m[3]), Number(m[4]), `${p.prompt} ${think}`);
        results.push(Number(m[4]));
      }
      const expected = results.length === 1 ? results[0] : (results.at(-1) ?? 0) * 10 + (results[0] % 10);
      assert.equal(String(expected), answer, `${p.prompt} ${think}`);
    }
  }
});
