/**
 * One pinned process's share of the sampling-capacity probe (bench/sampling-capacity.ts): the fan-out bench's 6.3 M
 * Qwen2-shaped model at random initialisation samples `prompts` × 8 rows of 128 new tokens (temperature 1, no stop,
 * the rollout sampler with its KV cache), on the native backend with the process's thread settings. The batch is
 * drawn from `seed` whole; the process samples its prompts [from, to), so two halves are exactly the whole batch's
 * work. Prints `{"samplingMs": …, "tokens": …}`.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/backend.ts';
import { initParams } from '../../engine/model/init.ts';
import { generate } from '../../engine/sampler.ts';
import { ByteTokenizer } from '../../engine/tokenizer/byte.ts';
import { mulberry32 } from '../../rl/random.ts';
import { QWEN2_6M } from '../bench-models.ts';
import { wideVocabulary } from '../wide-vocab.ts';

const [promptsArg = '32', seedArg = '1', fromArg = '0', toArg = promptsArg] = process.argv.slice(2);
await initBackend();
const config = QWEN2_6M;
const tokenizer = wideVocabulary(new ByteTokenizer(), config.vocabSize);
const params = initParams(config, 0);
const random = mulberry32(Number(seedArg));
const prompts = Array.from({ length: Number(promptsArg) }, () =>
  Array.from({ length: 24 + Math.floor(random() * 16) }, () => 32 + Math.floor(random() * 90))
).slice(Number(fromArg), Number(toArg));
const options = { temperature: 1, samplesPerPrompt: 8, maxNewTokens: 128, eosId: -1 };
await generate(params, config, tokenizer, prompts.slice(0, 1), { ...options, maxNewTokens: 4, seed: 0 });
const started = performance.now();
const rollouts = await generate(params, config, tokenizer, prompts, { ...options, seed: Number(seedArg) });
const samplingMs = performance.now() - started;
tf.dispose([...params.values()]);
console.log(JSON.stringify({ samplingMs, tokens: rollouts.reduce((s, r) => s + r.tokens.length, 0) }));
