/** Every example validates, carries the papers' settings, and points editors at the JSON Schema. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { stagePlan } from '../../../schemas/plan.ts';
import { valid } from './minimal.ts';

const DIR = path.join(import.meta.dirname, '../../../examples');
const load = (name: string) => parse(readFileSync(path.join(DIR, name), 'utf8'));

test('every example validates and references the JSON Schema', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4, `expected the four examples, found ${files.join(', ')}`);
  for (const file of files) {
    valid(load(file));
    assert.match(
      readFileSync(path.join(DIR, file), 'utf8'),
      /^# yaml-language-server: \$schema=\.\.\/schemas\/experiment\.schema\.json$/m,
      file
    );
  }
});

test('general-zero.yaml carries GZ §4.1 hyper-parameters', () => {
  const c = valid(load('general-zero.yaml'));
  assert.equal(c.schedule.kind, 'joint');
  assert.equal(stagePlan(c).totalSteps, 700);
  assert.equal(c.rollout.groupSize, 16);
  assert.equal(c.rollout.promptsPerStep, 128);
  assert.equal(c.grpo.miniBatchSize, 128);
  assert.equal(c.grpo.learningRate, 1e-6);
  assert.equal(c.grpo.kl.coef, 0);
  assert.equal(c.grpo.loss.aggregation, 'token-mean');
  assert.equal(c.rewards.lengthPenalty.enabled, true);
  assert.equal(c.rewards.judge?.mode, 'scalar');
  assert.equal(c.tasks.general.verifiable, false);
  const w = c.window;
  assert.ok(w.type === 'steps' && w.steps[0].maxTokens === 2048 && w.steps.at(-1)?.maxTokens === 24576);
});

test('omni-think-curriculum.yaml runs code → math → qa → writing with OT settings', () => {
  const c = valid(load('omni-think-curriculum.yaml'));
  assert.deepEqual(
    stagePlan(c).stages.map((s) => s.name),
    ['code', 'math', 'qa', 'writing']
  );
  assert.equal(c.grpo.loss.aggregation, 'seq-mean-token-mean');
  assert.equal(c.rewards.judge?.mode, 'pairwise');
  assert.deepEqual(c.rewards.tags, { enabled: true, weight: 0.1 });
  assert.equal(c.rewards.aggregation, 'ot');
  assert.ok(Object.keys(c.grpo.kl.perTask).length === 4);
  assert.equal(c.template.thinkTag, 'think');
});

test('omni-think-reverse.yaml is the curriculum file with only name and order changed, and runs backwards', () => {
  const forward = valid(load('omni-think-curriculum.yaml'));
  const reverse = valid(load('omni-think-reverse.yaml'));
  assert.equal(reverse.schedule.kind === 'curriculum' && reverse.schedule.order, 'reverse');
  const strip = (c: typeof forward) => ({ ...c, name: '', schedule: { ...c.schedule, order: 'listed' } });
  assert.deepEqual(strip(reverse), strip(forward));
  assert.deepEqual(
    stagePlan(reverse).stages.map((s) => s.name),
    ['writing', 'qa', 'math', 'code']
  );
});

test('demo.yaml is small: tiny byte model, G=8, a few prompts, short windows, a few dozen steps per stage', () => {
  const c = valid(load('demo.yaml'));
  assert.equal(c.model.preset, 'tiny');
  assert.equal(c.model.tokenizer.type, 'byte');
  assert.equal(c.rollout.groupSize, 8);
  assert.ok(c.rollout.promptsPerStep <= 8);
  const plan = stagePlan(c);
  assert.deepEqual(
    plan.stages.map((s) => s.name),
    ['code', 'math', 'qa', 'writing']
  );
  assert.ok(plan.stages.every((s) => s.steps >= 12 && s.steps <= 48));
  assert.ok(c.window.type === 'steps' && Math.max(...c.window.steps.map((s) => s.maxTokens)) <= 128);
  assert.ok(Object.values(c.tasks).every((t) => t.source.type === 'synthetic'));
  assert.equal(c.rewards.judge, undefined, 'the demo must not need a judge server');
});
