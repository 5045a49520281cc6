/**
 * verifyMath against the expected verdicts of Math-Verify's own public test suite (test/helpers/math-verify.ts).
 * Every case must agree except the divergences listed in docs/math-verifier.md §8 (DIVERGENCES in the helper),
 * which are asserted to still diverge so the list stays true.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyMath } from '../../../rewards/math/index.ts';
import { DIVERGENCES, mathVerifySuite, suiteOptions } from '../../helpers/math-verify.ts';
import { requirePython } from '../../helpers/python.ts';

test("Math-Verify's test suite: agreement per case, divergences listed", async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  const cases = mathVerifySuite(python);
  const disagreements: string[] = [];
  let agree = 0;
  for (const c of cases) {
    const v = verifyMath(c.gold, c.prediction, suiteOptions(c));
    if (v.equivalent === c.expected) {
      agree++;
      assert.ok(!(c.id in DIVERGENCES), `case ${c.id} is listed as a divergence but now agrees: unlist it`);
    } else if (!(c.id in DIVERGENCES)) {
      disagreements.push(`#${c.id} ${c.source}: expected ${c.expected}, got ${v.equivalent} (${v.reason})`);
    }
  }
  const pct = ((100 * agree) / cases.length).toFixed(1);
  console.log(`agreement with Math-Verify's suite: ${agree}/${cases.length} = ${pct}%`);
  assert.equal(cases.length, 269, 'the pinned suite has 269 cases; a new math-verify pin needs the ids reviewed');
  assert.deepEqual(disagreements, [], 'disagreements not listed as divergences');
  assert.ok(agree / cases.length >= 0.95, `agreement ${pct}% is below 95%`);
});
