/**
 * `omni-zero pretrain-base`: the one command that reproduces the demo's shipped base model `models/demo-base/` (its
 * defaults are the settings recorded in that model's omni.json). It pretrains the config's model preset on the union
 * of the config's synthetic worlds' corpora with systematic noise, each pair rendered by `Policy.promptText` for the
 * config's template and system prompt, so the base is pretrained on exactly the text the RL loop will ask it (a
 * different prompt format would make the base learn a distribution it is never asked in). Weights only (no optimiser
 * state), F32: 4 bytes a parameter keep the file a few MB and the weights exact, so a run from it is reproducible bit
 * for bit.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { WORLDS } from '../../data/worlds/index.ts';
import { initBackend } from '../../engine/backend.ts';
import { saveCheckpoint } from '../../engine/checkpoint/checkpoint.ts';
import { parameterCount } from '../../engine/model/config.ts';
import { Policy } from '../../engine/policy.ts';
import { Adam } from '../../engine/train/adam.ts';
import { pretrain } from '../../engine/train/pretrain.ts';
import { ROOT } from '../../infra/paths.mjs';
import {
  BASE_CORPUS_DEFAULTS,
  baseCorpus,
  configWorlds,
  corpusSha256,
  DEFAULT_WORLD_WEIGHTS,
} from '../../training/base-corpus.ts';
import { tokenizerSpecOf } from '../../training/policy-config.ts';
import { readExperimentFile } from '../experiment-file.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a whole number > 0, got '${value}'`);
  return n;
}

function probability(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError(`expected a number in [0, 1], got '${value}'`);
  return n;
}

/** `--world-weights world=n,…`; a name that is not a synthetic world is an error listing the known ones. */
export function parseWorldWeights(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',').filter((p) => p !== '')) {
    const [k, v] = part.split('=');
    const n = Number(v);
    if (!k || v === undefined || v === '' || !(n >= 0) || !Number.isFinite(n))
      throw new InvalidArgumentError(`expected world=number pairs, got '${part}'`);
    if (!Object.hasOwn(WORLDS, k))
      throw new InvalidArgumentError(`unknown world '${k}'; known worlds: ${Object.keys(WORLDS).join(', ')}`);
    out[k] = n;
  }
  return out;
}

export interface PretrainBaseOptions {
  /** Experiment config whose template, tokenizer, preset, tasks and seed the base is made for; default examples/demo.yaml. */
  config: string;
  /** Checkpoint directory to write; default models/demo-base. */
  out: string;
  /** Adam steps; default 2400. */
  steps: number;
  /** Corpus pairs drawn per world; default 4000. */
  perWorld: number;
  /** Per-world multipliers of perWorld, default DEFAULT_WORLD_WEIGHTS; others 1. Keyed by world. */
  worldWeights: Record<string, number>;
  /** Probability that a pair whose problem triggers its world's systematic error carries it; default 0.6. */
  noise: number;
  /** Sequences per step; default 32. */
  batchSize: number;
  /** Peak learning rate (linear warm-up 30 steps, cosine to lr/10); default 3e-3 (tfjs-probe §2). */
  lr: number;
  /** Seed of the initial weights, the corpus draw and the batch order; default 1. */
  seed: number;
}

