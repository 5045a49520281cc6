import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { JudgeClient } from '../../rewards/judge/client.ts';
import { JudgeConfigError } from '../../rewards/judge/errors.ts';
import type { JudgeOptions } from '../../rewards/judge/options.ts';
import { type Behaviour, type Script, startFakeOpenAI, userText } from '../helpers/fake-openai-server.ts';

/** Fast retries so the suite stays quick; the backoff law itself is unit-tested. */
const FAST: Omit<JudgeOptions, 'baseURL'> = {
  model: 'judge-1',
  timeoutMs: 2000,
  retries: 2,
  backoffBaseMs: 5,
  backoffMaxMs: 20,
};

async function withServer(
  script: Script,
  fn: (url: string, server: Awaited<ReturnType<typeof startFakeOpenAI>>) => Promise<void>
) {
  const server = await startFakeOpenAI(script);
  try {
    await fn(server.baseURL, server);
  } finally {
    await server.close();
  }
}

const always =
  (b: Behaviour): Script =>
  () =>
    b;

test('scalar: a normal reply becomes the score; the request carries model, template and temperature 0', async () => {
  await withServer(always({ kind: 'reply', content: 'Clear and correct.\n[[4]]' }), async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, model: 'judge-1' });
    const r = await judge.scoreScalar({ question: 'Write a haiku', answer: 'Autumn moon…' });
    assert.equal(r.value, 4);
    assert.equal(r.attempts, 1);
    assert.equal(server.requests.length, 1);
    const req = server.requests[0];
    assert.equal(req.model, 'judge-1');
    assert.equal(req.temperature, 0);
    assert.match(userText(req), /\[Question\]\nWrite a haiku/);
    assert.match(userText(req), /\[Answer\]\nAutumn moon…/);
  });
});

test('a reply without a score is undefined (null) and counted as a parse failure, not retried', async () => {
  await withServer(
    always({ kind: 'reply', content: 'This answer is quite good overall.' }),
    async (baseURL, server) => {
      const judge = new JudgeClient({ ...FAST, baseURL });
      const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
      assert.equal(r.value, null);
      assert.equal(r.failure, 'parse');
      assert.equal(server.requests.length, 1);
      assert.equal(judge.stats().failures.parse, 1);
      assert.equal(judge.stats().succeeded, 0);
    }
  );
});

test('timeout: a slow server is abandoned after timeoutMs per attempt, retried, then undefined', async () => {
  await withServer(always({ kind: 'slow', delayMs: 5000, content: '[[1]]' }), async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, timeoutMs: 400, retries: 1 });
    const t0 = performance.now();
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
    const ms = performance.now() - t0;
    assert.equal(r.value, null);
    assert.equal(r.failure, 'timeout');
    assert.equal(server.requests.length, 2); // first attempt + 1 retry
    // 2 attempts × 400 ms + one backoff ≤ 20 ms: well under the server's 5 s delay.
    assert.ok(ms >= 790 && ms < 3000, `took ${ms} ms`);
    assert.equal(judge.stats().retries, 1);
    assert.equal(judge.stats().failures.timeout, 1);
  });
});

test('a hung judge: requests left unanswered time out and are retried; the first answer after the hang counts', async () => {
  const script: Script = (_req, n) => (n < 2 ? { kind: 'hang' } : { kind: 'reply', content: '[[3]]' });
  await withServer(script, async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, timeoutMs: 300, retries: 3 });
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
    assert.equal(r.value, 3);
    assert.equal(r.attempts, 3);
    assert.equal(server.requests.length, 3);
    assert.equal(judge.stats().retries, 2);
  });
});

test('500s are retried with backoff until success; the retry count is exact', async () => {
  const script: Script = (_req, n) =>
    n < 2 ? { kind: 'status', status: 500 } : { kind: 'reply', content: 'Score: -2' };
  await withServer(script, async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, retries: 3 });
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
    assert.equal(r.value, -2);
    assert.equal(r.attempts, 3);
    assert.equal(server.requests.length, 3);
    assert.equal(judge.stats().retries, 2);
  });
});

test('exhausted retries on 500 make the component undefined and counted', async () => {
  await withServer(always({ kind: 'status', status: 503 }), async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, retries: 2 });
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
    assert.equal(r.value, null);
    assert.equal(r.failure, 'server-error');
    assert.equal(server.requests.length, 3);
    assert.equal(judge.stats().failures['server-error'], 1);
  });
});

