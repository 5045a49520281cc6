import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { JudgeClient } from '../../../rewards/judge/client.ts';
import { SandboxPool } from '../../../rewards/sandbox/index.ts';
import { ScorerInputError, type ScorerSample, scoreBatch, WorkerPool } from '../../../rewards/scorer.ts';
import { type Script, startFakeOpenAI, userText } from '../../helpers/fake-openai-server.ts';

/** Whitespace tokens: a real, simple token counter, so lengths in the arithmetic below are countable by eye. */
const countTokens = (t: string) => t.split(/\s+/).filter(Boolean).length;

let n = 0;
function sample(
  kind: ScorerSample['kind'],
  response: string,
  reference: ScorerSample['reference'] = {},
  task: string = kind
): ScorerSample {
  n++;
  return { id: `s${n}`, task, kind, groupId: `g${n}`, prompt: `prompt ${n}`, response, reference };
}

/** The real rule verifiers, one worker: each worker loads mathjs and boots its own CAS worker, seconds of CPU here. */
const verifierPool = new WorkerPool({
  module: new URL('../../../rewards/scorer/verifiers.ts', import.meta.url),
  size: 1,
});
after(() => verifierPool.close());

const servers: { close(): Promise<void> }[] = [];
after(async () => {
  for (const s of servers) await s.close();
});
async function judgeOn(script: Script, extra: Partial<ConstructorParameters<typeof JudgeClient>[0]> = {}) {
  const server = await startFakeOpenAI(script);
  servers.push(server);
  const judge = new JudgeClient({
    baseURL: server.baseURL,
    model: 'j',
    timeoutMs: 2000,
    retries: 0,
    backoffBaseMs: 1,
    ...extra,
  });
  return { server, judge };
}

test('GZ eq. 9 for a judged writing sample, with the length penalty by hand', async () => {
  const { judge } = await judgeOn(() => ({ kind: 'reply', content: '[[3]]' }));
  // think "t1" = 1 token, answer "a b c d e" = 5 tokens, y = 5 − 1 = 4.
  // Small penalty settings: L_max = 4, L_cache = 2 → ramp over (2, 4]: R_think(4) = ((4 − 2) − 4)/2 = −1.
  // L'_min = 1, L'_max = 10, λ = 0.1: R_answer(5) = −0.1·5 = −0.5. R_length = −1.5.
  // R = R_acc + α·R_format + β·R_length = 3 + 0.5·1 + 2·(−1.5) = 0.5
  const { records, summary } = await scoreBatch([sample('writing', '<think>t1</think>\n<answer>a b c d e</answer>')], {
    countTokens,
    judge,
    rewards: {
      lengthPenalty: {
        enabled: true,
        weight: 2,
        lMax: 4,
        lCache: 2,
        answerMin: 1,
        answerMax: 10,
        lambda: 0.1,
        variant: 'paper',
      },
    },
  });
  const r = records[0];
  assert.deepEqual(r.components, { accuracy: 3, format: 1, tags: null, length: -1.5 });
  assert.equal(r.total, 0.5);
  assert.equal(r.facts.thinkTokens, 1);
  assert.equal(r.facts.answerTokens, 5);
  assert.equal(r.facts.answerChars, 9);
  assert.ok(typeof r.facts.judgeLatencyMs === 'number');
  assert.equal(summary.undefined.accuracy, 0);
});

test('writing constraints without a judge: fraction satisfied mapped to ±1, GZ total', async () => {
  const s = sample('writing', '<think>plan</think><answer>- sun\n- moon\nThe end</answer>', {
    constraints: [
      { type: 'bullet-count', count: 2 }, // ✓
      { type: 'ends-with', text: 'end' }, // ✓
      { type: 'include-words', words: ['stars'] }, // ✗
      { type: 'no-commas' }, // ✓
    ],
  });
  const { records } = await scoreBatch([s], { countTokens });
  // f = 3/4 → R_acc = −1 + 0.75·2 = 0.5; defaults L'_min = 1024 etc. give R_length = 0; R = 0.5 + 0.5·1 + 0 = 1
  assert.equal(records[0].components.accuracy, 0.5);
  assert.equal(records[0].components.length, 0);
  assert.equal(records[0].total, 1);
});

