/**
 * The hand-written corpus (test/fixtures/math/cases.jsonl): every case must agree with its expected verdict, and
 * the corpus must cover every category of the verifier with positives and close negatives.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { verifyMath, warmUpCas } from '../../../rewards/math/index.ts';

interface Case {
  id: string;
  gold: string;
  prediction: string;
  expected: boolean;
  category: string;
}

const cases: Case[] = readFileSync(new URL('../../fixtures/math/cases.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));

const CATEGORIES = [
  'integer',
  'decimal',
  'fraction',
  'scientific',
  'percent',
  'expression',
  'equation',
  'set',
  'tuple',
  'interval',
  'union',
  'matrix',
  'multiple',
  'plus-minus',
  'infinity',
  'latex-normalisation',
  'units',
  'thousands',
  'text',
  'extraction',
];

test('the corpus has at least 300 cases, positives and negatives in every category', () => {
  assert.ok(cases.length >= 300, `only ${cases.length} cases`);
  for (const c of CATEGORIES) {
    const inCategory = cases.filter((x) => x.category === c);
    assert.ok(
      inCategory.some((x) => x.expected),
      `${c}: no positive case`
    );
    assert.ok(
      inCategory.some((x) => !x.expected),
      `${c}: no negative case`
    );
  }
});

test(`verifyMath agrees with all ${cases.length} cases of the corpus`, () => {
  // Generous per-case budget: the suite shares two cores with other engineers' tests; the bound itself is tested elsewhere.
  warmUpCas();
  const wrong: string[] = [];
  for (const c of cases) {
    const v = verifyMath(c.gold, c.prediction, { timeoutMs: 5000 });
    if (v.equivalent !== c.expected) {
      wrong.push(
        `${c.id}: ${JSON.stringify(c.gold)} vs ${JSON.stringify(c.prediction)} expected ${c.expected}, got ${v.equivalent} (${v.path}: ${v.reason})`
      );
    }
  }
  assert.deepEqual(wrong, [], `${wrong.length}/${cases.length} disagree:\n${wrong.join('\n')}`);
});
