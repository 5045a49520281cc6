import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { prepareTask } from '../../../data/prepare.ts';
import type { ReferencePolicy } from '../../../data/reference-policy.ts';
import { taskSchema } from '../../../schemas/experiment/tasks.ts';
import type { TaskConfig } from '../../../schemas/experiment.ts';
import { datasetRowSchema } from '../../../schemas/records/dataset-row.ts';
import { FileBlobStore } from '../../../storage/file-store.ts';

const fixture = (name: string) => `file://${new URL(`../../fixtures/data/${name}.jsonl`, import.meta.url).pathname}`;
const task = (raw: unknown): TaskConfig => taskSchema.parse(raw) as TaskConfig;
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test('jsonl webinstruct: load → dedup → held-out split → category down-sampling, counted stage by stage, written with hashes', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'oz-prep-'));
  const config = task({
    kind: 'stem',
    source: { type: 'jsonl', uri: fixture('webinstruct'), adapter: 'webinstruct', heldOutSize: 2 },
    filters: { categoryDownsample: { total: 4 } },
  });
  const r = await prepareTask('stem', config, {
    seed: 3,
    output: { store: new FileBlobStore(dir), prefix: 'data/stem' },
  });
  assert.deepEqual(
    r.manifest.stages.map((s) => [s.stage, s.in, s.out, s.dropped]),
    [
      ['load', 14, 10, { 'quarantine: adapter webinstruct': 3, 'quarantine: json': 1 }],
      ['dedup', 10, 10, {}],
      ['held-out-split', 10, 8, { 'moved to held-out': 2 }],
      ['category-downsample', 8, 4, { 'category down-sampling to 4': 4 }],
    ]
  );
  assert.equal(r.train.length, 4);
  assert.equal(r.heldOut.length, 2);
  const heldIds = new Set(r.heldOut.map((x) => x.id));
  assert.ok(r.train.every((x) => !heldIds.has(x.id) && datasetRowSchema.safeParse(x).success));
  // Files: the manifest's hashes are those of the bytes on disk.
  const trainText = await readFile(path.join(dir, 'data/stem/train.jsonl'), 'utf8');
  assert.equal(sha(trainText), r.manifest.outputs.train.sha256);
  assert.equal(trainText.trim().split('\n').length, 4);
  const manifest = JSON.parse(await readFile(path.join(dir, 'data/stem/manifest.json'), 'utf8'));
  assert.deepEqual(manifest, JSON.parse(JSON.stringify(r.manifest)));
  assert.equal(manifest.quarantine.count, 4);
  const q = (await readFile(path.join(dir, 'data/stem/quarantine.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    q.map((x) => x.line),
    [9, 10, 11, 12]
  );
  assert.equal(r.quarantinePath, `file://${dir}/data/stem/quarantine.jsonl`);
  // Same seed, same everything.
  const again = await prepareTask('stem', config, { seed: 3 });
  assert.equal(again.manifest.outputs.train.sha256, r.manifest.outputs.train.sha256);
  assert.equal(again.manifest.outputs.heldOut.sha256, r.manifest.outputs.heldOut.sha256);
});

test('sharegpt with OT rules: turn limit and short replies counted in their own stage; a held-out file is removed from training', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'oz-prep-'));
  const held = path.join(dir, 'held.jsonl');
  // Same prompt as c4 in another spelling: normalised match removes c4 from training.
  await writeFile(
    held,
    `${JSON.stringify({
      id: 'h1',
      conversations: [
        { from: 'human', value: 'describe the sea, in two sentences' },
        { from: 'gpt', value: 'It is wide and deep and old.' },
      ],
    })}\nnot json\n`
  );
  const config = task({
    kind: 'writing',
    source: { type: 'jsonl', uri: fixture('sharegpt'), adapter: 'sharegpt', heldOutUri: `file://${held}` },
    filters: { sharegpt: { maxTurns: 2, minResponseChars: 10 } },
  });
  const r = await prepareTask('writing', config, { seed: 0 });
  const byStage = Object.fromEntries(r.manifest.stages.map((s) => [s.stage, s]));
  assert.deepEqual(byStage.sharegpt.dropped, {
    'conversation over 2 turns': 2,
    'reply under 10 chars (overly simple turn)': 1,
  });
  // c1 c2 c4 c10 c12; the second c1 passes the rules but the loader quarantines its duplicate id.
  assert.equal(byStage.sharegpt.out, 5);
  assert.deepEqual(byStage['load-held-out'], {
    stage: 'load-held-out',
    in: 2,
    out: 1,
    dropped: { 'quarantine (held-out file)': 1 },
  });
  assert.deepEqual(byStage['held-out-overlap'].dropped, { 'same prompt as a held-out row': 1 });
  assert.deepEqual(
    r.train.map((x) => x.id),
    ['c1', 'c2', 'c10', 'c12']
  );
  assert.deepEqual(
    r.heldOut.map((x) => x.id),
    ['h1']
  );
  assert.match(r.manifest.quarantine.topReasons.map((t) => t.reason).join('|'), /held-out file: json/);
});