test("scorer 'length-biased': the hackable writing reward, selected per task, with the length penalty by hand", async () => {
  const constraints = [
    { type: 'word-count' as const, min: 2, max: 2 },
    { type: 'include-words' as const, words: ['cold'] },
  ];
  const short = sample('writing', '<think>t1 t2</think><answer>wet cold</answer>', { constraints }, 'padded');
  const long = sample(
    'writing',
    '<think>t1 t2</think><answer>cold wet cold grey mud drops</answer>',
    { constraints },
    'padded'
  );
  const strict = sample('writing', '<think>t1 t2</think><answer>cold wet cold grey mud drops</answer>', {
    constraints,
  });
  const lengthPenalty = {
    enabled: true,
    weight: 2,
    lMax: 100,
    lCache: 10, // R_think = 0 while answer − think ≤ 90
    answerMin: 4,
    answerMax: 100,
    lambda: 0.1,
    variant: 'paper' as const,
  };
  const { records } = await scoreBatch([short, long, strict], {
    countTokens,
    taskScorers: { padded: 'length-biased', writing: 'constraints' },
    rewards: { lengthPenalty },
  });
  // short: ½·1 + ½·2/8 = 0.625 → R_acc = −1 + 2·0.625 = 0.25; 2 answer tokens ≤ L'_min: R = 0.25 + 0.5·1 = 0.75
  assert.equal(records[0].components.accuracy, 0.25);
  assert.equal(records[0].total, 0.75);
  // long: ½·1 + ½·6/8 = 0.875 → R_acc = 0.75; R_answer(6) = −0.6: R = 0.75 + 0.5 + 2·(−0.6) = 0.05
  assert.equal(records[1].components.accuracy, 0.75);
  assert.ok(Math.abs((records[1].components.length as number) + 0.6) < 1e-12);
  assert.ok(Math.abs((records[1].total as number) - 0.05) < 1e-12);
  // the same text under the strict constraints fails the count: f = ½ → R_acc = 0
  assert.equal(records[2].components.accuracy, 0);
});

test('OT aggregation: weighted sum over defined components only; a failed judgement drops out of the sum', async () => {
  const { judge } = await judgeOn(() => ({ kind: 'reply', content: 'no verdict here' }), { mode: 'pairwise' });
  const s = sample('writing', '<think>x</think><answer>y</answer>', { answer: 'reference reply' });
  const { records, summary } = await scoreBatch([s], {
    countTokens,
    judge,
    rewards: {
      aggregation: 'ot',
      verifiable: { correct: 1, incorrect: 0, unparseable: 'undefined' },
      format: { weight: 0.1 },
      tags: { enabled: true, weight: 0.1 },
      lengthPenalty: { enabled: false, weight: 2 },
    },
  });
  // accuracy undefined; R = 0.1·R_format + 0.1·R_tags = 0.1·1 + 0.1·(4/4) = 0.2
  assert.equal(records[0].components.accuracy, null);
  assert.equal(records[0].facts.undefinedReason, 'judge-parse');
  assert.ok(Math.abs((records[0].total as number) - 0.2) < 1e-12);
  assert.equal(summary.undefined.accuracy, 1);
  assert.equal(summary.undefined.total, 0);
  assert.deepEqual(summary.reasons, { 'judge-parse': 1 });
});

test('GZ: undefined accuracy makes the total undefined; counted', async () => {
  const { judge } = await judgeOn(() => ({ kind: 'status', status: 503 }));
  const { records, summary } = await scoreBatch([sample('writing', '<think>x</think><answer>y</answer>')], {
    countTokens,
    judge,
  });
  assert.equal(records[0].components.accuracy, null);
  assert.equal(records[0].total, null);
  assert.equal(records[0].facts.undefinedReason, 'judge-server-error');
  assert.equal(summary.undefined.total, 1);
});

