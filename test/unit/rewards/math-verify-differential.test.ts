/**
 * Differential test against Math-Verify itself (the math-verify PyPI package, in one Python batch): 2,000 generated
 * pairs with a known verdict (test/helpers/math-pairs.ts) scored by both verifiers, plus Math-Verify's own suite.
 * Ours must be right on ≥ 98 % of the generated pairs and never wrong where Math-Verify is right; Math-Verify must
 * reproduce its suite's verdicts (so the oracle is the real thing) and ours must agree with it there except the
 * listed divergences.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyMath } from '../../../rewards/math/index.ts';
import { truthPairs } from '../../helpers/math-pairs.ts';
import { DIVERGENCES, mathVerifyOracle, mathVerifySuite, suiteOptions } from '../../helpers/math-verify.ts';
import { requirePython } from '../../helpers/python.ts';

const PAIRS = 2000;

test('generated pairs: ours ≥ 98 % right and never wrong where Math-Verify is right', async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  const pairs = truthPairs(PAIRS);
  const ours = pairs.map((p) => verifyMath(p.gold, p.prediction, { timeoutMs: 5000 }).equivalent);
  const theirs = mathVerifyOracle(python, pairs).verdicts;
  const show = (k: number) =>
    `[${pairs[k].family}] truth ${pairs[k].equivalent}, ours ${ours[k]}, Math-Verify ${theirs[k]}: ` +
    `${JSON.stringify(pairs[k].gold)} vs ${JSON.stringify(pairs[k].prediction).slice(0, 200)}`;
  const oursRight = pairs.filter((p, k) => ours[k] === p.equivalent).length;
  const theirsRight = pairs.filter((p, k) => theirs[k] === p.equivalent).length;
  const eitherWrong = pairs.flatMap((p, k) =>
    ours[k] !== p.equivalent || theirs[k] !== p.equivalent ? [show(k)] : []
  );
  console.log(`right on ${PAIRS} generated pairs: ours ${oursRight}, Math-Verify ${theirsRight}`);
  if (eitherWrong.length > 0) console.log(`pairs where either is wrong:\n${eitherWrong.join('\n')}`);
  const worse = pairs.flatMap((p, k) => (ours[k] !== p.equivalent && theirs[k] === p.equivalent ? [show(k)] : []));
  assert.deepEqual(worse, [], 'pairs Math-Verify gets right and we get wrong');
  assert.ok(oursRight / PAIRS >= 0.98, `ours right on ${oursRight}/${PAIRS}`);
});

test("Math-Verify reproduces its suite's verdicts; ours agrees with it except the listed divergences", async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  const cases = mathVerifySuite(python);
  const theirs = mathVerifyOracle(python, cases).verdicts;
  const oracleMisses = cases.filter((c, k) => theirs[k] !== c.expected).map((c) => c.id);
  assert.deepEqual(oracleMisses, [], 'the installed Math-Verify disagrees with its own tests');
  const unlisted = cases
    .filter(
      (c, k) => verifyMath(c.gold, c.prediction, suiteOptions(c)).equivalent !== theirs[k] && !(c.id in DIVERGENCES)
    )
    .map((c) => `#${c.id} ${c.source}`);
  assert.deepEqual(unlisted, []);
});
