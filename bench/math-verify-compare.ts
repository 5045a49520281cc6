/**
 * Ours against HuggingFace Math-Verify (its Python, one core) on the same realistic pairs, in one run: the generated
 * pairs of the differential test (full responses included) and Math-Verify's own suite. Reports pairs/s of both
 * (wall clock of the verification loop alone; CPU-time rates too, since the machine is shared), the ratio, and how
 * often the two agree. Every verdict of ours is checked against the expected one; a wrong one fails the benchmark.
 */
import { type VerifyMathOptions, verifyMath } from '../rewards/math/index.ts';
import { truthPairs } from '../test/helpers/math-pairs.ts';
import {
  DIVERGENCES,
  mathVerifyOracle,
  mathVerifySuite,
  mathVerifyVersion,
  type OraclePair,
  suiteOptions,
} from '../test/helpers/math-verify.ts';
import { pythonTools } from '../test/helpers/python.ts';

interface Timed extends OraclePair {
  expected: boolean;
  ours: VerifyMathOptions;
  /** A listed divergence from Math-Verify's suite: its expected verdict is not ours. */
  divergent: boolean;
}

const ROUNDS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchAgainstMathVerify(generatedPairs = 2000): Promise<object> {
  const tools = await pythonTools();
  if (!tools.python) throw new Error(`Math-Verify is not installed: ${tools.skip}`);
  const pairs: Timed[] = [
    ...truthPairs(generatedPairs, 'bench-math-verify').map((p) => ({
      gold: p.gold,
      prediction: p.prediction,
      expected: p.equivalent,
      ours: {},
      divergent: false,
    })),
    ...mathVerifySuite(tools.python).map((c) => ({
      gold: c.gold,
      prediction: c.prediction,
      options: c.options,
      expected: c.expected,
      ours: suiteOptions(c),
      divergent: c.id in DIVERGENCES,
    })),
  ];
  const verdicts = pairs.map((p) => verifyMath(p.gold, p.prediction, p.ours).equivalent); // also the JIT warm-up
  const wrong = pairs.filter((p, k) => !p.divergent && verdicts[k] !== p.expected);
  if (wrong.length > 0) {
    const list = wrong.map((p) => `${JSON.stringify(p.gold)} vs ${JSON.stringify(p.prediction).slice(0, 120)}`);
    throw new Error(`${wrong.length} verdicts differ from the expected ones:\n${list.join('\n')}`);
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = performance.now();
    const c = process.cpuUsage();
    for (const p of pairs) verifyMath(p.gold, p.prediction, p.ours);
    const used = process.cpuUsage(c);
    wall.push((performance.now() - t) / 1000);
    cpu.push((used.user + used.system) / 1e6);
  }
  const theirs = mathVerifyOracle(
    tools.python,
    pairs.map(({ gold, prediction, options }) => ({ gold, prediction, options }))
  );
  const rate = (seconds: number) => Math.round(pairs.length / seconds);
  const ours = { wall: rate(median(wall)), cpu: rate(median(cpu)) };
  const mv = { wall: rate(theirs.seconds), cpu: rate(theirs.cpuSeconds) };
  const right = (vs: boolean[]) => pairs.filter((p, k) => vs[k] === p.expected).length;
  return {
    pairs: pairs.length,
    generatedPairs,
    suiteCases: pairs.length - generatedPairs,
    mathVerifyVersion: mathVerifyVersion(),
    oursPairsPerSec: ours.wall,
    mathVerifyPairsPerSec: mv.wall,
    ratio: Math.round((ours.wall / mv.wall) * 10) / 10,
    oursPairsPerCpuSec: ours.cpu,
    mathVerifyPairsPerCpuSec: mv.cpu,
    ratioCpu: Math.round((ours.cpu / mv.cpu) * 10) / 10,
    agreementWithMathVerify:
      Math.round((verdicts.filter((v, k) => v === theirs.verdicts[k]).length / pairs.length) * 1000) / 1000,
    rightOurs: right(verdicts),
    rightMathVerify: right(theirs.verdicts),
    verdictsChecked: pairs.length,
  };
}
