import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { templateOf, tokenizerSpecOf } from '../../../activities/policy-store.ts';
import { baseCorpus } from '../../../cli/commands/pretrain-base.ts';
import { readExperimentFile } from '../../../cli/experiment-file.ts';
import { worldPretrainCorpus } from '../../../data/worlds/index.ts';
import { Policy } from '../../../engine/policy.ts';
import { ROOT } from '../../../infra/paths.mjs';

test('the base corpus is tokenised exactly as the RL loop prompts the policy', async () => {
  const read = await readExperimentFile(path.join(ROOT, 'examples', 'demo.yaml'));
  if (!read.ok) throw new Error(read.problems.join('; '));
  const policy = Policy.create({
    preset: 'micro',
    tokenizer: tokenizerSpecOf(read.config),
    seed: 1,
    learningRate: 1e-3,
  });
  try {
    const { examples, perWorld } = baseCorpus(policy, read, {
      perWorld: 5,
      noise: 0.6,
      seed: 1,
      worldWeights: { arith: 2 },
    });
    // demo.yaml's math task draws from the arith world (world weights are keyed by world).
    assert.deepEqual(perWorld, { code: 5, arith: 10, qa: 5, writing: 5 });
    assert.equal(examples.length, 25);
    const template = templateOf(read.config);
    const first = worldPretrainCorpus('code', read.config.seed, 5, { noise: 0.6 })[0];
    // The prompt the rollout activity builds: BOS + system prompt + "\n" + question + "\n".
    assert.deepEqual(examples[0].prompt, policy.encodePrompt(policy.promptText({ prompt: first.prompt }, template)));
    const text = policy.tokenizer.decode(examples[0].prompt.slice(1));
    assert.equal(text, `${template.systemPrompt}\n${first.prompt}\n`);
    // Response: the tags as single ids, then EOS.
    assert.equal(examples[0].response.at(-1), policy.tokenizer.eosId);
    assert.equal(examples[0].response[0], policy.tokenizer.tokenToId('<think>'));
    assert.equal(policy.tokenizer.decode(examples[0].response.slice(0, -1)), first.response);
  } finally {
    policy.dispose();
  }
});