export async function pretrainBase(o: PretrainBaseOptions, log: (m: string) => void = () => {}) {
  const read = await readExperimentFile(o.config);
  if (!read.ok) throw new Error(`${o.config}: ${read.problems.join('; ')}`);
  const { config } = read;
  if (!config.model.preset) throw new Error(`${o.config}: model.preset is required for pretrain-base`);
  const backend = await initBackend();
  const policy = Policy.create({
    preset: config.model.preset,
    tokenizer: tokenizerSpecOf(config),
    seed: o.seed,
    learningRate: o.lr,
  });
  const { examples, bugs, perWorld } = baseCorpus(policy, config, o);
  const longest = Math.max(...examples.map((e) => e.prompt.length + e.response.length));
  const optimizer = new Adam(policy.params, { learningRate: o.lr, beta2: 0.98 });
  const started = performance.now();
  let first: number | undefined;
  const last = pretrain(policy.params, policy.config, optimizer, examples, {
    steps: o.steps,
    batchSize: o.batchSize,
    learningRate: o.lr,
    warmupSteps: 30,
    schedule: 'cosine',
    seed: o.seed,
    padId: policy.tokenizer.padId,
    onStep: (step, m) => {
      first ??= m.loss;
      if ((step + 1) % 50 === 0 || step + 1 === o.steps) {
        const s = (performance.now() - started) / 1000;
        log(`pretrain-base step ${step + 1}/${o.steps} loss ${m.loss.toFixed(4)} ${s.toFixed(0)} s`);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  optimizer.dispose();
  const settings = { ...o, config: path.relative(ROOT, path.resolve(o.config)), out: undefined };
  // Step 0: the RL loop counts its own steps from the base; the pretraining steps are recorded in `extra`.
  const files = await saveCheckpoint(o.out, {
    params: policy.params,
    tokenizer: policy.tokenizer,
    weightsDtype: 'F32',
    metadata: {
      step: 0,
      seed: o.seed,
      configHash: createHash('sha256').update(JSON.stringify(settings)).digest('hex'),
      tokenizer: policy.tokenizer.id,
      model: policy.config,
      extra: {
        kind: 'demo-base',
        command: 'omni-zero pretrain-base',
        settings,
        corpus: { examples: examples.length, withSystematicError: bugs, perWorld, sha256: corpusSha256(examples) },
        finalLoss: last?.loss ?? null,
      },
    },
  });
  policy.dispose();
  return {
    out: o.out,
    backend: backend.choice,
    preset: config.model.preset,
    params: parameterCount(policy.config),
    steps: o.steps,
    corpus: { examples: examples.length, withSystematicError: bugs, longestTokens: longest, perWorld },
    firstLoss: first ?? null,
    finalLoss: last?.loss ?? null,
    seconds: Math.round(seconds),
    bytes: files.reduce((a, f) => a + f.bytes, 0),
    files: files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
  };
}

export function register(program: Command): void {
  program
    .command('pretrain-base')
    .description("reproduce the demo's base model (models/demo-base) from the synthetic worlds' noisy corpora")
    .option('--config <file>', 'experiment config the base is for', path.join(ROOT, 'examples', 'demo.yaml'))
    .option('--out <dir>', 'checkpoint directory', path.join(ROOT, 'models', 'demo-base'))
    .option('--steps <n>', 'Adam steps', positiveInt, 2400)
    .option('--per-world <n>', 'corpus pairs per world', positiveInt, BASE_CORPUS_DEFAULTS.perWorld)
    .option(
      '--noise <p>',
      'probability of the systematic error where it applies',
      probability,
      BASE_CORPUS_DEFAULTS.noise
    )
    .option(
      '--world-weights <list>',
      `per-world corpus multipliers, world=n,… (worlds: ${Object.keys(WORLDS).join(', ')})`,
      parseWorldWeights,
      { ...DEFAULT_WORLD_WEIGHTS }
    )
    .option('--batch-size <n>', 'sequences per step', positiveInt, 32)
    .option('--lr <x>', 'peak learning rate', Number, 3e-3)
    .option('--seed <n>', 'seed', (v) => positiveInt(String(Number(v) + 1)) - 1, 1)
    .action(async (o: PretrainBaseOptions, cmd: Command) => {
      // The default is demo.yaml's; for a config without those worlds it means "no weighting", not an error.
      if (cmd.getOptionValueSource('worldWeights') === 'default') {
        const read = await readExperimentFile(o.config);
        if (read.ok) {
          const worlds = configWorlds(read.config);
          o.worldWeights = Object.fromEntries(Object.entries(o.worldWeights).filter(([w]) => worlds.includes(w)));
        }
      }
      const result = await pretrainBase(o, (m) => process.stderr.write(`${m}\n`));
      console.log(JSON.stringify(result));
    });
}
