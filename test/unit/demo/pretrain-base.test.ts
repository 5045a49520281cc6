import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Command, CommanderError } from 'commander';
import { parseWorldWeights, register } from '../../../cli/commands/pretrain-base.ts';
import { readExperimentFile } from '../../../cli/experiment-file.ts';
import { worldPretrainCorpus } from '../../../data/worlds/index.ts';
import { Policy } from '../../../engine/policy.ts';
import { ROOT } from '../../../infra/paths.mjs';
import { baseCorpus, configWorlds, corpusSha256, DEFAULT_WORLD_WEIGHTS } from '../../../training/base-corpus.ts';
import { templateOf, tokenizerSpecOf } from '../../../training/policy-config.ts';

/** examples/demo.yaml and a micro policy with its tokenizer, disposed after `fn`. */
async function withDemoPolicy(
  fn: (read: Extract<Awaited<ReturnType<typeof readExperimentFile>>, { ok: true }>, policy: Policy) => void
): Promise<void> {
  const read = await readExperimentFile(path.join(ROOT, 'examples', 'demo.yaml'));
  if (!read.ok) throw new Error(read.problems.join('; '));
  const policy = Policy.create({
    preset: 'micro',
    tokenizer: tokenizerSpecOf(read.config),
    seed: 1,
    learningRate: 1e-3,
  });
  try {
    fn(read, policy);
  } finally {
    policy.dispose();
  }
}

test('the base corpus is tokenised exactly as the RL loop prompts the policy', async () => {
  await withDemoPolicy((read, policy) => {
    const { examples, perWorld } = baseCorpus(policy, read.config, {
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
  });
});

/** The pretrain-base command as registered, with its parsed defaults (nothing is run). */
function pretrainBaseCommand(): Command {
  const program = new Command().exitOverride();
  register(program);
  const cmd = program.commands.find((c) => c.name() === 'pretrain-base');
  assert.ok(cmd);
  return cmd.exitOverride();
}

test("pretrain-base's defaults are the settings models/demo-base records, and weight the world demo.yaml draws from", async () => {
  const omni = JSON.parse(readFileSync(path.join(ROOT, 'models', 'demo-base', 'omni.json'), 'utf8'));
  const recorded = omni.extra.settings;
  assert.equal(omni.extra.command, 'omni-zero pretrain-base');
  const cmd = pretrainBaseCommand();
  const defaults = Object.fromEntries(cmd.options.map((o) => [o.attributeName(), o.defaultValue]));
  assert.deepEqual(defaults.worldWeights, recorded.worldWeights);
  assert.deepEqual(DEFAULT_WORLD_WEIGHTS, { arith: 3, code: 0.5 });
  for (const key of ['steps', 'perWorld', 'noise', 'batchSize', 'lr', 'seed'])
    assert.equal(defaults[key], recorded[key], `--${key} default`);
  // The shipped corpus: 4,000 pairs a world, 3× for the world demo.yaml's math task draws from, ½× for code.
  assert.deepEqual(omni.extra.corpus.perWorld, { code: 2000, arith: 12000, qa: 4000, writing: 4000 });
  await withDemoPolicy((read, policy) => {
    assert.deepEqual(configWorlds(read.config), ['code', 'arith', 'qa', 'writing']);
    for (const w of Object.keys(defaults.worldWeights)) assert.ok(configWorlds(read.config).includes(w), w);
    // The corpus the defaults draw from demo.yaml is the shipped base's, to the hash (the weights of a 2,400-step
    // pretraining are not re-made here).
    const { examples, bugs, perWorld } = baseCorpus(policy, read.config, defaults as never);
    assert.deepEqual(perWorld, omni.extra.corpus.perWorld);
    assert.equal(bugs, omni.extra.corpus.withSystematicError);
    assert.equal(corpusSha256(examples), omni.extra.corpus.sha256);
  });
});

test('--world-weights: world=n pairs; an unknown world is an error that lists the known worlds', () => {
  assert.deepEqual(parseWorldWeights('arith=3,code=1.5'), { arith: 3, code: 1.5 });
  assert.deepEqual(parseWorldWeights(''), {});
  assert.throws(
    () => parseWorldWeights('maths=3'),
    /unknown world 'maths'; known worlds: arith, code, induce, math, qa, writing/
  );
  assert.throws(() => parseWorldWeights('arith'), /expected world=number pairs, got 'arith'/);
  assert.throws(() => parseWorldWeights('arith=-1'), /expected world=number pairs/);
  // Through commander: the option's own error, before anything is loaded or trained.
  const cmd = pretrainBaseCommand();
  cmd.configureOutput({ writeErr: () => {} });
  assert.throws(
    () => cmd.parseOptions(['--world-weights', 'arth=3']),
    (err: unknown) =>
      err instanceof CommanderError &&
      /unknown world 'arth'; known worlds: arith, code, induce, math, qa, writing/.test(err.message)
  );
});

test("a weight for a world the config does not draw from is an error naming the config's worlds", async () => {
  await withDemoPolicy((read, policy) => {
    // `math` is a world, but demo.yaml's math task draws from `arith`: the old default silently weighted nothing.
    assert.throws(
      () => baseCorpus(policy, read.config, { perWorld: 2, noise: 0.6, seed: 1, worldWeights: { math: 3 } }),
      /--world-weights names world 'math', but no synthetic task of the config draws from it \(its worlds: code, arith, qa, writing\)/
    );
  });
});