test('a judge failing half its calls: the batch finishes, the failures are exactly the undefined count', async () => {
  // Fails every request whose prompt number is odd, so which samples fail is known in advance.
  const script: Script = (req) => {
    const k = Number(/prompt (\d+)/.exec(userText(req))?.[1]);
    return k % 2 === 1
      ? { kind: 'status', status: 500, delayMs: 100 }
      : { kind: 'reply', content: 'Score: 2', delayMs: 100 };
  };
  const { judge, server } = await judgeOn(script, { concurrency: 4 });
  const batch = Array.from({ length: 20 }, () => sample('writing', '<think>a</think><answer>b</answer>'));
  const oddCount = batch.filter((s) => Number(s.prompt.split(' ')[1]) % 2 === 1).length;
  const { records, summary } = await scoreBatch(batch, { countTokens, judge });
  assert.equal(records.length, 20);
  assert.equal(summary.undefined.accuracy, oddCount);
  assert.equal(summary.reasons['judge-server-error'], oddCount);
  for (const r of records) assert.ok(r.components.accuracy === null || r.components.accuracy === 2);
  assert.equal(server.maxInFlight, 4, 'judge calls ran concurrently up to the limit');
});

test('a hung judge is cut by the scorer timeout and counted; the step is not stalled', async () => {
  const { judge } = await judgeOn(() => ({ kind: 'slow', delayMs: 20_000, content: '[[1]]' }), { timeoutMs: 10_000 });
  const t0 = performance.now();
  const { records, summary } = await scoreBatch(
    [sample('writing', '<think>a</think><answer>b</answer>'), sample('writing', '<think>c</think><answer>d</answer>')],
    { countTokens, judge, timeouts: { judgeMs: 300 } }
  );
  assert.ok(performance.now() - t0 < 3000);
  assert.deepEqual(
    records.map((r) => r.facts.undefinedReason),
    ['judge-timeout', 'judge-timeout']
  );
  assert.equal(summary.undefined.accuracy, 2);
});

test('a hung rule verifier is killed at its timeout: undefined and counted, other samples unaffected', async () => {
  const pool = new WorkerPool({ module: new URL('./scorer-hung-verifier-fixture.ts', import.meta.url), size: 2 });
  try {
    const t0 = performance.now();
    const { records, summary } = await scoreBatch(
      [
        sample('math', '<think>x</think><answer>\\boxed{\\frac{4}{2}}</answer>', { answer: '2' }),
        sample('qa', '<think>x</think><answer>Paris</answer>', { answer: 'Paris' }),
        // Plain numbers on both sides never reach the pool: verifyMath's fast path decides them in this thread.
        sample('math', '<think>x</think><answer>\\boxed{0.5}</answer>', { answer: '1/2' }),
      ],
      { countTokens, verifierPool: pool, timeouts: { verifyMs: 300 } }
    );
    assert.ok(performance.now() - t0 < 10_000);
    assert.equal(records[0].components.accuracy, null);
    assert.equal(records[0].facts.undefinedReason, 'verify-timeout');
    assert.equal(records[1].components.accuracy, 1);
    assert.equal(records[1].total, 1.5); // GZ eq. 8: 1 + 0.5·1
    assert.equal(records[2].components.accuracy, 1);
    assert.deepEqual(summary.reasons, { 'verify-timeout': 1 });
  } finally {
    await pool.close();
  }
});

