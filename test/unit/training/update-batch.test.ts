/**
 * What the update activity feeds the GRPO update (training/update-batch.ts): the config's grpo.adam reaches the
 * optimiser (it was validated and then ignored: every run used Adam's defaults whatever the config said), and the
 * samples carry the rollout's tokens and log-probs with advantages whose sign follows the reward.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../../../engine/backend.ts';
import { Policy } from '../../../engine/policy.ts';
import { parseExperimentConfig } from '../../../schemas/parse.ts';
import { grpoTrainOptions, grpoTrainSamples, klCoefOf, trainedRollouts } from '../../../training/update-batch.ts';
import { fourTasks, minimal } from '../schemas/minimal.ts';

function config(grpo: Record<string, unknown> = {}) {
  const r = parseExperimentConfig({ ...minimal(), grpo: { learningRate: 1e-3, ...grpo } });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  return r.config;
}

test('grpoTrainOptions carries grpo.adam (β1, β2, ε, weight decay) from the config', () => {
  const o = grpoTrainOptions(config({ adam: { beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.1 } }));
  assert.deepEqual(o.adam, { beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.1 });
  assert.deepEqual(grpoTrainOptions(config()).adam, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
});

test('grpoTrainOptions: grpo.memoryBudgetMb in bytes, unset leaves the backend default; a bad value names the field', () => {
  assert.equal(grpoTrainOptions(config({ memoryBudgetMb: 512 })).memoryBudget, 512 * 2 ** 20);
  assert.equal(grpoTrainOptions(config()).memoryBudget, undefined);
  for (const bad of [0, -5, 'lots']) {
    const r = parseExperimentConfig({ ...minimal(), grpo: { learningRate: 1e-3, memoryBudgetMb: bad } });
    assert.ok(!r.ok);
    assert.match(JSON.stringify(r.issues), /grpo.*memoryBudgetMb/);
  }
});

test("grpoTrainOptions: grpo.gradientCheckpointing defaults to 'auto', true/false pass through; a bad value names the field", () => {
  assert.equal(grpoTrainOptions(config()).gradientCheckpointing, 'auto');
  assert.equal(grpoTrainOptions(config({ gradientCheckpointing: true })).gradientCheckpointing, true);
  assert.equal(grpoTrainOptions(config({ gradientCheckpointing: false })).gradientCheckpointing, false);
  for (const bad of ['yes', 1, null]) {
    const r = parseExperimentConfig({ ...minimal(), grpo: { learningRate: 1e-3, gradientCheckpointing: bad } });
    assert.ok(!r.ok);
    assert.match(JSON.stringify(r.issues), /grpo.*gradientCheckpointing/);
  }
});

test("Policy.train applies the config's Adam weight decay (zero advantages: only the decay moves the weights)", async () => {
  await initBackend({ force: process.env.OMNI_ZERO_BACKEND || 'cpu' });
  const cfg = config({ adam: { weightDecay: 0.5 } });
  const policy = Policy.create({
    preset: 'micro',
    tokenizer: { type: 'byte', tagTokens: [] },
    seed: 1,
    learningRate: 1e-3,
  });
  try {
    const [name, param] = [...policy.params.entries()].find(([, v]) => v.trainable)!;
    const before = Array.from(param.dataSync());
    const samples = [0, 0].map((advantage, i) => ({ prompt: [1, 2 + i], response: [4, 5], advantage }));
    await policy.train(samples, { ...grpoTrainOptions(cfg), learningRate: 1e-2 });
    const after = Array.from(policy.params.get(name)!.dataSync());
    // AdamW: p ← p − lr·(m̂/(√v̂+ε)) − lr·wd·p, with a zero gradient m̂ = 0, so p ← p·(1 − 1e-2·0.5).
    const i = before.findIndex((x) => Math.abs(x) > 1e-3);
    assert.ok(i >= 0);
    assert.ok(Math.abs(after[i] - before[i] * (1 - 5e-3)) < 1e-6, `${before[i]} → ${after[i]}`);
  } finally {
    policy.dispose();
  }
});

test('grpoTrainSamples: rollout tokens, advantages by group, undefined totals dropped, π_old left to the update', () => {
  const rollouts = [0, 1, 2, 3].map((s) => ({
    id: `0/0/${s}`,
    groupId: '0/0',
    task: 'math',
    promptIndex: 0,
    tokens: [10 + s, 11],
    oldLogProbs: [-0.1 * s, -0.2],
    truncated: false,
  }));
  const rewards = [
    { id: '0/0/0', total: 1.5 },
    { id: '0/0/1', total: -0.5 },
    { id: '0/0/2', total: null },
    { id: '0/0/3', total: -0.5 },
  ];
  const { samples, scored, advantages } = grpoTrainSamples(rollouts, rewards, () => [1, 2, 3], config(), 'math');
  assert.deepEqual(
    scored.map((r) => r.id),
    ['0/0/0', '0/0/1', '0/0/3']
  );
  assert.deepEqual(
    samples.map((s) => s.response),
    [
      [10, 11],
      [11, 11],
      [13, 11],
    ]
  );
  assert.ok(samples.every((s) => s.oldLogprobs === undefined));
  assert.ok(samples[0].advantage > 0 && samples[1].advantage < 0 && samples[2].advantage < 0);
  assert.equal(advantages.groups, 1);
  assert.deepEqual(samples[0].prompt, [1, 2, 3]);
});

test('KL β per sample: the stage override over grpo.kl, a task β_k over the coefficient (both validated, then used)', () => {
  const r = parseExperimentConfig({
    ...fourTasks(),
    grpo: { learningRate: 1e-3, kl: { coef: 0.01, perTask: { qa: 0.2 } } },
    schedule: {
      kind: 'joint',
      stages: [
        {
          name: 'all',
          tasks: [{ task: 'math' }, { task: 'qa' }, { task: 'code' }],
          steps: 2,
          kl: { coef: 0.05, perTask: { code: 0 } },
        },
      ],
    },
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  const beta = klCoefOf(r.config, 'all');
  // The stage gives its own perTask map, which replaces grpo.kl.perTask (qa's 0.2 no longer applies).
  assert.deepEqual([beta('math'), beta('qa'), beta('code')], [0.05, 0.05, 0]);
  const runWide = config({ kl: { coef: 0.01, perTask: { math: 0.3 } } });
  assert.equal(klCoefOf(runWide, 'math')('math'), 0.3);
  const rollouts = [0, 1].map((s) => ({
    id: `0/0/${s}`,
    groupId: '0/0',
    task: 'math',
    promptIndex: 0,
    tokens: [7],
    oldLogProbs: [-1],
    truncated: false,
  }));
  const { samples } = grpoTrainSamples(
    rollouts,
    [
      { id: '0/0/0', total: 1 },
      { id: '0/0/1', total: 0 },
    ],
    () => [1],
    runWide,
    'math'
  );
  assert.deepEqual(
    samples.map((s) => s.klCoef),
    [0.3, 0.3]
  );
});

test('grpoTrainOptions carries epochs and the KL estimator (validated, and once ignored)', () => {
  const o = grpoTrainOptions(config({ epochs: 3, kl: { estimator: 'k2' } }));
  assert.equal(o.epochs, 3);
  assert.equal(o.klEstimator, 'k2');
  assert.deepEqual([grpoTrainOptions(config()).epochs, grpoTrainOptions(config()).klEstimator], [1, 'k3']);
});

/**
 * π_old under a sampling filter. The sampler's log-probs are those of the filtered distribution (top-k renormalised);
 * used as π_old against the trainer's full softmax, the first "on-policy" ratio is not 1 and clipping fires on an
 * unchanged policy. grpoTrainSamples leaves π_old to the trainer, so the first ratio is 1 again.
 */