test('429 with Retry-After: the client waits the asked time before retrying', async () => {
  const script: Script = (_req, n) =>
    n === 0 ? { kind: 'status', status: 429, headers: { 'retry-after': '0.3' } } : { kind: 'reply', content: '[[2]]' };
  await withServer(script, async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL });
    const t0 = performance.now();
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
    const ms = performance.now() - t0;
    assert.equal(r.value, 2);
    assert.equal(server.requests.length, 2);
    // Retry-After 0.3 s honoured; the exponential backoff alone would have been ≤ 20 ms.
    assert.ok(ms >= 290, `retried after ${ms} ms`);
  });
});

test('429 asking for longer than maxRetryAfterMs stops instead of hammering the server', async () => {
  await withServer(
    always({ kind: 'status', status: 429, headers: { 'retry-after': '120' } }),
    async (baseURL, server) => {
      const judge = new JudgeClient({ ...FAST, baseURL, maxRetryAfterMs: 1000 });
      const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
      assert.equal(r.value, null);
      assert.equal(r.failure, 'rate-limited');
      assert.equal(server.requests.length, 1);
    }
  );
});

test('malformed JSON bodies and connection resets are retried; a 400 is not', async () => {
  const flaky: Script = (_req, n) =>
    n === 0 ? { kind: 'malformed' } : n === 1 ? { kind: 'reset' } : { kind: 'reply', content: '[[5]]' };
  await withServer(flaky, async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, retries: 2 });
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
    assert.equal(r.value, 5);
    assert.equal(server.requests.length, 3);
  });
  await withServer(always({ kind: 'reset' }), async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, retries: 1 });
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
    assert.equal(r.failure, 'network');
    assert.equal(server.requests.length, 2);
  });
  await withServer(always({ kind: 'status', status: 400 }), async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, retries: 3 });
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
    assert.equal(r.failure, 'client-error');
    assert.equal(server.requests.length, 1);
  });
});

test('cache: an identical judgement is answered without a second request, also across clients via the JSONL', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'judge-cache-'));
  try {
    await withServer(always({ kind: 'reply', content: '[[3]]' }), async (baseURL, server) => {
      const judge = new JudgeClient({ ...FAST, baseURL, cacheDir: dir });
      const a = await judge.scoreScalar({ question: 'q', answer: 'a' });
      const b = await judge.scoreScalar({ question: 'q', answer: 'a' });
      assert.equal(a.value, 3);
      assert.equal(b.value, 3);
      assert.equal(b.cached, true);
      assert.equal(server.requests.length, 1);
      // Identical requests in flight together share one HTTP call too.
      const [c, d] = await Promise.all([
        judge.scoreScalar({ question: 'q2', answer: 'a' }),
        judge.scoreScalar({ question: 'q2', answer: 'a' }),
      ]);
      assert.deepEqual([c.value, d.value], [3, 3]);
      assert.equal(server.requests.length, 2);
      // A different answer is a different key.
      await judge.scoreScalar({ question: 'q', answer: 'b' });
      assert.equal(server.requests.length, 3);
      assert.equal(judge.stats().cacheHits, 2);

      const lines = (await readFile(path.join(dir, 'judge-cache.jsonl'), 'utf8')).trim().split('\n');
      assert.equal(lines.length, 3);
      const fresh = new JudgeClient({ ...FAST, baseURL, cacheDir: dir });
      const e = await fresh.scoreScalar({ question: 'q', answer: 'a' });
      assert.equal(e.value, 3);
      assert.equal(e.cached, true);
      assert.equal(server.requests.length, 3);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pairwise: the server sees both orders; verdicts are mapped back to the policy', async () => {
  // A judge with total position bias: always prefers whatever is shown first.
  await withServer(always({ kind: 'reply', content: '[[A>B]]' }), async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, mode: 'pairwise' });
    const r = await judge.comparePairwise({ question: 'Write a poem', answer: 'POLICY-POEM', reference: 'REF-POEM' });
    assert.equal(server.requests.length, 2);
    const texts = server.requests.map(userText);
    const policyFirst = texts.find((t) => t.indexOf('POLICY-POEM') < t.indexOf('REF-POEM'));
    const refFirst = texts.find((t) => t.indexOf('REF-POEM') < t.indexOf('POLICY-POEM'));
    assert.ok(policyFirst && refFirst, 'both presentation orders reached the server');
    assert.match(policyFirst, /\[Response A\]\nPOLICY-POEM/);
    assert.match(refFirst, /\[Response A\]\nREF-POEM/);
    // Order 1: policy is A and wins; order 2: policy is B and loses → disagreement → tie 0.5.
    assert.deepEqual(r.outcomes, ['win', 'loss']);
    assert.equal(r.value, 0.5);
  });
  // A judge that truly prefers the policy's answer, whichever slot it is in.
  const fair: Script = (req) => {
    const t = userText(req);
    return { kind: 'reply', content: t.indexOf('POLICY') < t.indexOf('REF') ? '[[A>B]]' : '[[B>A]]' };
  };
  await withServer(fair, async (baseURL) => {
    const judge = new JudgeClient({ ...FAST, baseURL, mode: 'pairwise' });
    const r = await judge.comparePairwise({ question: 'q', answer: 'POLICY', reference: 'REF' });
    assert.deepEqual(r.outcomes, ['win', 'win']);
    assert.equal(r.value, 1);
  });
});

