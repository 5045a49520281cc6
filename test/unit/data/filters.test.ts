import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { categoryDownsample, categoryOf, categoryQuotas } from '../../../data/filters/category-downsample.ts';
import { dedupKey, dedupRows, normaliseText } from '../../../data/filters/dedup.ts';
import { seededSample, splitHeldOut } from '../../../data/filters/split.ts';
import { tokenLengthFilter } from '../../../data/filters/token-length.ts';
import { countReasons } from '../../../data/filters/types.ts';
import type { DatasetRow } from '../../../schemas/records/dataset-row.ts';

const row = (id: string, prompt: string, extra: Partial<DatasetRow> = {}): DatasetRow => ({
  id,
  task: 't',
  kind: 'qa',
  prompt,
  ...extra,
});

test('normalisation: case, whitespace and punctuation go; signs, decimals and symbols stay', () => {
  assert.equal(normaliseText('  What IS  the Capital, of France?! ', 'normalised'), 'what is the capital of france');
  assert.equal(normaliseText('  What IS  the\tCapital ', 'whitespace'), 'What IS the Capital');
  assert.equal(normaliseText(' a ', 'exact'), ' a ');
  assert.notEqual(normaliseText('-5+3=', 'normalised'), normaliseText('5+3=', 'normalised'));
  assert.notEqual(normaliseText('1.5', 'normalised'), normaliseText('15', 'normalised'));
  assert.notEqual(normaliseText('2+3', 'normalised'), normaliseText('2*3', 'normalised'));
});

test('dedup keeps the first occurrence; the same prompt after another context is not a duplicate', () => {
  const rows = [
    row('a', 'Hello  world'),
    row('b', 'Hello world'),
    row('c', 'hello, world!'),
    row('d', 'Hello world', { context: [{ role: 'user', content: 'hi' }] }),
  ];
  assert.deepEqual(
    dedupRows(rows, 'exact').kept.map((r) => r.id),
    ['a', 'b', 'c', 'd']
  );
  const ws = dedupRows(rows, 'whitespace');
  assert.deepEqual(
    ws.kept.map((r) => r.id),
    ['a', 'c', 'd']
  );
  assert.deepEqual(countReasons(ws.dropped), { 'duplicate prompt (whitespace)': 1 });
  assert.deepEqual(
    dedupRows(rows, 'normalised').kept.map((r) => r.id),
    ['a', 'd']
  );
});

const promptArb = fc
  .array(fc.constantFrom('a', 'A', 'b', ' ', '  ', ',', '?', '1', '-', '.', 'é', 'e\u0301'), { maxLength: 8 })
  .map((cs) => cs.join('') || 'x');
const rowsArb = fc.array(promptArb, { maxLength: 40 }).map((ps) => ps.map((p, i) => row(`r${i}`, p)));

test('property: dedup is idempotent, never grows, and leaves no two kept rows with the same key', () => {
  fc.assert(
    fc.property(rowsArb, fc.constantFrom('exact', 'whitespace', 'normalised' as const), (rows, mode) => {
      const once = dedupRows(rows, mode);
      const twice = dedupRows(once.kept, mode);
      const keys = once.kept.map((r) => dedupKey(r, mode));
      return (
        once.kept.length + once.dropped.length === rows.length &&
        once.kept.length <= rows.length &&
        twice.dropped.length === 0 &&
        new Set(keys).size === keys.length
      );
    })
  );
});

test('token length: prompt plus context counted with the given counter; over the limit dropped with one reason', () => {
  const rows = [row('a', 'abcd'), row('b', 'abcdef'), row('c', 'ab', { context: [{ role: 'user', content: 'abc' }] })];
  // bytes: a = 4, b = 6, c = 2 + 3 = 5; limit 5 drops b only.
  const r = tokenLengthFilter(rows, { maxTokens: 5 });
  assert.deepEqual(
    r.kept.map((x) => x.id),
    ['a', 'c']
  );
  assert.deepEqual(countReasons(r.dropped), { 'prompt over 5 tokens': 1 });
  // Counting words instead: every row is 1 or 2 "tokens".
  const words = tokenLengthFilter(rows, { maxTokens: 1, countTokens: (t) => t.split(/\s+/).length });
  assert.deepEqual(
    words.kept.map((x) => x.id),
    ['a', 'b']
  );
  assert.throws(() => tokenLengthFilter(rows, { maxTokens: 0 }), /maxPromptTokens: must be a whole number ≥ 1/);
});

