/**
 * `npm run bench -- update-memory`: where the memory of one GRPO update goes, phase by phase, each phase in a process
 * of its own (bench/update-memory/phase.ts): a no-grad scoring pass (trunk alone, then with the output head), the
 * gradient pass as one tf.variableGrads over the model (tfjs's tape), the layer-wise gradient pass, and `grpoUpdate`
 * itself (forward + backward + Adam, old log-probs given; its gradient pass as `grpo.gradientCheckpointing` says). Each phase runs twice; reported: peak RSS of
 * the process (VmHWM) and its RSS before the phase (weights, Adam moments, libraries), tfjs's peak tensor bytes.
 * Not in the default list: `calibrate` measures the peaks behind engine/train/memory-budget.ts's estimate, and
 * `grad-cost` the CPU time of the layer-wise gradient pass against the tape's, alternating in one process.
 *
 * Knobs (environment): BENCH_MODEL (qwen2-40m, demo or demo-long; default qwen2-40m), BENCH_PHASES (comma list;
 * default all), BENCH_MICRO_BATCH (the update's microBatchSize; default its own choice), BENCH_GRADIENT_CHECKPOINTING
 * (the update's gradientCheckpointing: auto, true or false; default auto), OMNI_ZERO_BACKEND.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine.ts';
import { UPDATE_MEMORY_MODELS } from './update-memory/models.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const model = process.env.BENCH_MODEL ?? 'qwen2-40m';
if (!(model in UPDATE_MEMORY_MODELS)) {
  console.error(`BENCH_MODEL: use one of ${Object.keys(UPDATE_MEMORY_MODELS).join(', ')}, got '${model}'`);
  process.exit(1);
}
const phases = (process.env.BENCH_PHASES ?? 'score-trunk,score,tape-grads,layer-grads,update').split(',');
const micro = process.env.BENCH_MICRO_BATCH ?? '';
const checkpointing = process.env.BENCH_GRADIENT_CHECKPOINTING ?? 'auto';
if (!['auto', 'true', 'false'].includes(checkpointing)) {
  console.error(`BENCH_GRADIENT_CHECKPOINTING: use auto, true or false, got '${checkpointing}'`);
  process.exit(1);
}
const loadBefore = os.loadavg();
const results = [];
for (const phase of phases) {
  const script = path.join(here, 'update-memory', phase === 'calibrate' ? 'calibrate.ts' : 'phase.ts');
  const child = spawnSync(process.execPath, [...process.execArgv, script, phase, model, micro, checkpointing], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) {
    console.error(`update-memory: phase ${phase} failed (exit ${child.status}); its error is above`);
    process.exit(1);
  }
  results.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!));
}
const { config, rows, length } = UPDATE_MEMORY_MODELS[model];
console.log(
  JSON.stringify({
    area: 'update-memory',
    machine: machineInfo(),
    loadAverage: {
      before: loadBefore.map((x) => Math.round(x * 10) / 10),
      after: os.loadavg().map((x) => Math.round(x * 10) / 10),
    },
    model,
    hidden: config.hiddenSize,
    layers: config.numLayers,
    vocab: config.vocabSize,
    update: { rows, tokensPerRow: length, microBatchSize: micro || 'default', gradientCheckpointing: checkpointing },
    phases: results,
  })
);