test('pairwise: one order failing makes the judgement undefined by default, or uses the survivor with single', async () => {
  const oneFails: Script = (req) =>
    userText(req).indexOf('POLICY') < userText(req).indexOf('REF')
      ? { kind: 'reply', content: '[[B>A]]' }
      : { kind: 'reply', content: 'I cannot decide.' };
  await withServer(oneFails, async (baseURL) => {
    const strict = new JudgeClient({ ...FAST, baseURL });
    const r = await strict.comparePairwise({ question: 'q', answer: 'POLICY', reference: 'REF' });
    assert.equal(r.value, null);
    assert.equal(r.failure, 'parse');
    assert.deepEqual(r.outcomes, ['loss', null]);
    assert.equal(strict.stats().failures.parse, 1);
    const lenient = new JudgeClient({ ...FAST, baseURL, onOneOrderFailed: 'single' });
    assert.equal((await lenient.comparePairwise({ question: 'q', answer: 'POLICY', reference: 'REF' })).value, 0);
  });
});

test('verify mode: question, reference and answer reach the judge; Final Decision parsed', async () => {
  await withServer(
    always({ kind: 'reply', content: 'Both are 4.9 J.\nFinal Decision: Yes' }),
    async (baseURL, server) => {
      const judge = new JudgeClient({ ...FAST, baseURL, mode: 'verify' });
      const r = await judge.verifyEquivalence({ question: 'Work done?', reference: '4.9 J', answer: '4.9 N·m' });
      assert.equal(r.value, true);
      const t = userText(server.requests[0]);
      assert.match(t, /### Question: Work done\?/);
      assert.match(t, /### Ground Truth Answer: 4\.9 J/);
      assert.match(t, /### Student Answer: 4\.9 N·m/);
    }
  );
});

test('concurrency limit: the server never sees more than `concurrency` requests at once', async () => {
  await withServer(always({ kind: 'reply', content: '[[1]]', delayMs: 150 }), async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, concurrency: 3 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => judge.scoreScalar({ question: `q${i}`, answer: 'a' }))
    );
    assert.ok(results.every((r) => r.value === 1));
    assert.equal(server.requests.length, 12);
    assert.equal(server.maxInFlight, 3);
  });
});

test('API key: read from the named env var and sent as a bearer token; a missing variable is a config error', async () => {
  await withServer(always({ kind: 'reply', content: '[[0]]' }), async (baseURL, server) => {
    const judge = new JudgeClient(
      { ...FAST, baseURL, apiKeyEnv: 'TEST_JUDGE_KEY' },
      { env: { TEST_JUDGE_KEY: 'sk-test-123' } }
    );
    await judge.scoreScalar({ question: 'q', answer: 'a' });
    assert.equal(server.authorizations[0], 'Bearer sk-test-123');
    assert.ok(!JSON.stringify(judge.options).includes('sk-test-123'), 'the key is not kept in the options');
  });
  assert.throws(
    () => new JudgeClient({ baseURL: 'http://127.0.0.1:1/v1', model: 'm', apiKeyEnv: 'NOPE_NOT_SET' }, { env: {} }),
    (e: unknown) => e instanceof JudgeConfigError && /NOPE_NOT_SET/.test(e.message)
  );
});

test('an aborted caller signal ends the judgement promptly as undefined', async () => {
  await withServer(always({ kind: 'slow', delayMs: 5000, content: '[[1]]' }), async (baseURL) => {
    const judge = new JudgeClient({ ...FAST, baseURL, timeoutMs: 4000 });
    const t0 = performance.now();
    const r = await judge.scoreScalar({ question: 'q', answer: 'a' }, AbortSignal.timeout(100));
    assert.equal(r.value, null);
    assert.equal(r.failure, 'aborted');
    assert.ok(performance.now() - t0 < 1000);
  });
});

