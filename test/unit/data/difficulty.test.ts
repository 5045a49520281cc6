import assert from 'node:assert/strict';
import { test } from 'node:test';
import { difficultyFilter } from '../../../data/filters/difficulty.ts';
import { countReasons } from '../../../data/filters/types.ts';
import type { ReferencePolicy } from '../../../data/reference-policy.ts';
import type { DatasetRow } from '../../../schemas/records/dataset-row.ts';
import { OpenAIReferencePolicy } from '../../../training/openai-reference-policy.ts';
import { startFakeOpenAI, userText } from '../../helpers/fake-openai-server.ts';

const math = (id: string, prompt: string, reference: string): DatasetRow => ({
  id,
  task: 'm',
  kind: 'math',
  prompt,
  reference,
});
const rows = [math('easy', '1+1=', '2'), math('hard', '99*97=', '9603'), math('mid', '7*8=', '56')];

/** A real policy stand-in with fixed behaviour: answers each prompt from a script of k responses. */
const scripted = (answers: Record<string, string[]>): ReferencePolicy & { calls: number } => ({
  calls: 0,
  async sample(prompts, k) {
    this.calls++;
    return prompts.map((p) => answers[p.prompt].slice(0, k));
  },
});

test('drops prompts solved k/k or 0/k by the real math verifier; records the pass rate of the others', async () => {
  const policy = scripted({
    '1+1=': Array(4).fill('<think>x</think><answer>2</answer>'),
    '99*97=': Array(4).fill('<think>x</think><answer>9000</answer>'),
    // 3 of 4 correct: "56", "\\boxed{56}", "56.0" are equal to 56; "54" is not.
    '7*8=': ['<answer>56</answer>', '<answer>\\boxed{56}</answer>', '<answer>54</answer>', '<answer>56.0</answer>'],
  });
  const progress: [number, number][] = [];
  const r = await difficultyFilter(rows, {
    policy,
    k: 4,
    seed: 1,
    shardSize: 2,
    onProgress: (d, t) => progress.push([d, t]),
  });
  assert.deepEqual(
    r.kept.map((x) => x.id),
    ['mid']
  );
  assert.equal(r.kept[0].meta?.passRate, 0.75);
  assert.deepEqual(countReasons(r.dropped), { 'solved 4/4 (too easy)': 1, 'solved 0/4 (too hard)': 1 });
  assert.equal(policy.calls, 2); // shards of 2 + 1
  assert.deepEqual(progress.at(-1), [3, 3]);
});

test('known pass counts from an earlier attempt are not sampled again', async () => {
  const policy = scripted({ '7*8=': Array(4).fill('<answer>56</answer>'), '1+1=': [], '99*97=': [] });
  const shards: { id: string; passes: number }[][] = [];
  const r = await difficultyFilter(rows, {
    policy,
    k: 4,
    seed: 1,
    known: new Map([
      ['easy', 2],
      ['hard', 0],
    ]),
    onShard: (p) => shards.push(p),
  });
  assert.deepEqual(shards, [[{ id: 'mid', passes: 4 }]]);
  assert.deepEqual(
    r.kept.map((x) => x.id),
    ['easy']
  );
});

test('a policy returning the wrong number of samples is an error that says so', async () => {
  const policy = scripted({ '1+1=': ['2'], '99*97=': ['1'], '7*8=': ['56'] });
  await assert.rejects(
    difficultyFilter(rows, { policy, k: 4, seed: 1 }),
    /must return 4 samples for each of 3 prompts/
  );
  await assert.rejects(difficultyFilter(rows, { policy, k: 1, seed: 1 }), /difficulty\.k: must be a whole number ≥ 2/);
});

test('OpenAI-compatible reference policy over HTTP: k requests per prompt with context, system prompt and seeds', async () => {
  let n = 0;
  const server = await startFakeOpenAI((req) => {
    const q = userText(req);
    // '7*8=' is answered right on every other request, so 2 of 4 pass.
    if (q === '7*8=') return { kind: 'reply', content: n++ % 2 === 0 ? '<answer>56</answer>' : '<answer>58</answer>' };
    return { kind: 'reply', content: q === '1+1=' ? '<answer>2</answer>' : '<answer>0</answer>' };
  });
  try {
    const policy = new OpenAIReferencePolicy({
      baseURL: server.baseURL,
      model: 'ref',
      systemPrompt: 'Answer in tags.',
      concurrency: 3,
      temperature: 0.9,
    });
    const withContext = [
      ...rows,
      {
        ...math('ctx', '2+2=', '4'),
        context: [
          { role: 'user' as const, content: 'warm up' },
          { role: 'assistant' as const, content: 'ok' },
        ],
      },
    ];
    const r = await difficultyFilter(withContext, { policy, k: 4, seed: 5 });
    assert.deepEqual(
      r.kept.map((x) => x.id),
      ['mid']
    );
    assert.equal(r.kept[0].meta?.passRate, 0.5);
    assert.equal(server.requests.length, 16);
    assert.ok(server.maxInFlight <= 3);
    const ctxReq = server.requests.find((q) => userText(q).includes('2+2='));
    assert.deepEqual(
      ctxReq?.messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'user']
    );
    assert.equal(ctxReq?.temperature, 0.9);
    const seeds = new Set(server.requests.filter((q) => userText(q) === '1+1=').map((q) => q.seed));
    assert.equal(seeds.size, 4, 'each of the k samples has its own seed');
  } finally {
    await server.close();
  }
});

test('OpenAI reference policy: an endpoint that keeps failing rejects with the HTTP error after retries', async () => {
  const server = await startFakeOpenAI(() => ({ kind: 'status', status: 500, message: 'boom' }));
  try {
    const policy = new OpenAIReferencePolicy({ baseURL: server.baseURL, model: 'ref', maxRetries: 1, concurrency: 1 });
    await assert.rejects(policy.sample([rows[0]], 1, { seed: 1 }), /500/);
    // One sample, tried once and retried once.
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});
