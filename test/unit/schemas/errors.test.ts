/** Every problem is reported at once, at its own path, with a message a person can act on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPath, parseExperimentConfig } from '../../../schemas/parse.ts';
import { assertIssue, issuesOf, minimal } from './minimal.ts';

test('a misspelt key, a wrong type and an out-of-range value are all reported, each at its path', () => {
  const input = minimal();
  input.grpo = { lerning_rate: 1e-3, clip: { high: 1.5 } };
  input.rollout = { groupSize: 'sixteen' };
  const issues = issuesOf(input);
  assert.deepEqual(issues.map((i) => i.path).sort(), ['grpo.clip.high', 'grpo.lerning_rate', 'rollout.groupSize']);
  assert.equal(
    issues.find((i) => i.path === 'grpo.lerning_rate')?.message,
    "unknown key 'lerning_rate' (did you mean 'learningRate'?)"
  );
  assert.equal(issues.find((i) => i.path === 'grpo.clip.high')?.message, 'must be in (0, 1), got 1.5');
  assert.equal(
    issues.find((i) => i.path === 'rollout.groupSize')?.message,
    'must be an integer, got the string "sixteen"'
  );
});

test('several unknown keys in one object become one issue each', () => {
  const input = minimal();
  input.rollout = { grupSize: 8, temprature: 0.9, zzz: 1 };
  const issues = issuesOf(input);
  assert.deepEqual(issues, [
    { path: 'rollout.grupSize', message: "unknown key 'grupSize' (did you mean 'groupSize'?)" },
    { path: 'rollout.temprature', message: "unknown key 'temprature' (did you mean 'temperature'?)" },
    {
      path: 'rollout.zzz',
      message: "unknown key 'zzz' (known keys: groupSize, temperature, topP, topK, repetitionPenalty, promptsPerStep)",
    },
  ]);
});

test('unknown keys are errors at every depth, including inside lists and unions', () => {
  const input = minimal();
  input.schedule = { kind: 'curriculum', stages: [{ name: 'a', tasks: [{ task: 'math', wieght: 2 }], steps: 3 }] };
  input.window = { type: 'linear', from: 8, to: 16, endStep: 10, start_step: 0 };
  const paths = issuesOf(input).map((i) => i.path);
  assert.deepEqual(paths.sort(), ['schedule.stages[0].tasks[0].wieght', 'window.start_step']);
});

test('an enum value gets the list of choices and a did-you-mean', () => {
  const input = minimal();
  input.grpo = { loss: { aggregation: 'token_mean' } };
  assertIssue(
    input,
    'grpo.loss.aggregation',
    /one of "token-mean", .*got the string "token_mean" \(did you mean 'token-mean'\?\)/
  );
});

test('a wrong discriminator names the choices; a missing one says required', () => {
  const input = minimal();
  input.tasks.math.source = { type: 'synthtic' };
  assertIssue(
    input,
    'tasks.math.source.type',
    /must be one of "synthetic", "jsonl", "file", got the string "synthtic" \(did you mean 'synthetic'\?\)/
  );
  input.tasks.math.source = {};
  assertIssue(input, 'tasks.math.source.type', /^required: one of "synthetic", "jsonl", "file"$/);
});

test('missing required fields say "required"', () => {
  const issues = issuesOf({});
  assert.deepEqual(issues.map((i) => `${i.path}: ${i.message}`).sort(), [
    'model: required',
    'name: required',
    'tasks: required',
  ]);
});

test('a non-object document is one issue at the document', () => {
  for (const doc of [null, 3, 'x', [1, 2]]) {
    const issues = issuesOf(doc);
    assert.equal(issues.length, 1);
    assert.equal(issues[0].path, '');
    assert.match(issues[0].message, /^must be an object, got /);
  }
});

test('bad task names are reported at the name', () => {
  const input = minimal();
  input.tasks = { Math_1: { kind: 'math', source: { type: 'synthetic' } } };
  const issues = issuesOf(input);
  assert.ok(
    issues.some((i) => i.path === 'tasks.Math_1' && /bad name: must be lower-case/.test(i.message)),
    JSON.stringify(issues)
  );
});

test('an API key pasted into apiKeyEnv is refused without echoing it', () => {
  const input = minimal();
  input.rewards = { judge: { baseURL: 'http://127.0.0.1:8000/v1', model: 'j', apiKeyEnv: 'sk-abc123' } };
  assertIssue(input, 'rewards.judge.apiKeyEnv', /looks like an API key/);
  const message = issuesOf(input).find((i) => i.path === 'rewards.judge.apiKeyEnv')?.message ?? '';
  assert.ok(!message.includes('sk-abc123'));
  input.rewards.judge = { baseURL: 'http://127.0.0.1:8000/v1', model: 'j', apiKey: 'secret' };
  assertIssue(input, 'rewards.judge.apiKey', /did you mean 'apiKeyEnv'/);
});

test('formatPath writes dots, indices, and quotes keys that are not identifiers', () => {
  assert.equal(formatPath(['schedule', 'stages', 1, 'tasks', 0, 'weight']), 'schedule.stages[1].tasks[0].weight');
  assert.equal(formatPath(['tasks', 'my task', 'kind']), 'tasks["my task"].kind');
  assert.equal(formatPath([]), '');
});

test('parse is idempotent: a resolved config parses to itself', () => {
  const first = parseExperimentConfig(minimal());
  assert.ok(first.ok);
  const second = parseExperimentConfig(JSON.parse(JSON.stringify(first.config)));
  assert.ok(second.ok);
  assert.deepEqual(second.config, JSON.parse(JSON.stringify(first.config)));
});

test('a right key in the wrong section says where it belongs', () => {
  const input = minimal();
  input.model = { preset: 'tiny', learningRate: 1e-3 };
  input.rollout = { lengthPenalty: {} };
  const issues = issuesOf(input);
  assert.equal(
    issues.find((i) => i.path === 'model.learningRate')?.message,
    "unknown key 'learningRate' here; it belongs in 'grpo.learningRate' or 'schedule.stages[].learningRate'"
  );
  assert.equal(
    issues.find((i) => i.path === 'rollout.lengthPenalty')?.message,
    "unknown key 'lengthPenalty' here; it belongs in 'rewards.lengthPenalty'"
  );
});
