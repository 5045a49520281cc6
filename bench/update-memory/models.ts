/** The update shapes `npm run bench -- update-memory` profiles: engine-vs-torch's two update steps. */
import { presetConfig } from '../../engine/model/config.ts';
import type { ModelConfig } from '../../engine/types.ts';
import { BENCH_MODELS } from '../engine-vs-torch/models.ts';

const qwen = BENCH_MODELS['qwen2-40m'];
export const UPDATE_MEMORY_MODELS: Record<string, { config: ModelConfig; rows: number; length: number }> = {
  'qwen2-40m': { config: qwen.config, rows: qwen.updateRows, length: qwen.updateLength },
  /** The demo model's shape (the tiny preset over the byte vocabulary) and its update batch. */
  /**
   * The demo's shape on long sequences, 32 × 1024 tokens: attention scores dominate, so the budget, not the caller,
   * decides the micro-batch size (wasm's 3 GiB default takes 12 sequences at a time).
   */
  'demo-long': { config: presetConfig('tiny', 263), rows: 32, length: 1024 },
  demo: {
    config: presetConfig('tiny', 263),
    rows: BENCH_MODELS.demo.updateRows,
    length: BENCH_MODELS.demo.updateLength,
  },
};
