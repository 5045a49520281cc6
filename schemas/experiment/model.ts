/** `model`: which policy to train — a named preset, an explicit shape, or a base checkpoint — and its tokenizer. */
import { z } from 'zod';
import { positiveCount, strict, uri } from './primitives.ts';

/**
 * Model presets known to the config: the engine's preset names (engine/model/config.ts, which schemas/ may not
 * import — a test keeps the two tables in step), the longest sequence each supports, and the learning rate each
 * defaults to. The rates are ours: the papers train 7–14B models at 1e-6 (GZ §4.1), which would leave a
 * sub-million-parameter model unchanged, so the rate belongs to the model, not to the algorithm (SPEC §4).
 */
export const MODEL_PRESETS = {
  /** ~50k parameters, for orchestration tests. */
  micro: { maxPositions: 512, learningRate: 1e-3 },
  /** ~0.4–1M parameters, the demo model. */
  tiny: { maxPositions: 2048, learningRate: 5e-4 },
  /** A few million parameters. */
  small: { maxPositions: 4096, learningRate: 3e-4 },
  /** ~25M parameters (needs a native backend). */
  base: { maxPositions: 8192, learningRate: 1e-4 },
  /** Qwen2.5-0.5B shape (load its weights with model.checkpoint). */
  'qwen2.5-0.5b': { maxPositions: 32768, learningRate: 1e-6 },
  /** Qwen3-0.6B shape. */
  'qwen3-0.6b': { maxPositions: 32768, learningRate: 1e-6 },
} as const;
export type ModelPresetName = keyof typeof MODEL_PRESETS;

/** Shape of a Qwen2/Qwen3-family decoder, mirroring `ModelConfig` in engine/types.ts (HF names in the descriptions). */
export const modelShapeSchema = strict({
  vocabSize: positiveCount.meta({ description: 'Number of token ids (HF vocab_size). Must cover the tokenizer.' }),
  hiddenSize: positiveCount.meta({ description: 'Residual width (HF hidden_size).' }),
  numLayers: positiveCount.meta({ description: 'Transformer blocks (HF num_hidden_layers).' }),
  numHeads: positiveCount.meta({ description: 'Query heads (HF num_attention_heads).' }),
  numKvHeads: positiveCount
    .optional()
    .meta({ description: 'Key/value heads; fewer than numHeads = grouped-query attention. Default numHeads.' }),
  headDim: positiveCount
    .optional()
    .meta({ description: 'Width of one head (HF head_dim). Default hiddenSize / numHeads.' }),
  intermediateSize: positiveCount.meta({ description: 'SwiGLU hidden width (HF intermediate_size).' }),
  maxPositions: positiveCount.meta({
    description: 'Longest sequence, prompt + response, in tokens (HF max_position_embeddings).',
  }),
  ropeTheta: z
    .number()
    .positive()
    .default(10_000)
    .meta({ description: 'Rotary base (HF rope_theta). Default 10000; Qwen uses 1e6.' }),
  rmsNormEps: z
    .number()
    .positive()
    .default(1e-6)
    .meta({ description: 'RMSNorm epsilon (HF rms_norm_eps). Default 1e-6.' }),
  tieWordEmbeddings: z
    .boolean()
    .default(true)
    .meta({ description: 'Output head shares the embedding matrix. Default true.' }),
  qkvBias: z.boolean().default(false).meta({ description: 'Bias on q/k/v projections (Qwen2: true). Default false.' }),
  qkNorm: z
    .boolean()
    .default(false)
    .meta({ description: 'RMSNorm on per-head queries and keys (Qwen3: true). Default false.' }),
})
  .superRefine((s, ctx) => {
    const kv = s.numKvHeads ?? s.numHeads;
    if (s.numHeads % kv !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['numKvHeads'],
        message: `must divide numHeads (${s.numHeads}) for grouped-query attention`,
      });
    if (s.headDim === undefined && s.hiddenSize % s.numHeads !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['headDim'],
        message: `required: hiddenSize (${s.hiddenSize}) is not divisible by numHeads (${s.numHeads})`,
      });
  })
  .transform((s) => ({ ...s, numKvHeads: s.numKvHeads ?? s.numHeads, headDim: s.headDim ?? s.hiddenSize / s.numHeads }))
  .meta({ title: 'Model shape' });

const byteTokenizer = strict({
  type: z.literal('byte').meta({ description: 'Byte-level tokenizer.' }),
  tagTokens: z.boolean().default(true).meta({
    description:
      "Give each template tag (e.g. '<think>', '</answer>') a single token id, so tiny models spend one token per tag. Default true.",
  }),
}).meta({ title: 'Byte-level tokenizer', description: '256 byte ids plus pad/bos/eos specials: for tiny models.' });

const huggingfaceTokenizer = strict({
  type: z.literal('huggingface').meta({ description: 'A Hugging Face tokenizer.json.' }),
  path: uri.meta({ description: 'URI of a Hugging Face tokenizer.json.' }),
  chatTemplate: uri.optional().meta({
    description:
      "URI of a Jinja chat template (tokenizer_config.json's chat_template). Default: none — prompts are system prompt + question as plain text, as zero-RL does.",
  }),
}).meta({ title: 'Hugging Face tokenizer' });

export const tokenizerSchema = z.discriminatedUnion('type', [byteTokenizer, huggingfaceTokenizer]).meta({
  title: 'Tokenizer',
  description: "'byte' for tiny models; 'huggingface' with a tokenizer.json for real checkpoints.",
});

export const modelSchema = strict({
  preset: z
    .enum(Object.keys(MODEL_PRESETS) as [ModelPresetName, ...ModelPresetName[]])
    .optional()
    .meta({
      description:
        'A named shape from the engine (micro, tiny, small); also sets the default learning rate. Exclusive with shape.',
    }),
  shape: modelShapeSchema.optional().meta({ description: 'An explicit shape. Exclusive with preset.' }),
  checkpoint: uri.optional().meta({
    description:
      'Base checkpoint to start from (a directory with config.json + model.safetensors). Without it the weights are initialised from the seed. Alone, the shape is read from its config.json.',
  }),
  tokenizer: tokenizerSchema.prefault({ type: 'byte' }).meta({ description: "Tokenizer. Default { type: 'byte' }." }),
})
  .superRefine((m, ctx) => {
    if (m.preset !== undefined && m.shape !== undefined)
      ctx.addIssue({ code: 'custom', path: ['shape'], message: 'give either preset or shape, not both' });
    if (m.preset === undefined && m.shape === undefined && m.checkpoint === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['preset'],
        message: `required: give a preset (${Object.keys(MODEL_PRESETS).join(', ')}), an explicit shape, or a base checkpoint`,
      });
  })
  .meta({ title: 'Model', description: 'Policy model: preset, shape or base checkpoint, and tokenizer.' });
