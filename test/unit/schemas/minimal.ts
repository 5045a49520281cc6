/** Shared fixtures for the schema tests: the shortest valid configs, and a helper that returns a config's issues. */
import assert from 'node:assert/strict';
import type { ExperimentConfig } from '../../../schemas/experiment.ts';
import { type ConfigIssue, parseExperimentConfig } from '../../../schemas/parse.ts';

/**
 * The shortest valid config: a preset model, one synthetic math task, a derived one-stage curriculum. The window is
 * set because the default (up to 24,576 tokens) does not fit the tiny preset's 2,048 positions.
 */
export function minimal(): Record<string, any> {
  return {
    name: 'min',
    model: { preset: 'tiny' },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 512 }] },
    tasks: { math: { kind: 'math', source: { type: 'synthetic' } } },
    schedule: { kind: 'curriculum', stepsPerStage: 10 },
  };
}

/** Four synthetic tasks of every curriculum kind (writing by constraints, so no judge is needed). */
export function fourTasks(): Record<string, any> {
  return {
    ...minimal(),
    tasks: {
      writing: { kind: 'writing', scorer: 'constraints', source: { type: 'synthetic' } },
      qa: { kind: 'qa', source: { type: 'synthetic' } },
      math: { kind: 'math', source: { type: 'synthetic' } },
      code: { kind: 'code', source: { type: 'synthetic' } },
    },
  };
}

export function valid(input: unknown): ExperimentConfig {
  const result = parseExperimentConfig(input);
  if (!result.ok)
    assert.fail(`expected a valid config, got:\n${result.issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  return result.config;
}

export function issuesOf(input: unknown): ConfigIssue[] {
  const result = parseExperimentConfig(input);
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.issues;
}

/** Asserts exactly one issue sits at `path` and its message matches. */
export function assertIssue(input: unknown, path: string, message: RegExp): void {
  const issues = issuesOf(input);
  const at = issues.filter((i) => i.path === path);
  assert.equal(
    at.length,
    1,
    `expected one issue at '${path}', got:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`
  );
  assert.match(at[0].message, message);
}