test('with topK on, the first update is on-policy: approx-KL ≈ 0 and nothing clipped (sampler log-probs are not π_old)', async () => {
  await initBackend({ force: process.env.OMNI_ZERO_BACKEND || 'cpu' });
  const filtered = parseExperimentConfig({
    ...minimal(),
    grpo: { learningRate: 1e-3 },
    rollout: { ...minimal().rollout, topK: 5, temperature: 1 },
  });
  assert.ok(filtered.ok, JSON.stringify(!filtered.ok && filtered.issues));
  const cfg = filtered.config;
  const policy = Policy.create({
    preset: 'micro',
    tokenizer: { type: 'byte', tagTokens: [] },
    seed: 5,
    learningRate: 1e-3,
  });
  try {
    const prompts = ['12+3=', '4*5=', 'say hi', 'abc'].map((p) => policy.encodePrompt(p));
    const template = { systemPrompt: '', thinkTag: 'think', answerTag: 'answer', prefillThink: false };
    const rollouts = (
      await policy.sample(prompts, { samplesPerPrompt: 4, maxNewTokens: 12, step: 0, topK: 5, template })
    ).map((ro) => ({
      id: `0/${ro.promptIndex}/${ro.sampleIndex}`,
      groupId: `0/${ro.promptIndex}`,
      task: 'math',
      promptIndex: ro.promptIndex,
      tokens: ro.tokens,
      oldLogProbs: ro.logprobs,
      truncated: ro.truncated,
    }));
    const rewards = rollouts.map((r, i) => ({ id: r.id, total: i % 2 }));
    const options = { ...grpoTrainOptions(cfg), miniBatches: 1, epochs: 1, learningRate: 1e-3 };
    const { samples } = grpoTrainSamples(rollouts, rewards, (i) => prompts[i], cfg, 'math');
    assert.ok(
      samples.every((s) => s.oldLogprobs === undefined),
      'π_old left to the trainer'
    );
    // What the sampler's log-probs would have done as π_old (the defect): far from on-policy on the same weights.
    const withSampler = samples.map((s, i) => ({ ...s, oldLogprobs: rollouts[i].oldLogProbs }));
    const shadow = Policy.create({
      preset: 'micro',
      tokenizer: { type: 'byte', tagTokens: [] },
      seed: 5,
      learningRate: 1e-3,
    });
    try {
      const wrong = await shadow.train(withSampler, options);
      assert.ok(wrong.approxKl > 0.05, `sampler log-probs as π_old: approx-KL ${wrong.approxKl}`);
    } finally {
      shadow.dispose();
    }
    const m = await policy.train(samples, options);
    assert.ok(m.approxKl < 1e-6, `approx-KL ${m.approxKl}`);
    assert.equal(m.clipFrac, 0);
    assert.ok(m.gradNorm > 0, 'the update really learns something');
  } finally {
    policy.dispose();
  }
});

