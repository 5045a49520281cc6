/**
 * Every data filter over fuzzed rows (weird Unicode, lone surrogates, NUL, huge prompts): none may throw, none may
 * lose a row without a reason, and each keeps exactly what its rule says. The rows are distinct by construction
 * (test/helpers/fuzz-rows.ts), so dedup in any mode must keep them all. Returns counts for the test's report.
 */
import assert from 'node:assert/strict';
import { categoryDownsample } from '../../data/filters/category-downsample.ts';
import { DEDUP_MODES, dedupRows } from '../../data/filters/dedup.ts';
import { difficultyFilter } from '../../data/filters/difficulty.ts';
import { seededSample, splitHeldOut } from '../../data/filters/split.ts';
import { promptTokens, tokenLengthFilter, utf8Bytes } from '../../data/filters/token-length.ts';
import type { FilterResult } from '../../data/filters/types.ts';
import type { ReferencePolicy } from '../../data/reference-policy.ts';
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';

const MAX_TOKENS = 4096;
/** Rows sent through the difficulty filter per call (the real verifier scores k answers for each). */
const DIFFICULTY_ROWS = 40;

function assertPartition(rows: readonly DatasetRow[], r: FilterResult, what: string): void {
  const out = [...r.kept, ...r.dropped.map((d) => d.row)].map((x) => x.id).sort();
  assert.deepEqual(out, rows.map((x) => x.id).sort(), `${what}: every row is kept or dropped with a reason`);
  for (const d of r.dropped) assert.ok(d.reason.length > 0, `${what}: a dropped row has a reason`);
}

/**
 * A reference policy that answers from the row's own gold answer: every answer right for a third of the rows (too
 * easy), every answer wrong for another third (too hard), one of three wrong for the rest (kept). The filter and the
 * real verifier see text as odd as the rows are.
 */
const MIXED = ['easy', 'hard', 'kept'] as const;
const mixOf = (id: string) => MIXED[[...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % 3];
const echoPolicy: ReferencePolicy = {
  async sample(prompts, k) {
    return prompts.map((p) =>
      Array.from({ length: k }, (_, j) => {
        const right = mixOf(p.id) === 'easy' || (mixOf(p.id) === 'kept' && j < k - 1);
        return `<answer>${right ? (p.reference ?? '') : 'no ∅ answer'}</answer>`;
      })
    );
  },
};

/** Copies of rows that differ only in spacing: dedup by whitespace or normalised text must drop exactly these. */
function spacedCopies(rows: readonly DatasetRow[]): DatasetRow[] {
  return rows
    .slice(0, 20)
    .map((r, k) => ({ ...r, id: `${r.id}~copy${k}`, prompt: ` ${r.prompt.replace(/ /g, '  ')} ` }));
}

export async function checkFilters(rows: DatasetRow[], seed: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const add = (k: string, n: number) => {
    counts[k] = (counts[k] ?? 0) + n;
  };

  for (const mode of DEDUP_MODES) {
    const r = dedupRows(rows, mode);
    assertPartition(rows, r, `dedup ${mode}`);
    assert.equal(r.kept.length, rows.length, `dedup ${mode}: distinct prompts are all kept`);
    add(`dedup ${mode} kept`, r.kept.length);
  }
  const copies = spacedCopies(rows);
  for (const mode of DEDUP_MODES) {
    const r = dedupRows([...rows, ...copies], mode);
    const expected = mode === 'exact' ? [] : copies.map((c) => c.id);
    assert.deepEqual(
      r.dropped.map((d) => d.row.id),
      expected,
      `dedup ${mode}: drops exactly the re-spaced copies`
    );
    add(`dedup ${mode} dropped copies`, r.dropped.length);
  }

  const long = tokenLengthFilter(rows, { maxTokens: MAX_TOKENS });
  assertPartition(rows, long, 'token length');
  const over = rows.filter((r) => promptTokens(r, utf8Bytes) > MAX_TOKENS).map((r) => r.id);
  assert.deepEqual(
    long.dropped.map((d) => d.row.id),
    over,
    'token length drops exactly the long prompts'
  );
  add('token-length dropped (huge prompts)', over.length);

  if (rows.length >= 2) {
    const size = Math.min(25, rows.length - 1);
    const split = splitHeldOut(rows, size, seed);
    assert.equal(split.heldOut.length, size);
    assert.equal(split.dropped.length, 0, 'held-out split: distinct prompts never overlap');
    assert.equal(split.train.length + split.heldOut.length, rows.length);
    add('held-out', size);

    const total = Math.ceil(rows.length / 2);
    const cat = categoryDownsample(rows, { total, seed });
    assertPartition(rows, cat, 'category down-sampling');
    assert.equal(cat.kept.length, total, 'category down-sampling keeps exactly its total');
    const metaCat = categoryDownsample(rows, { total, seed, field: 'source' });
    assert.equal(metaCat.kept.length, total);
    add('category kept', total);

    const sample = seededSample(rows, total, seed);
    assertPartition(rows, sample, 'subsample');
    assert.equal(sample.kept.length, total);
  }

  const verifiable = rows.filter((r) => r.kind === 'math' || r.kind === 'stem' || r.kind === 'qa');
  if (verifiable.length > 0) {
    const some = verifiable.slice(0, DIFFICULTY_ROWS);
    const k = 3;
    const r = await difficultyFilter(some, { policy: echoPolicy, k, seed, shardSize: 16 });
    assertPartition(some, r, 'difficulty');
    const want = (m: (typeof MIXED)[number]) => some.filter((x) => mixOf(x.id) === m).map((x) => x.id);
    assert.deepEqual(
      r.kept.map((x) => x.id),
      want('kept'),
      'difficulty keeps the rows solved 2 of 3 times'
    );
    for (const x of r.kept) assert.equal(x.meta?.passRate, 2 / 3, 'pass rate recorded');
    const reasons = new Map(r.dropped.map((d) => [d.row.id, d.reason]));
    for (const id of want('easy')) assert.equal(reasons.get(id), 'solved 3/3 (too easy)', id);
    for (const id of want('hard')) assert.equal(reasons.get(id), 'solved 0/3 (too hard)', id);
    add('difficulty scored', some.length);
    add('difficulty kept', r.kept.length);
  }
  return counts;
}
