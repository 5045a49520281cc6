/**
 * `npm run bench -- update-rescore [rounds]`: what the update's own π_old pass costs. One GRPO update of the demo
 * model (models/demo-base) on a learning-test-sized batch (4 prompts × 8 responses, 48 new tokens), timed with the
 * sampler's log-probs given as π_old and with π_old rescored by the update (what a run does), alternating, on the
 * backend OMNI_ZERO_BACKEND picks. Prints JSON: median and fastest ms of each and the relative cost.
 */
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../engine/backend.ts';
import { Policy } from '../engine/policy.ts';
import type { GrpoSample } from '../engine/train/grpo.ts';
import { ROOT } from '../infra/paths.mjs';
import { machineInfo } from './machine.ts';

const ROUNDS = Number(process.argv[3] ?? 5);
const PROMPTS = ['12+7=', '3*4+5=', '(8-3)*2=', '40/5+1='];
const template = { systemPrompt: 'Think, then answer.', thinkTag: 'think', answerTag: 'answer', prefillThink: false };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const backend = await initBackend();
const policy = await Policy.load(path.join(ROOT, 'models', 'demo-base'), { learningRate: 1e-6, seed: 7 });
const prompts = PROMPTS.map((p) => policy.encodePrompt(policy.promptText({ prompt: p }, template)));
const rollouts = await policy.sample(prompts, { samplesPerPrompt: 8, maxNewTokens: 48, step: 0, template });
const samples: GrpoSample[] = rollouts.map((r, i) => ({
  prompt: prompts[r.promptIndex],
  response: r.tokens,
  advantage: i % 2 === 0 ? 1 : -1,
  oldLogprobs: r.logprobs,
}));
const rescored = samples.map(({ oldLogprobs: _, ...s }) => s);

const timeUpdate = async (batch: GrpoSample[]): Promise<number> => {
  const start = performance.now();
  await policy.train(batch, { learningRate: 1e-6 });
  return performance.now() - start;
};
await timeUpdate(samples);
const given: number[] = [];
const recomputed: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  given.push(await timeUpdate(samples));
  recomputed.push(await timeUpdate(rescored));
}
policy.dispose();
const ms = { given: median(given), rescored: median(recomputed) };
console.log(
  JSON.stringify(
    {
      machine: { ...machineInfo(), loadAverage: os.loadavg() },
      backend: backend.choice,
      batch: { sequences: samples.length, responseTokens: samples.reduce((n, s) => n + s.response.length, 0) },
      rounds: ROUNDS,
      updateMs: ms,
      fastestMs: { given: Math.min(...given), rescored: Math.min(...recomputed) },
      samples: { given, rescored: recomputed },
      rescoreCost: ms.rescored / ms.given - 1,
    },
    null,
    2
  )
);
