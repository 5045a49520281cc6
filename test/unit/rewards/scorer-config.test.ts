import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import YAML from 'yaml';
import { scorerOptionsFromConfig } from '../../../rewards/scorer/from-config.ts';
import { DEFAULT_SCORER_REWARDS, scoreBatch } from '../../../rewards/scorer.ts';
import { rewardsSchema } from '../../../schemas/experiment/rewards.ts';
import { parseExperimentConfig } from '../../../schemas/parse.ts';
import { rewardRecordSchema } from '../../../schemas/records/reward-record.ts';

const countTokens = (t: string) => t.split(/\s+/).filter(Boolean).length;

test("the scorer's defaults are the config schema's defaults (one source of the papers' values)", () => {
  const { judge: _none, ...fromSchema } = rewardsSchema.parse({});
  assert.deepEqual(DEFAULT_SCORER_REWARDS, fromSchema);
});

test('options from the OT curriculum example: tag names, task scorers, OT settings', async () => {
  const parsed = parseExperimentConfig(YAML.parse(readFileSync('examples/omni-think-curriculum.yaml', 'utf8')));
  assert.ok(parsed.ok);
  const o = scorerOptionsFromConfig(parsed.config, { countTokens });
  assert.deepEqual(o.template, { thinkTag: 'think', answerTag: 'answer', thinkOpenPrefilled: false });
  assert.equal(o.taskScorers?.writing, 'judge');
  assert.equal(o.taskScorers?.math, 'verifier');
  assert.equal(o.rewards?.aggregation, parsed.config.rewards.aggregation);
});

test('records validate against the reward record schema', async () => {
  const { records } = await scoreBatch(
    [
      {
        id: 'w1',
        task: 'writing',
        kind: 'writing',
        groupId: 'g',
        prompt: 'p',
        response: '<think>a b</think><answer>The end</answer>',
        reference: { constraints: [{ type: 'ends-with', text: 'end' }] },
      },
      {
        id: 'c1',
        task: 'code',
        kind: 'code',
        groupId: 'g',
        prompt: 'p',
        response: 'no tags at all',
        reference: {},
      },
    ],
    { countTokens }
  );
  for (const r of records) {
    const v = rewardRecordSchema.safeParse(r);
    assert.ok(v.success, JSON.stringify(v.error?.issues));
  }
  assert.equal(records[1].facts.undefinedReason, 'no-reference');
});
