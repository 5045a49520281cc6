/**
 * `npm run bench -- rewards`: reward throughput. Combines the math verifier's and the sandbox's own benchmarks (when
 * their files exist) with the batch scorer measured here on a mixed batch (math, QA, writing with constraints, writing
 * with a judge on a local chat-completions server, code in the sandbox). Baseline in the same run: the same non-code
 * samples verified directly, in this thread, one after another — the ratio shows what the worker pool and the
 * concurrency buy (or cost) on this machine.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JudgeClient } from '../rewards/judge/client.ts';
import { verifyMath } from '../rewards/math/index.ts';
import { matchQa } from '../rewards/qa/index.ts';
import { defaultVerifierPool, type ScorerSample, scoreBatch } from '../rewards/scorer.ts';
import { scoreConstraints, type WritingConstraint } from '../rewards/writing/index.ts';
import { parseResponse } from '../rl/template.ts';
import { startFakeOpenAI } from '../test/helpers/fake-openai-server.ts';
import { machineInfo } from './machine.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const countTokens = (t: string) => t.split(/\s+/).filter(Boolean).length;

async function optional(file: string, fn: string): Promise<Record<string, unknown>> {
  if (!existsSync(path.join(here, file))) return { skipped: `bench/${file} does not exist yet` };
  const mod = (await import(path.join(here, file))) as Record<string, () => Promise<Record<string, unknown>>>;
  return mod[fn]();
}

const MATH: [string, string][] = [
  ['\\frac{1}{2}', '0.5'],
  ['\\frac{3}{4}', '\\dfrac{3}{4}'],
  ['12', '12.0'],
  ['2\\sqrt{2}', '\\sqrt{8}'],
  ['x^2+2x+1', '(x+1)^2'],
  ['(0,1]', '(0,1]'],
  ['\\{1,2\\}', '\\{2,1\\}'],
  ['50\\%', '0.5'],
  ['7', '8'],
  ['\\frac{1}{3}', '0.33'],
  ['x=3', '3'],
  ['\\pi/2', '1.5707963267948966'],
];
const QA: [string, string][] = [
  ['Eiffel Tower', 'the Eiffel tower'],
  ['Marie Curie', 'Marie Curie.'],
  ['photosynthesis', 'respiration'],
  ['The Treaty of Westphalia', 'treaty of westphalia'],
];
const CONSTRAINTS: WritingConstraint[] = [
  { type: 'bullet-count', count: 3 },
  { type: 'include-words', words: ['river', 'stone'] },
  { type: 'word-count', min: 20, max: 200 },
  { type: 'ends-with', text: 'home' },
  { type: 'no-commas' },
];
const ESSAY =
  'A river runs past the old stone mill\n- water turns the wheel\n- flour fills the sacks\n- children watch the birds\n' +
  'At dusk the miller walks the long road back and the lamps are lit as he comes home';

function mixedBatch(counts: {
  math: number;
  qa: number;
  writing: number;
  judged: number;
  code: number;
}): ScorerSample[] {
  const out: ScorerSample[] = [];
  let i = 0;
  const push = (kind: ScorerSample['kind'], response: string, reference: ScorerSample['reference']) => {
    i++;
    out.push({ id: `b${i}`, task: kind, kind, groupId: `g${i % 16}`, prompt: `question ${i}`, response, reference });
  };
  for (let k = 0; k < counts.math; k++) {
    const [gold, pred] = MATH[k % MATH.length];
    push('math', `<think>working ${k} step by step</think>\n<answer>The answer is \\boxed{${pred}}</answer>`, {
      answer: gold,
    });
  }
  for (let k = 0; k < counts.qa; k++) {
    const [gold, pred] = QA[k % QA.length];
    push('qa', `<think>recall ${k}</think>\n<answer>${pred}</answer>`, { answer: gold });
  }
  for (let k = 0; k < counts.writing; k++) {
    push('writing', `<think>outline ${k}</think>\n<answer>${ESSAY}</answer>`, { constraints: CONSTRAINTS });
  }
  const before = out.length;
  for (let k = 0; k < counts.judged; k++)
    push('writing', `<think>draft ${k}</think>\n<answer>Poem number ${k}</answer>`, {});
  for (let k = before; k < out.length; k++) out[k].task = 'writing-judged';
  for (let k = 0; k < counts.code; k++) {
    const prog = k % 2 === 0 ? 'a, b = map(int, input().split())\nprint(a + b)' : 'print(0)';
    push('code', `<think>sum</think>\n<answer>\`\`\`python\n${prog}\n\`\`\`</answer>`, {
      tests: { inputs: ['1 2\n', '5 5\n'], outputs: ['3\n', '10\n'] },
    });
  }
  return out;
}

/** The non-code part verified in this thread, sequentially: what a naive reward loop does. */
function direct(samples: ScorerSample[]): void {
  for (const s of samples) {
    const answer = parseResponse(s.response).answer ?? '';
    if (s.kind === 'math') verifyMath(s.reference.answer as string, answer);
    else if (s.kind === 'qa') matchQa(answer, s.reference.answer as string);
    else if (s.kind === 'writing' && s.reference.constraints) scoreConstraints(answer, CONSTRAINTS);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchScorer(rounds = 5): Promise<Record<string, unknown>> {
  const server = await startFakeOpenAI(() => ({ kind: 'reply', content: 'Fine work.\n[[2]]' }));
  try {
    const judge = new JudgeClient({ baseURL: server.baseURL, model: 'bench', cache: false, concurrency: 8 });
    const taskScorers = { writing: 'constraints', 'writing-judged': 'judge' } as const;
    const options = { countTokens, judge, taskScorers };
    const counts = { math: 96, qa: 96, writing: 96, judged: 32, code: 16 };
    const batch = mixedBatch(counts);
    const nonCode = batch.filter((s) => s.kind !== 'code' && s.task !== 'writing-judged');
    // Warm-up: boots the verifier workers and the CAS worker inside them, so rounds measure steady state.
    const warm = mixedBatch({ math: 12, qa: 4, writing: 2, judged: 2, code: 2 });
    await scoreBatch(warm, options);
    direct(warm); // the main thread's own CAS worker boots here, not inside a measured round

    const mixed: number[] = [];
    const nonCodeScorer: number[] = [];
    const nonCodeDirect: number[] = [];
    let undefinedCount = 0;
    // Each non-code figure repeats its batch for at least MIN_MS so one scheduler hiccup on this shared machine does
    // not decide a round; the two sides alternate within every round.
    const MIN_MS = 1500;
    const rate = async (fn: () => Promise<unknown> | unknown, perCall: number) => {
      let calls = 0;
      const t0 = performance.now();
      do {
        await fn();
        calls++;
      } while (performance.now() - t0 < MIN_MS);
      return (calls * perCall) / ((performance.now() - t0) / 1000);
    };
    // Expression answers (numeric sampling or the CAS decides, ms each): where spreading over cores should pay.
    const EXPR: [string, string][] = [
      ['x^2+2x+1', '(x+1)^2'],
      ['\\frac{x^2-1}{x-1}', 'x+1'],
      ['\\sin^2 x + \\cos^2 x', '1'],
      ['2\\sqrt{2}', '\\sqrt{8}'],
      ['(a+b)^3', 'a^3+3a^2b+3ab^2+b^3'],
      ['e^{2\\ln 3}', '9'],
    ];
    const heavy: ScorerSample[] = Array.from({ length: 48 }, (_, k) => ({
      id: `h${k}`,
      task: 'math',
      kind: 'math',
      groupId: 'h',
      prompt: 'q',
      response: `<think>expand</think><answer>\\boxed{${EXPR[k % EXPR.length][1]}}</answer>`,
      reference: { answer: EXPR[k % EXPR.length][0] },
    }));
    await scoreBatch(heavy, options);
    direct(heavy);
    const heavyScorer: number[] = [];
    const heavyDirect: number[] = [];
    for (let r = 0; r < rounds; r++) {
      heavyScorer.push(await rate(() => scoreBatch(heavy, options), heavy.length));
      heavyDirect.push(await rate(() => direct(heavy), heavy.length));
      const t0 = performance.now();
      const res = await scoreBatch(batch, options);
      mixed.push(batch.length / ((performance.now() - t0) / 1000));
      undefinedCount += res.summary.undefined.accuracy;
      nonCodeScorer.push(await rate(() => scoreBatch(nonCode, options), nonCode.length));
      nonCodeDirect.push(await rate(() => direct(nonCode), nonCode.length));
    }
    const scorer = median(nonCodeScorer);
    const baseline = median(nonCodeDirect);
    return {
      batch: counts,
      rounds,
      scorerSamplesPerSec: Math.round(median(mixed) * 10) / 10,
      nonCode: {
        samples: nonCode.length,
        scorerSamplesPerSec: Math.round(scorer * 10) / 10,
        directSequentialSamplesPerSec: Math.round(baseline * 10) / 10,
        ratioScorerOverDirect: Math.round((scorer / baseline) * 100) / 100,
      },
      expressionMath: {
        samples: heavy.length,
        scorerSamplesPerSec: Math.round(median(heavyScorer) * 10) / 10,
        directSequentialSamplesPerSec: Math.round(median(heavyDirect) * 10) / 10,
        ratioScorerOverDirect: Math.round((median(heavyScorer) / median(heavyDirect)) * 100) / 100,
      },
      undefinedAccuracyAcrossRounds: undefinedCount,
      verifierPool: defaultVerifierPool().stats(),
      judgeRequests: server.requests.length,
    };
  } finally {
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) || process.argv[2] === 'rewards') {
  const scorer = await benchScorer();
  const math = await optional('rewards-math.ts', 'benchMath');
  const sandbox = await optional('rewards-sandbox.ts', 'benchSandbox');
  console.log(
    JSON.stringify({
      machine: machineInfo(),
      mathVerifyPerSec: math.mathVerifyPerSec ?? null,
      sandboxRunsPerSec: sandbox.sandboxRunsPerSec ?? null,
      scorerSamplesPerSec: scorer.scorerSamplesPerSec,
      scorer,
      math,
      sandbox,
    })
  );
  await defaultVerifierPool().close();
}