test('unparseable answers: incorrect (GZ default, the judge scale minimum) or undefined (OT option)', async () => {
  const { judge, server } = await judgeOn(() => ({ kind: 'reply', content: '[[4]]' }));
  const noAnswer = '<think>rambling with no answer block';
  const gz = await scoreBatch([sample('writing', noAnswer)], { countTokens, judge });
  // No judge call for an absent answer: R_acc = −5 (scale minimum), R_format = 0, R_length = 0 → R = −5
  assert.equal(gz.records[0].components.accuracy, -5);
  assert.equal(gz.records[0].components.format, 0);
  assert.equal(gz.records[0].total, -5);
  assert.equal(server.requests.length, 0);
  const ot = await scoreBatch([sample('writing', noAnswer)], {
    countTokens,
    judge,
    rewards: { verifiable: { correct: 1, incorrect: 0, unparseable: 'undefined' } },
  });
  assert.equal(ot.records[0].components.accuracy, null);
  assert.equal(ot.records[0].facts.undefinedReason, 'unparseable');
});

test('an empty answer block earns no vacuous constraint credit', async () => {
  const s = sample('writing', '<think>plan</think><answer>  </answer>', {
    constraints: [{ type: 'exclude-words', words: ['sad'] }, { type: 'no-commas' }],
  });
  const { records } = await scoreBatch([s], { countTokens });
  // Unparseable → incorrect (−1), format 1: R = −1 + 0.5·1 + 2·0 = −0.5
  assert.equal(records[0].components.accuracy, -1);
  assert.equal(records[0].total, -0.5);
});

test('bad input fails fast with what to fix', async () => {
  await assert.rejects(
    scoreBatch([{ ...sample('math', 'x'), kind: 'poetry' as 'math' }], { countTokens }),
    (e: unknown) =>
      e instanceof ScorerInputError &&
      /kind: must be one of math, code, qa, writing, stem, got 'poetry'/.test(e.message)
  );
  await assert.rejects(scoreBatch([], {} as never), /countTokens/);
});

test('code: the extracted program runs against the unit tests in the real sandbox; fraction passed recorded', async () => {
  const tests = { inputs: ['2 3\n', '10 -4\n'], outputs: ['5\n', '6\n'] };
  const right =
    '<think>add them</think><answer>```python\na, b = map(int, input().split())\nprint(a + b)\n```</answer>';
  // a·b − 1 is right on "2 3" (2·3 − 1 = 5) and wrong on "10 -4" (10·(−4) − 1 = −41 ≠ 6): 1 of 2 passed.
  const half = '<think>hmm</think><answer>```python\na, b = map(int, input().split())\nprint(a * b - 1)\n```</answer>';
  const { records, summary } = await scoreBatch(
    [
      sample('code', right, { tests }),
      sample('code', half, { tests }),
      sample('code', '<think>x</think><answer></answer>', { tests }),
    ],
    { countTokens }
  );
  assert.equal(summary.undefined.accuracy, 0, JSON.stringify(records.map((r) => r.facts)));
  assert.equal(records[0].components.accuracy, 1);
  assert.equal(records[0].facts.testsPassedFraction, 1);
  assert.equal(records[1].components.accuracy, -1);
  assert.equal(records[1].facts.testsPassedFraction, 0.5);
  // Empty answer: nothing to run → unparseable → incorrect (GZ): −1 + 0.5·1 = −0.5
  assert.equal(records[2].components.accuracy, -1);
  assert.equal(records[2].total, -0.5);
});