test('pairwise: a config-style template with {answer}/{reference} is swapped per order; bothOrders false asks once', async () => {
  const template = 'Q: {question}\nFIRST: {answer}\nSECOND: {reference}\nVerdict [[A>B]] if FIRST is better.';
  const fair: Script = (req) => ({
    kind: 'reply',
    content: /FIRST: POLICY/.test(userText(req)) ? '[[A>B]]' : '[[B>A]]',
  });
  await withServer(fair, async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL, templates: { pairwise: template } });
    const r = await judge.comparePairwise({ question: 'q', answer: 'POLICY', reference: 'REF' });
    const texts = server.requests.map(userText);
    assert.ok(texts.some((t) => /FIRST: POLICY\nSECOND: REF/.test(t)));
    assert.ok(texts.some((t) => /FIRST: REF\nSECOND: POLICY/.test(t)));
    assert.deepEqual(r.outcomes, ['win', 'win']);
    assert.equal(r.value, 1);
    const once = new JudgeClient({
      ...FAST,
      baseURL,
      bothOrders: false,
      cache: false,
      templates: { pairwise: template },
    });
    const before = server.requests.length;
    const s = await once.comparePairwise({ question: 'q', answer: 'POLICY', reference: 'REF' });
    assert.equal(server.requests.length - before, 1);
    assert.equal(s.value, 1);
  });
});

test('judgeOptionsFromConfig maps the config section (prompts → templates) and keeps defaults for the rest', async () => {
  const { judgeOptionsFromConfig } = await import('../../rewards/judge/from-config.ts');
  const o = judgeOptionsFromConfig(
    {
      mode: 'pairwise',
      baseURL: 'http://127.0.0.1:9/v1',
      model: 'm',
      bothOrders: true,
      prompts: { verify: 'V {question} {reference} {answer}' },
    },
    { cacheDir: '/tmp/x' }
  );
  const judge = new JudgeClient(o);
  assert.equal(judge.options.mode, 'pairwise');
  assert.equal(judge.options.templates.verify, 'V {question} {reference} {answer}');
  assert.match(judge.options.templates.scalar, /\[\[score\]\]/);
  assert.equal(judge.options.cacheDir, '/tmp/x');
  assert.equal(judge.options.retries, 3);
});

test('an unwritable cache directory loses the disk copy, never the judgement', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'judge-cache-bad-'));
  const { writeFile } = await import('node:fs/promises');
  const blocker = path.join(dir, 'not-a-dir');
  await writeFile(blocker, 'a file where the cache directory should be');
  try {
    await withServer(always({ kind: 'reply', content: '[[2]]' }), async (baseURL) => {
      const judge = new JudgeClient({ ...FAST, baseURL, cacheDir: path.join(blocker, 'cache') });
      const r = await judge.scoreScalar({ question: 'q', answer: 'a' });
      assert.equal(r.value, 2);
      assert.equal(judge.stats().cacheWriteErrors, 1);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a caller joining an in-flight request is not failed by the first caller giving up', async () => {
  await withServer(always({ kind: 'reply', content: '[[1]]', delayMs: 300 }), async (baseURL, server) => {
    const judge = new JudgeClient({ ...FAST, baseURL });
    const [impatient, patient] = await Promise.all([
      judge.scoreScalar({ question: 'q', answer: 'a' }, AbortSignal.timeout(50)),
      judge.scoreScalar({ question: 'q', answer: 'a' }),
    ]);
    assert.equal(impatient.failure, 'aborted');
    assert.equal(patient.value, 1);
    assert.equal(server.requests.length, 2);
  });
});

test('requestsPerMinute spaces request starts evenly', async () => {
  const arrivals: number[] = [];
  await withServer(
    () => {
      arrivals.push(performance.now());
      return { kind: 'reply', content: '[[1]]' };
    },
    async (baseURL) => {
      // 600 per minute → one start every 100 ms: 5 requests span ≥ 400 ms even with concurrency 8.
      const judge = new JudgeClient({ ...FAST, baseURL, requestsPerMinute: 600 });
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 5 }, (_, i) => judge.scoreScalar({ question: `q${i}`, answer: 'a' })));
      assert.ok(performance.now() - t0 >= 395, `took ${performance.now() - t0} ms`);
      // The k-th start is never early (k × 100 ms after the first call); a loaded machine may make any of them late,
      // so the gaps between arrivals are not checked.
      const offsets = arrivals.map((t) => t - t0);
      for (const [k, o] of offsets.entries())
        assert.ok(o >= k * 100 - 5, `request ${k} arrived ${o.toFixed(0)} ms after the first call (< ${k * 100})`);
    }
  );
});
