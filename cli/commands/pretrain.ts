/**
 * `omni-zero pretrain`: next-token training of a fresh model from a preset on a corpus, written as a checkpoint
 * (engine/checkpoint: HF-layout safetensors + omni.json + tokenizer) that `run` can start RL from.
 */
import { createHash } from 'node:crypto';
import { type Command, InvalidArgumentError } from 'commander';
import { initBackend } from '../../engine/backend.ts';
import { saveCheckpoint } from '../../engine/checkpoint/checkpoint.ts';
import { parameterCount, presetConfig } from '../../engine/model/config.ts';
import { disposeParams, initParams } from '../../engine/model/init.ts';
import { ByteTokenizer } from '../../engine/tokenizer/byte.ts';
import { loadTokenizer } from '../../engine/tokenizer/load.ts';
import type { ProjectTokenizer } from '../../engine/tokenizer/types.ts';
import { Adam } from '../../engine/train/adam.ts';
import { readCorpus } from '../../engine/train/corpus.ts';
import { pretrain } from '../../engine/train/pretrain.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a whole number > 0, got '${value}'`);
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number ≥ 0, got '${value}'`);
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number > 0, got '${value}'`);
  return n;
}

/** The response template's tags get one id each in the byte tokenizer (SPEC §1: GZ/OT tag names). */
const DEFAULT_TAGS = '<think>,</think>,<answer>,</answer>';

interface PretrainCliOptions {
  corpus: string;
  preset: string;
  steps: number;
  out: string;
  seed: number;
  batchSize: number;
  lr: number;
  warmup: number;
  schedule: 'constant' | 'cosine';
  tokenizer: string;
  tags: string;
  logEvery: number;
}

function makeTokenizer(o: PretrainCliOptions): ProjectTokenizer {
  if (o.tokenizer === 'byte') {
    const tags = o.tags.split(',').filter((t) => t !== '');
    return new ByteTokenizer({ tagTokens: tags });
  }
  if (o.tokenizer.startsWith('hf:')) return loadTokenizer({ type: 'hf', path: o.tokenizer.slice(3) });
  throw new Error(`--tokenizer '${o.tokenizer}': use 'byte' or 'hf:<path to tokenizer.json or its directory>'`);
}

export function register(program: Command): void {
  program
    .command('pretrain')
    .description('pretrain a fresh model (next-token loss) on a corpus and write a checkpoint')
    .requiredOption(
      '--corpus <file>',
      '.jsonl rows {"prompt","response"} (loss on response) or {"text"}, or .txt lines'
    )
    .option('--preset <name>', 'model preset: micro, tiny, small, base', 'tiny')
    .requiredOption('--steps <n>', 'optimiser steps', nonNegativeInt)
    .requiredOption('--out <dir>', 'checkpoint directory to write')
    .option('--seed <n>', 'seed for initialisation and batch sampling', nonNegativeInt, 0)
    .option('--batch-size <n>', 'sequences per step', positiveInt, 64)
    .option('--lr <x>', 'peak learning rate', positiveNumber, 3e-3)
    .option('--warmup <n>', 'linear warm-up steps', nonNegativeInt, 30)
    .option('--schedule <kind>', 'after warm-up: constant or cosine (to lr/10)', 'cosine')
    .option('--tokenizer <kind>', "'byte' or 'hf:<path>'", 'byte')
    .option('--tags <list>', 'comma-separated strings that get one byte-tokenizer id each', DEFAULT_TAGS)
    .option('--log-every <n>', 'progress line on stderr every n steps', positiveInt, 50)
    .action(async (o: PretrainCliOptions) => {
      if (o.schedule !== 'constant' && o.schedule !== 'cosine') {
        throw new Error(`--schedule '${o.schedule}': use constant or cosine`);
      }
      // Input errors first, before the (slow) native backend loads.
      const tokenizer = makeTokenizer(o);
      const config = presetConfig(o.preset, tokenizer.vocabSize);
      const { examples, stats, text } = readCorpus(o.corpus, tokenizer, config.maxPositions);
      const backend = await initBackend();
      const params = initParams(config, o.seed);
      const optimizer = new Adam(params, { learningRate: o.lr, beta2: 0.98 });
      const started = performance.now();
      let first: number | undefined;
      let tokens = 0;
      const last = pretrain(params, config, optimizer, examples, {
        steps: o.steps,
        batchSize: o.batchSize,
        learningRate: o.lr,
        warmupSteps: o.warmup,
        schedule: o.schedule,
        seed: o.seed,
        padId: tokenizer.padId,
        onStep: (step, m) => {
          first ??= m.loss;
          tokens += m.tokens;
          if ((step + 1) % o.logEvery === 0 || step + 1 === o.steps) {
            const s = (performance.now() - started) / 1000;
            console.error(
              `pretrain step ${step + 1}/${o.steps} loss ${m.loss.toFixed(4)} lr ${m.learningRate.toExponential(2)} ${s.toFixed(1)} s`
            );
          }
        },
      });
      const seconds = (performance.now() - started) / 1000;
      const settings = {
        preset: o.preset,
        steps: o.steps,
        seed: o.seed,
        batchSize: o.batchSize,
        lr: o.lr,
        warmup: o.warmup,
        schedule: o.schedule,
      };
      const files = await saveCheckpoint(o.out, {
        params,
        tokenizer,
        metadata: {
          step: o.steps,
          seed: o.seed,
          configHash: createHash('sha256').update(JSON.stringify(settings)).digest('hex'),
          tokenizer: tokenizer.id,
          model: config,
          extra: {
            kind: 'pretrain',
            settings,
            corpus: { file: o.corpus, sha256: createHash('sha256').update(text).digest('hex'), ...stats },
            finalLoss: last?.loss ?? null,
          },
        },
      });
      optimizer.dispose();
      disposeParams(params);
      console.log(
        JSON.stringify({
          out: o.out,
          backend: backend.choice,
          preset: o.preset,
          params: parameterCount(config),
          vocabSize: config.vocabSize,
          steps: o.steps,
          corpus: stats,
          firstLoss: first ?? null,
          finalLoss: last?.loss ?? null,
          seconds: Math.round(seconds * 10) / 10,
          trainTokensPerSec: seconds > 0 ? Math.round(tokens / seconds) : null,
          files: files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
        })
      );
    });
}