test('category quotas by largest remainder, hand-computed', () => {
  // 10 rows → 4: exact shares 5→2.0, 3→1.2, 2→0.8. Floors 2,1,0 (3); the one leftover goes to the largest
  // fraction, 0.8 (c), so 2,1,1.
  assert.deepEqual(categoryQuotas({ a: 5, b: 3, c: 2 }, 4, 1), { a: 2, b: 1, c: 1 });
  // 7 rows → 5: shares 5·4/7 = 2.857, 5·2/7 = 1.429, 5·1/7 = 0.714; floors 2,1,0; leftovers 2 → .857 (x) and .714 (z).
  assert.deepEqual(categoryQuotas({ x: 4, y: 2, z: 1 }, 5, 1), { x: 3, y: 1, z: 1 });
  assert.deepEqual(categoryQuotas({ x: 4, y: 2 }, 100, 1), { x: 4, y: 2 });
});

test('category field: the row field, else a meta key; missing values form their own category', () => {
  const r = row('a', 'q', { category: 'Science', meta: { field: 'Physics' } });
  assert.equal(categoryOf(r), 'Science');
  assert.equal(categoryOf(r, 'field'), 'Physics');
  assert.equal(categoryOf(r, 'subfield'), '(none)');
});

const catRowsArb = fc
  .array(fc.constantFrom('A', 'B', 'C', 'D', 'E'), { minLength: 1, maxLength: 120 })
  .map((cs) => cs.map((c, i) => row(`r${i}`, `p${i}`, { category: c })));

test('property: down-sampling hits the total exactly, stays within 1 of each share, and is deterministic', () => {
  fc.assert(
    fc.property(
      catRowsArb,
      fc.integer({ min: 1, max: 150 }),
      fc.integer({ min: 0, max: 1000 }),
      (rows, total, seed) => {
        const a = categoryDownsample(rows, { total, seed });
        const b = categoryDownsample(rows, { total, seed });
        if (JSON.stringify(a) !== JSON.stringify(b)) return false;
        if (a.kept.length !== Math.min(total, rows.length) || a.kept.length + a.dropped.length !== rows.length)
          return false;
        const n = rows.length;
        const sizes = countReasons(rows.map((r) => ({ row: r, reason: r.category ?? '' })));
        const kept = countReasons(a.kept.map((r) => ({ row: r, reason: r.category ?? '' })));
        return Object.entries(sizes).every(([c, size]) => {
          const share = Math.min(total, n) * (size / n);
          return Math.abs((kept[c] ?? 0) - share) < 1;
        });
      }
    )
  );
});

test('held-out split: seeded, disjoint by id and normalised prompt; a too-large request is a clear error', () => {
  const rows = Array.from({ length: 30 }, (_, i) => row(`r${i}`, `Question ${i % 25}?`));
  const s = splitHeldOut(rows, 5, 42);
  assert.deepEqual(splitHeldOut(rows, 5, 42), s);
  assert.equal(s.heldOut.length, 5);
  const held = new Set(s.heldOut.map((r) => dedupKey(r, 'normalised')));
  assert.ok(s.train.every((r) => !held.has(dedupKey(r, 'normalised'))));
  assert.equal(s.train.length + s.heldOut.length + s.dropped.length, 30);
  assert.throws(
    () => splitHeldOut(rows, 30, 1),
    /heldOutSize: is 30 but only 30 rows remain after filtering; lower it/
  );
});

test('property: split disjointness holds for any rows, sizes and seeds (case and punctuation variants included)', () => {
  fc.assert(
    fc.property(rowsArb, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 99 }), (rows, size, seed) => {
      fc.pre(size < rows.length);
      const s = splitHeldOut(rows, size, seed);
      const ids = new Set(s.heldOut.map((r) => r.id));
      const keys = new Set(s.heldOut.map((r) => dedupKey(r, 'normalised')));
      return s.heldOut.length === size && s.train.every((r) => !ids.has(r.id) && !keys.has(dedupKey(r, 'normalised')));
    })
  );
});

test('seeded sample keeps input order and n rows', () => {
  const rows = Array.from({ length: 10 }, (_, i) => row(`r${i}`, `p${i}`));
  const s = seededSample(rows, 4, 3);
  assert.equal(s.kept.length, 4);
  const idx = s.kept.map((r) => Number(r.id.slice(1)));
  assert.deepEqual(
    idx,
    [...idx].sort((a, b) => a - b)
  );
  assert.deepEqual(seededSample(rows, 4, 3), s);
  assert.equal(seededSample(rows, 20, 3).kept.length, 10);
});