test('code: one sandbox run per distinct program and tests in a batch, its verdict given to every copy', async () => {
  /** The real pool, counting the sandboxed processes it admits. */
  class CountingPool extends SandboxPool {
    runs = 0;
    override run<T>(fn: () => Promise<T>): Promise<T> {
      this.runs++;
      return super.run(fn);
    }
  }
  const pool = new CountingPool(2);
  const sum = { inputs: ['2 3\n'], outputs: ['5\n'] };
  const product = { inputs: ['2 3\n'], outputs: ['6\n'] };
  const add = '```python\na, b = map(int, input().split())\nprint(a + b)\n```';
  // Eight responses of one group: five write `add` after different thinking, three a wrong program.
  const group = [
    ...['add', 'sum them', 'plus', 'a+b', 'easy'].map((t) =>
      sample('code', `<think>${t}</think><answer>${add}</answer>`, { tests: sum })
    ),
    ...['x', 'y', 'z'].map((t) =>
      sample('code', `<think>${t}</think><answer>\`\`\`python\nprint(1)\n\`\`\`</answer>`, { tests: sum })
    ),
  ];
  // The same program under other tests is another run.
  const other = sample('code', `<think>add</think><answer>${add}</answer>`, { tests: product });
  const { records } = await scoreBatch([...group, other], { countTokens, sandbox: { pool } });
  assert.equal(pool.runs, 3, 'add under sum, print(1) under sum, add under product');
  assert.deepEqual(
    records.map((r) => r.components.accuracy),
    [1, 1, 1, 1, 1, -1, -1, -1, -1]
  );
  assert.deepEqual(
    records.slice(0, 5).map((r) => r.facts.testsPassedFraction),
    [1, 1, 1, 1, 1]
  );

  // Each batch runs its own programs: nothing is kept from one batch to the next.
  await scoreBatch(group.slice(0, 2), { countTokens, sandbox: { pool } });
  assert.equal(pool.runs, 4);
});

test('math, QA and STEM with the real rule verifiers in worker threads', async () => {
  const { records, summary } = await scoreBatch(
    [
      sample('math', '<think>half</think><answer>The answer is \\boxed{\\frac{1}{2}}</answer>', { answer: '0.5' }),
      sample('math', '<think>third</think><answer>\\boxed{1/3}</answer>', { answer: '\\frac{1}{2}' }),
      sample('qa', '<think>capital</think><answer>the Eiffel Tower</answer>', {
        answer: 'Eiffel Tower',
        accepted: ['La tour Eiffel'],
      }),
      sample('qa', '<think>hm</think><answer>Big Ben</answer>', { answer: 'Eiffel Tower' }),
      sample('stem', '<think>units</think><answer>4.9 J</answer>', { answer: '4.9' }),
    ],
    { countTokens, verifierPool }
  );
  assert.deepEqual(
    records.map((r) => r.components.accuracy),
    [1, -1, 1, -1, 1]
  );
  // GZ eq. 8: ±1 + 0.5·1
  assert.deepEqual(
    records.map((r) => r.total),
    [1.5, -0.5, 1.5, -0.5, 1.5]
  );
  assert.equal(summary.undefined.accuracy, 0);
  for (const r of records) assert.equal(r.components.length, null, 'no length penalty on verifiable tasks');
});

test('model-based verifier (General-Reasoner) rescues a rule-rejected STEM answer; its failure keeps the rule verdict', async () => {
  const script: Script = (req) =>
    /Student Answer: The partial pressures are 30\.0 and 26\.32 torr/.test(userText(req))
      ? { kind: 'reply', content: 'Same values.\nFinal Decision: Yes' }
      : { kind: 'status', status: 500 };
  const { judge, server } = await judgeOn(script, { mode: 'scalar' });
  const rescued = sample(
    'stem',
    '<think>Raoult</think><answer>The partial pressures are 30.0 and 26.32 torr</answer>',
    {
      answer: '30.0 torr, 26.3 torr',
    }
  );
  const failed = sample('stem', '<think>x</think><answer>completely different words</answer>', {
    answer: 'blue whale',
  });
  const { records } = await scoreBatch([rescued, failed], {
    countTokens,
    judge,
    verifierPool,
    rewards: { modelVerifier: { enabled: true } },
  });
  assert.equal(records[0].components.accuracy, 1);
  assert.equal(records[1].components.accuracy, -1);
  assert.equal(server.requests.length, 2, 'the judge is asked only after the rules reject');
  assert.match(userText(server.requests[0]), /### Ground Truth Answer: /);
});