test('code-r1: the default 1,024-token limit applies to code; a provided tokenizer decides the count', async () => {
  const base = { kind: 'code', source: { type: 'jsonl', uri: fixture('code-r1'), adapter: 'code-r1', heldOutSize: 1 } };
  assert.equal(task(base).filters.maxPromptTokens, 1024);
  const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
  const r = await prepareTask('code', task({ ...base, filters: { maxPromptTokens: 6 } }), {
    seed: 1,
    countTokens: words,
  });
  const stage = r.manifest.stages.find((s) => s.stage === 'max-prompt-tokens');
  // Words per prompt: rows 0 (9), 1 (10), 2 (7) are over 6; 3 (2), 4 (5), 5 (2), 6 (4), 11 (6) are kept.
  assert.deepEqual(stage && [stage.in, stage.out, stage.dropped], [8, 5, { 'prompt over 6 tokens': 3 }]);
  assert.equal(r.manifest.tokenCounter, 'provided');
});

test('synthetic world with the difficulty filter: a reference policy that always solves additions leaves the rest', async () => {
  const policy: ReferencePolicy = {
    async sample(prompts, k) {
      // Right on every sample for '+' problems; right on half of them otherwise.
      return prompts.map((p) =>
        Array.from(
          { length: k },
          (_, j) => `<answer>${p.prompt.includes('+') || j % 2 === 0 ? p.meta?.gold : 'nope'}</answer>`
        )
      );
    },
  };
  const config = task({
    kind: 'math',
    source: { type: 'synthetic', trainSize: 60, heldOutSize: 10 },
    filters: { difficulty: { enabled: true, k: 4 } },
  });
  const progress: string[] = [];
  const r = await prepareTask('arith', config, {
    seed: 7,
    referencePolicy: policy,
    onProgress: (_d, _t, s) => progress.push(s),
  });
  const diff = r.manifest.stages.find((s) => s.stage === 'difficulty');
  const adds = 60 - r.train.length;
  assert.ok(adds > 0 && r.train.length > 0);
  assert.deepEqual(diff?.dropped, { 'solved 4/4 (too easy)': adds });
  assert.ok(r.train.every((x) => !x.prompt.includes('+') && x.meta?.passRate === 0.5 && x.task === 'arith'));
  assert.equal(r.heldOut.length, 10);
  assert.ok(progress.includes('difficulty'));
  assert.equal(r.manifest.seed, 7);
});

test('a difficulty filter that drops every prompt says how they split and what to change', async () => {
  const config = task({
    kind: 'math',
    source: { type: 'synthetic', trainSize: 6, heldOutSize: 1 },
    filters: { difficulty: { enabled: true, k: 3 } },
  });
  const answering = (right: boolean): ReferencePolicy => ({
    async sample(prompts, k) {
      return prompts.map((p) => Array.from({ length: k }, () => `<answer>${right ? p.meta?.gold : 'nope'}</answer>`));
    },
  });
  await assert.rejects(prepareTask('m', config, { seed: 2, referencePolicy: answering(false) }), (err: Error) => {
    assert.match(err.message, /^tasks\.m\.filters\.difficulty: dropped all 6 training prompts/);
    assert.match(err.message, /6 solved 0\/3 times \(too hard\), 0 solved 3\/3 \(too easy\)/);
    assert.match(err.message, /too weak.*raise k.*referenceModel.*referenceEndpoint.*enabled: false/);
    return true;
  });
  await assert.rejects(
    prepareTask('m', config, { seed: 2, referencePolicy: answering(true) }),
    /0 solved 0\/3 times \(too hard\), 6 solved 3\/3 \(too easy\); the reference is too strong/
  );
});

test('configuration problems are errors that say what to fix', async () => {
  const enabled = task({
    kind: 'math',
    source: { type: 'synthetic', trainSize: 5, heldOutSize: 1 },
    filters: { difficulty: { enabled: true } },
  });
  await assert.rejects(
    prepareTask('m', enabled, { seed: 0 }),
    /tasks\.m\.filters\.difficulty: is enabled but no reference policy was given/
  );
  const wrongWorld = task({ kind: 'math', source: { type: 'synthetic', world: 'qa', trainSize: 5, heldOutSize: 1 } });
  await assert.rejects(
    prepareTask('m', wrongWorld, { seed: 0 }),
    /world 'qa' makes qa tasks, but the task is of kind math/
  );
  const tooShort = task({
    kind: 'math',
    source: { type: 'synthetic', trainSize: 20, heldOutSize: 1 },
    filters: { maxPromptTokens: 1 },
  });
  await assert.rejects(
    prepareTask('m', tooShort, { seed: 0 }),
    /no training rows left after preparation \(stages: generate 21→21, dedup 20→20, max-prompt-tokens 20→0, held-out max-prompt-tokens 1→0\)/
  );
  const missing = task({
    kind: 'math',
    source: { type: 'jsonl', uri: 'file:///nonexistent/x.jsonl', adapter: 'openr1-math' },
  });
  await assert.rejects(prepareTask('m', missing, { seed: 0 }), /no file at \/nonexistent\/x\.jsonl/);
});