test('dynamic sampling: the update trains on the first promptsPerStep kept groups of all draws, and counts them', () => {
  const on = parseExperimentConfig({
    ...minimal(),
    grpo: { learningRate: 1e-3, dynamicSampling: { enabled: true } },
    rollout: { promptsPerStep: 2, groupSize: 2 },
  });
  assert.ok(on.ok, JSON.stringify(!on.ok && on.issues));
  // Two draws of two prompts (indices 0–1, then 2–3), two responses each.
  const groups: [string, (number | null)[]][] = [
    ['5/0', [1, 1]], // all equal: dropped
    ['5/1', [1, 0]], // kept, trained
    ['5/2', [0, null]], // one defined reward: dropped
    ['5/3', [0, 1]], // kept, trained
  ];
  const rollouts = groups.flatMap(([groupId], p) =>
    [0, 1].map((s) => ({
      id: `${groupId}/${s}`,
      groupId,
      task: 'math',
      promptIndex: p,
      tokens: [1],
      oldLogProbs: [0],
      truncated: false,
    }))
  );
  const rewards = groups.flatMap(([groupId, totals]) => totals.map((total, s) => ({ id: `${groupId}/${s}`, total })));
  const picked = trainedRollouts(rollouts, rewards, on.config, 2);
  assert.deepEqual(
    picked.rollouts.map((r) => r.id),
    ['5/1/0', '5/1/1', '5/3/0', '5/3/1']
  );
  assert.deepEqual(picked.counts, { draws: 2, groupsDrawn: 4, groupsKept: 2, groupsTrained: 2 });
  // One group wanted: the first kept one only; off: everything, no counts.
  const one = { ...on.config, rollout: { ...on.config.rollout, promptsPerStep: 1 } };
  assert.deepEqual(
    trainedRollouts(rollouts, rewards, one, 2).rollouts.map((r) => r.groupId),
    ['5/1', '5/1']
  );
  const off = { ...on.config, grpo: { ...on.config.grpo, dynamicSampling: { enabled: false, maxBatches: 3 } } };
  assert.deepEqual(trainedRollouts(rollouts, rewards, off, 1), { rollouts, counts: null });
});
