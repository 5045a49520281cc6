/** A minimal config gets the papers' values (SPEC §1–8); each important default is pinned here explicitly. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ADVANTAGE } from '../../../rl/advantages.ts';
import { DEFAULT_LENGTH_PENALTY } from '../../../rl/length-penalty.ts';
import { DEFAULT_PPO_CLIP } from '../../../rl/policy-loss.ts';
import { DEFAULT_GZ_REWARD } from '../../../rl/reward-total.ts';
import { GZ_SYSTEM_PROMPT } from '../../../schemas/experiment/template.ts';
import { fourTasks, minimal, valid } from './minimal.ts';

test('rollout defaults are GZ §4.1: G=16, temperature 1.0, top-p 1.0, top-k off, 128 prompts per step', () => {
  const c = valid(minimal());
  assert.deepEqual(c.rollout, {
    groupSize: 16,
    temperature: 1.0,
    topP: 1.0,
    topK: 0,
    repetitionPenalty: 1.0,
    promptsPerStep: 128,
  });
});

test('reward defaults are GZ eq. 2–9: ±1, α=0.5, β=2, length penalty 2048/1536/1024/4096/0.00025 as printed', () => {
  const r = valid(minimal()).rewards;
  assert.equal(r.aggregation, 'gz');
  assert.deepEqual(r.verifiable, { correct: 1, incorrect: -1, unparseable: 'incorrect' });
  assert.equal(r.format.weight, 0.5);
  assert.deepEqual(r.tags, { enabled: false, weight: 0.1 });
  assert.deepEqual(r.lengthPenalty, {
    enabled: true,
    weight: 2,
    lMax: 2048,
    lCache: 1536,
    answerMin: 1024,
    answerMax: 4096,
    lambda: 0.00025,
    variant: 'paper',
  });
  assert.equal(r.judge, undefined);
});

test('OT aggregation turns the format weight default into OT w = 0.1; an explicit weight wins', () => {
  assert.equal(valid({ ...minimal(), rewards: { aggregation: 'ot' } }).rewards.format.weight, 0.1);
  assert.equal(
    valid({ ...minimal(), rewards: { aggregation: 'ot', format: { weight: 0.3 } } }).rewards.format.weight,
    0.3
  );
});

test('GRPO defaults: grpo estimator, ε 1e-6, clip 0.2/0.2, token-mean, KL 0 with k3, one on-policy mini-batch', () => {
  const g = valid(minimal()).grpo;
  assert.deepEqual(g.advantage, { estimator: 'grpo', epsilon: 1e-6, scope: 'group' });
  assert.deepEqual(g.clip, { low: 0.2, high: 0.2 });
  assert.deepEqual(g.loss, { aggregation: 'token-mean' });
  assert.deepEqual(g.kl, { coef: 0, estimator: 'k3', perTask: {} });
  // miniBatchSize defaults to promptsPerStep (128), as GZ's 128/128.
  assert.equal(g.miniBatchSize, 128);
  assert.equal(g.epochs, 1);
  assert.equal(g.maskTruncated, false);
  assert.equal(g.dynamicSampling.enabled, false);
});

test('the learning rate comes from the model preset unless given', () => {
  assert.equal(valid(minimal()).grpo.learningRate, 5e-4); // tiny
  assert.equal(valid({ ...minimal(), model: { preset: 'micro' } }).grpo.learningRate, 1e-3);
  assert.equal(valid({ ...minimal(), grpo: { learningRate: 1e-6 } }).grpo.learningRate, 1e-6);
});

test('the default window grows 2048 → 24576 step-wise from step 0 (GZ §4.1)', () => {
  const w = valid({ ...minimal(), model: { preset: 'qwen3-0.6b' }, window: undefined }).window;
  assert.equal(w.type, 'steps');
  if (w.type !== 'steps') return;
  assert.deepEqual(w.steps[0], { fromStep: 0, maxTokens: 2048 });
  assert.equal(w.steps.at(-1)?.maxTokens, 24576);
});

test('template defaults to GZ Table 1 with <thinking>; style ot switches to <think>', () => {
  const gz = valid(minimal()).template;
  assert.deepEqual(gz, {
    style: 'gz',
    thinkTag: 'thinking',
    answerTag: 'answer',
    systemPrompt: GZ_SYSTEM_PROMPT,
    prefillThink: false,
  });
  assert.ok(gz.systemPrompt.includes('<thinking> reasoning process here </thinking> <answer> answer here </answer>'));
  const ot = valid({ ...minimal(), template: { style: 'ot' } }).template;
  assert.equal(ot.thinkTag, 'think');
  assert.ok(ot.systemPrompt.includes('<think> reasoning process here </think>'));
});

test('evaluation defaults are GZ §4.2: temperature 0.7, top-p 0.8, top-k 20, repetition penalty 1.05', () => {
  const e = valid(minimal()).evaluation;
  assert.equal(e.temperature, 0.7);
  assert.equal(e.topP, 0.8);
  assert.equal(e.topK, 20);
  assert.equal(e.repetitionPenalty, 1.05);
  assert.equal(e.avgK, 1);
  // The largest training window: minimal() sets one window of 512 tokens.
  assert.equal(e.maxTokens, 512);
  assert.equal(e.atStageEnd, true);
});

test('task defaults: verifiable by kind, scorer by verifiability, difficulty k = 8 off, code prompts capped at 1024', () => {
  const t = valid(fourTasks()).tasks;
  assert.equal(t.math.verifiable, true);
  assert.equal(t.math.scorer, 'verifier');
  assert.equal(t.writing.verifiable, false);
  assert.deepEqual(t.math.filters.difficulty, { enabled: false, k: 8 });
  assert.equal(t.code.filters.maxPromptTokens, 1024);
  assert.equal(t.math.filters.maxPromptTokens, null);
  assert.equal(t.math.filters.dedup, true);
});

test('the default curriculum runs code → math → qa → writing whatever order the tasks are listed in (OT §3.2)', () => {
  const s = valid(fourTasks()).schedule;
  assert.deepEqual(
    s.stages.map((x) => [x.name, x.tasks[0].task, x.steps]),
    [
      ['code', 'code', 10],
      ['math', 'math', 10],
      ['qa', 'qa', 10],
      ['writing', 'writing', 10],
    ]
  );
});

test('a derived joint stage mixes every task with its weight', () => {
  const input = fourTasks();
  input.tasks.math.weight = 3;
  const s = valid({ ...input, schedule: { kind: 'joint', stepsPerStage: 700 } }).schedule;
  assert.equal(s.stages.length, 1);
  assert.equal(s.stages[0].steps, 700);
  assert.deepEqual(
    s.stages[0].tasks.map((t) => [t.task, t.weight]),
    [
      ['writing', 1],
      ['qa', 1],
      ['math', 3],
      ['code', 1],
    ]
  );
});

test('checkpoint and orchestration defaults', () => {
  const c = valid(minimal());
  assert.deepEqual(c.checkpoint, {
    everySteps: 50,
    keepLast: 3,
    keepBest: true,
    bestMetric: 'eval/mean',
    storage: 'file://.omni-zero/runs',
  });
  assert.equal(c.orchestration.continueAsNewEverySteps, 25);
  assert.equal(c.orchestration.activityTimeouts.rollout, '1h');
  assert.equal(c.seed, 0);
});

test("rl/'s functions default to what a config defaults to", () => {
  const c = valid(minimal());
  const { enabled: _enabled, weight, ...penalty } = c.rewards.lengthPenalty;
  assert.deepEqual(penalty, { ...DEFAULT_LENGTH_PENALTY });
  assert.deepEqual({ alpha: c.rewards.format.weight, beta: weight }, { ...DEFAULT_GZ_REWARD });
  assert.deepEqual(
    { estimator: c.grpo.advantage.estimator, epsilon: c.grpo.advantage.epsilon },
    { estimator: DEFAULT_ADVANTAGE.estimator, epsilon: DEFAULT_ADVANTAGE.epsilon }
  );
  assert.deepEqual(
    { epsilonLow: c.grpo.clip.low, epsilonHigh: c.grpo.clip.high, dualClip: c.grpo.clip.dual ?? null },
    { ...DEFAULT_PPO_CLIP }
  );
});
