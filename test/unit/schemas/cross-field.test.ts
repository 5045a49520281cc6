/** Each cross-field check rejects its bad case at the offending path and accepts the boundary. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertIssue, fourTasks, issuesOf, minimal, valid } from './minimal.ts';

const JUDGE = { baseURL: 'http://127.0.0.1:8000/v1', model: 'judge' };

test('length penalty: lCache ≤ lMax (equal is fine) and answerMin < answerMax', () => {
  assertIssue(
    { ...minimal(), rewards: { lengthPenalty: { lMax: 1000, lCache: 1001 } } },
    'rewards.lengthPenalty.lCache',
    /≤ lMax \(1000\)/
  );
  valid({ ...minimal(), rewards: { lengthPenalty: { lMax: 1000, lCache: 1000 } } });
  assertIssue(
    { ...minimal(), rewards: { lengthPenalty: { answerMin: 4096, answerMax: 4096 } } },
    'rewards.lengthPenalty.answerMin',
    /< answerMax \(4096\)/
  );
});

test('step-wise window: starts at step 0, fromStep strictly increasing, maxTokens non-decreasing', () => {
  const w = (steps: { fromStep: number; maxTokens: number }[]) => ({ ...minimal(), window: { type: 'steps', steps } });
  assertIssue(w([{ fromStep: 5, maxTokens: 10 }]), 'window.steps[0].fromStep', /must be 0/);
  assertIssue(
    w([
      { fromStep: 0, maxTokens: 10 },
      { fromStep: 0, maxTokens: 20 },
    ]),
    'window.steps[1].fromStep',
    /greater than the previous entry's fromStep \(0\)/
  );
  assertIssue(
    w([
      { fromStep: 0, maxTokens: 20 },
      { fromStep: 5, maxTokens: 10 },
    ]),
    'window.steps[1].maxTokens',
    /only grows/
  );
  valid(
    w([
      { fromStep: 0, maxTokens: 20 },
      { fromStep: 5, maxTokens: 20 },
    ])
  );
});

test('linear window: to ≥ from and endStep > startStep', () => {
  const w = (x: object) => ({ ...minimal(), window: { type: 'linear', from: 64, to: 128, endStep: 10, ...x } });
  valid(w({}));
  valid(w({ to: 64 }));
  assertIssue(w({ to: 32 }), 'window.to', /≥ from \(64\)/);
  assertIssue(w({ startStep: 10 }), 'window.endStep', /greater than startStep \(10\)/);
});

test('stage windows are checked the same way, at the stage path', () => {
  const input = minimal();
  input.schedule = {
    kind: 'curriculum',
    stages: [
      {
        name: 's',
        tasks: [{ task: 'math' }],
        steps: 5,
        window: { type: 'steps', steps: [{ fromStep: 3, maxTokens: 8 }] },
      },
    ],
  };
  assertIssue(input, 'schedule.stages[0].window.steps[0].fromStep', /must be 0/);
});

test('stage task weights must be positive', () => {
  const input = fourTasks();
  input.schedule = {
    kind: 'joint',
    stages: [
      {
        name: 'all',
        steps: 5,
        tasks: [
          { task: 'math', weight: 1 },
          { task: 'code', weight: 0 },
        ],
      },
    ],
  };
  assertIssue(input, 'schedule.stages[0].tasks[1].weight', /must be > 0/);
});

test("every stage's task is defined in tasks, with a did-you-mean", () => {
  const input = minimal();
  input.schedule = { kind: 'curriculum', stages: [{ name: 'a', tasks: [{ task: 'maths' }], steps: 5 }] };
  assertIssue(
    input,
    'schedule.stages[0].tasks[0].task',
    /unknown task 'maths' \(did you mean 'math'\?\); tasks defined: math/
  );
});

test('stage names are unique; a task appears once per stage', () => {
  const input = fourTasks();
  input.schedule = {
    kind: 'curriculum',
    stepsPerStage: 5,
    stages: [
      { name: 'a', tasks: [{ task: 'math' }] },
      { name: 'a', tasks: [{ task: 'code' }] },
    ],
  };
  assertIssue(input, 'schedule.stages[1].name', /duplicate stage name 'a' \(also stages\[0\]\)/);
  input.schedule = {
    kind: 'joint',
    stepsPerStage: 5,
    stages: [{ name: 'j', tasks: [{ task: 'math' }, { task: 'math' }] }],
  };
  assertIssue(input, 'schedule.stages[0].tasks[1].task', /listed twice/);
});

test('a curriculum stage trains one task; joint training is one stage', () => {
  const input = fourTasks();
  input.schedule = {
    kind: 'curriculum',
    stepsPerStage: 5,
    stages: [{ name: 'mix', tasks: [{ task: 'math' }, { task: 'code' }] }],
  };
  assertIssue(input, 'schedule.stages[0].tasks', /exactly one task \(OT §3\.2\), got 2; use kind: joint/);
  input.schedule = {
    kind: 'joint',
    stepsPerStage: 5,
    stages: [
      { name: 'a', tasks: [{ task: 'math' }] },
      { name: 'b', tasks: [{ task: 'code' }] },
    ],
  };
  assertIssue(input, 'schedule.stages', /one stage mixing tasks \(got 2\)/);
});

test('every stage needs a step budget: its own or stepsPerStage', () => {
  const input = minimal();
  input.schedule = { kind: 'curriculum', stages: [{ name: 'a', tasks: [{ task: 'math' }] }] };
  assertIssue(input, 'schedule.stages[0].steps', /step budget/);
  input.schedule = { kind: 'curriculum' };
  assertIssue(input, 'schedule.stepsPerStage', /required when stages are not listed/);
  input.schedule = {
    kind: 'curriculum',
    stepsPerStage: 4,
    stages: [{ name: 'a', tasks: [{ task: 'math' }], steps: 9 }],
  };
  assert.equal(valid(input).schedule.stages[0].steps, 9);
});

test('GRPO needs a group of at least 2', () => {
  assertIssue({ ...minimal(), rollout: { groupSize: 1 } }, 'rollout.groupSize', /at least 2/);
  valid({ ...minimal(), rollout: { groupSize: 2 } });
});

test('clip ε must be in (0, 1) on both sides; dual-clip c > 1', () => {
  assertIssue({ ...minimal(), grpo: { clip: { low: 0 } } }, 'grpo.clip.low', /must be in \(0, 1\), got 0/);
  assertIssue({ ...minimal(), grpo: { clip: { high: 1 } } }, 'grpo.clip.high', /must be in \(0, 1\), got 1/);
  assertIssue({ ...minimal(), grpo: { clip: { dual: 1 } } }, 'grpo.clip.dual', /must be > 1/);
  valid({ ...minimal(), grpo: { clip: { low: 0.2, high: 0.28, dual: 3 } } });
});

test('a task scored by the judge needs rewards.judge; constraints or a judge satisfy it', () => {
  const input = minimal();
  input.tasks.writing = { kind: 'writing', source: { type: 'synthetic' } };
  assertIssue(input, 'rewards.judge', /task 'writing' is scored by the judge/);
  valid({ ...input, rewards: { judge: JUDGE } });
  input.tasks.writing.scorer = 'constraints';
  valid(input);
});

test('the model-based verifier needs the judge too', () => {
  assertIssue({ ...minimal(), rewards: { modelVerifier: { enabled: true } } }, 'rewards.judge', /modelVerifier/);
});

test('judge prompt templates must contain their placeholders', () => {
  const input = {
    ...minimal(),
    rewards: { judge: { ...JUDGE, prompts: { pairwise: 'Compare {question} and {answer}.' } } },
  };
  assertIssue(input, 'rewards.judge.prompts.pairwise', /missing placeholder\(s\) \{reference\}/);
});

test('task kinds and verifiability agree; scorer agrees with verifiability', () => {
  const input = minimal();
  input.tasks.w = { kind: 'writing', verifiable: true, scorer: 'constraints', source: { type: 'synthetic' } };
  assert.ok(issuesOf(input).some((i) => i.path === 'tasks.w.verifiable'));
  input.tasks.w = { kind: 'math', verifiable: false, source: { type: 'synthetic' } };
  assert.ok(issuesOf(input).some((i) => i.path === 'tasks.w.verifiable'));
  input.tasks.w = { kind: 'qa', scorer: 'judge', source: { type: 'synthetic' } };
  assertIssue(input, 'tasks.w.scorer', /verifiable task uses scorer 'verifier'/);
  input.tasks.w = { kind: 'stem', verifiable: false, source: { type: 'synthetic' } };
  assert.equal(valid({ ...input, rewards: { judge: JUDGE } }).tasks.w.scorer, 'judge');
});

test('filters apply only where they make sense', () => {
  const input = minimal();
  input.tasks.w = {
    kind: 'writing',
    scorer: 'constraints',
    source: { type: 'synthetic' },
    filters: { difficulty: { enabled: true } },
  };
  assertIssue(input, 'tasks.w.filters.difficulty.enabled', /needs a verifiable task/);
  input.tasks.w = { kind: 'qa', source: { type: 'synthetic' }, filters: { categoryDownsample: { total: 10 } } };
  assertIssue(input, 'tasks.w.filters.categoryDownsample', /jsonl source/);
  input.tasks.w = {
    kind: 'qa',
    source: { type: 'jsonl', uri: 'file://q.jsonl', adapter: 'supergpqa' },
    filters: { sharegpt: { maxTurns: 2 } },
  };
  assertIssue(input, 'tasks.w.filters.sharegpt', /adapter 'sharegpt'/);
  const reference = { enabled: true, referenceModel: 'file://ref', referenceEndpoint: JUDGE };
  input.tasks.w = { kind: 'qa', source: { type: 'synthetic' }, filters: { difficulty: reference } };
  assertIssue(
    input,
    'tasks.w.filters.difficulty.referenceEndpoint',
    /referenceModel .* or referenceEndpoint .*, not both/
  );
  input.tasks.w = {
    kind: 'qa',
    source: { type: 'synthetic' },
    filters: { difficulty: { ...reference, referenceModel: undefined } },
  };
  valid(input);
});

test('KL per-task coefficients name defined tasks; a stage override names its own tasks', () => {
  assertIssue(
    { ...minimal(), grpo: { kl: { perTask: { maht: 0.1 } } } },
    'grpo.kl.perTask.maht',
    /did you mean 'math'/
  );
  const input = fourTasks();
  input.schedule = {
    kind: 'curriculum',
    stepsPerStage: 3,
    stages: [{ name: 'm', tasks: [{ task: 'math' }], kl: { perTask: { code: 0.1 } } }],
  };
  assertIssue(input, 'schedule.stages[0].kl.perTask.code', /not trained in this stage/);
});

test('the learning rate is required when the model has no preset', () => {
  const input = { ...minimal(), model: { checkpoint: 'file://models/qwen' } };
  assertIssue(input, 'grpo.learningRate', /required when model has no preset/);
  assert.equal(valid({ ...input, grpo: { learningRate: 1e-6 } }).grpo.learningRate, 1e-6);
});

test('model: preset and shape are exclusive; one of preset, shape or checkpoint is needed', () => {
  const shape = {
    vocabSize: 300,
    hiddenSize: 64,
    numLayers: 2,
    numHeads: 4,
    intermediateSize: 128,
    maxPositions: 4096,
  };
  assertIssue({ ...minimal(), model: { preset: 'tiny', shape } }, 'model.shape', /either preset or shape/);
  assertIssue(
    { ...minimal(), model: {} },
    'model.preset',
    /give a preset \(micro, tiny, small, base, qwen2\.5-0\.5b, qwen3-0\.6b\)/
  );
  const c = valid({
    ...minimal(),
    model: { shape },
    grpo: { learningRate: 1e-3 },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 1024 }] },
  });
  assert.equal(c.model.shape?.headDim, 16); // 64 / 4
  assert.equal(c.model.shape?.numKvHeads, 4);
});

test('shape checks: GQA heads divide, byte vocabulary fits, window + prompt fit maxPositions', () => {
  const shape = { vocabSize: 300, hiddenSize: 64, numLayers: 2, numHeads: 4, intermediateSize: 128, maxPositions: 256 };
  const base = {
    ...minimal(),
    grpo: { learningRate: 1e-3 },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 128 }] },
  };
  valid({ ...base, model: { shape } });
  assertIssue(
    { ...base, model: { shape: { ...shape, numKvHeads: 3 } } },
    'model.shape.numKvHeads',
    /must divide numHeads \(4\)/
  );
  // 256 bytes + pad/bos/eos + 4 tag tokens = 263.
  assertIssue({ ...base, model: { shape: { ...shape, vocabSize: 262 } } }, 'model.shape.vocabSize', /at least 263/);
  valid({ ...base, model: { shape: { ...shape, vocabSize: 259 }, tokenizer: { type: 'byte', tagTokens: false } } });
  // window 200 + prompt limit 100 = 300 > 256.
  const long: Record<string, any> = {
    ...base,
    model: { shape },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 200 }] },
  };
  long.tasks = { math: { kind: 'math', source: { type: 'synthetic' }, filters: { maxPromptTokens: 100 } } };
  assertIssue(
    long,
    'window',
    /reaches 200 response tokens \+ 100 prompt tokens, beyond model\.shape\.maxPositions \(256\)/
  );
});

test('mini-batch divides the prompts per step; accumulation divides the responses per mini-batch', () => {
  assertIssue(
    { ...minimal(), rollout: { promptsPerStep: 12 }, grpo: { miniBatchSize: 5 } },
    'grpo.miniBatchSize',
    /divide rollout\.promptsPerStep \(12\)/
  );
  assertIssue(
    { ...minimal(), rollout: { promptsPerStep: 12 }, grpo: { miniBatchSize: 24 } },
    'grpo.miniBatchSize',
    /divide/
  );
  assert.equal(
    valid({ ...minimal(), rollout: { promptsPerStep: 12 }, grpo: { miniBatchSize: 4 } }).grpo.miniBatchSize,
    4
  );
  // 2 prompts × 4 responses = 8 sequences; 3 micro-batches do not divide them.
  assertIssue(
    { ...minimal(), rollout: { promptsPerStep: 2, groupSize: 4 }, grpo: { gradientAccumulation: 3 } },
    'grpo.gradientAccumulation',
    /2 × groupSize 4 = 8/
  );
});

test('loss: constant-normaliser needs a fixed constant, and a constant is refused with any other mode', () => {
  assertIssue(
    { ...minimal(), grpo: { loss: { aggregation: 'constant-normaliser' } } },
    'grpo.loss.constant',
    /required with constant-normaliser/
  );
  assertIssue(
    { ...minimal(), grpo: { loss: { constant: 4096 } } },
    'grpo.loss.constant',
    /only used with aggregation 'constant-normaliser'/
  );
  valid({ ...minimal(), grpo: { loss: { aggregation: 'constant-normaliser', constant: 4096 } } });
});

test('verifiable rewards: correct must exceed incorrect', () => {
  assertIssue(
    { ...minimal(), rewards: { verifiable: { correct: 0, incorrect: 0 } } },
    'rewards.verifiable.correct',
    /greater than incorrect/
  );
  valid({ ...minimal(), rewards: { verifiable: { correct: 1, incorrect: 0 } } });
});

test('template: tags differ; renamed tags need their own system prompt', () => {
  assertIssue({ ...minimal(), template: { thinkTag: 'answer' } }, 'template.answerTag', /must differ from thinkTag/);
  assertIssue(
    { ...minimal(), template: { thinkTag: 'reason' } },
    'template.systemPrompt',
    /required when the tags are renamed/
  );
  valid({
    ...minimal(),
    template: { thinkTag: 'reason', systemPrompt: 'Reason in <reason></reason>, answer in <answer></answer>.' },
  });
  assertIssue({ ...minimal(), template: { thinkTag: '<think>' } }, 'template.thinkTag', /without angle brackets/);
});

test('evaluation: avg@k with k > 1 needs a temperature above 0; per-task overrides name defined tasks', () => {
  assertIssue(
    { ...minimal(), evaluation: { temperature: 0, avgK: 4 } },
    'evaluation.temperature',
    /must be > 0 when avg@k/
  );
  valid({ ...minimal(), evaluation: { temperature: 0 } });
  assertIssue(
    { ...minimal(), evaluation: { perTask: { code: { avgK: 2 } } } },
    'evaluation.perTask.code',
    /unknown task 'code'/
  );
});

test('URIs, durations, names and numbers are checked where they are written', () => {
  assertIssue(
    { ...minimal(), checkpoint: { storage: '/tmp/runs' } },
    'checkpoint.storage',
    /file:\/\/<path> or s3:\/\/<bucket>/
  );
  valid({ ...minimal(), checkpoint: { storage: 's3://omni-zero-demo/runs' } });
  assertIssue(
    { ...minimal(), orchestration: { activityTimeouts: { rollout: '10 minutes' } } },
    'orchestration.activityTimeouts.rollout',
    /duration such as/
  );
  assertIssue({ ...minimal(), name: 'My Run' }, 'name', /lower-case letters/);
  assertIssue({ ...minimal(), rollout: { topP: 0 } }, 'rollout.topP', /must be > 0, got 0/);
  assertIssue({ ...minimal(), rollout: { temperature: 0 } }, 'rollout.temperature', /greedy decoding/);
  assertIssue({ ...minimal(), seed: 1.5 }, 'seed', /integer|number/);
  assertIssue(
    { ...minimal(), rewards: { judge: { ...JUDGE, baseURL: 'ftp://x' } } },
    'rewards.judge.baseURL',
    /http\(s\) URL/
  );
});
