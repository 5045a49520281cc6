/** Model shapes the benchmarks share. */

/** The base preset's Qwen2 layout (q/k/v biases, no q/k norms, tied head) at 256 wide and 8 deep: 6.3 M parameters. */
export const QWEN2_6M = {
  vocabSize: 264,
  hiddenSize: 256,
  numLayers: 8,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 64,
  intermediateSize: 768,
  maxPositions: 4096,
  ropeTheta: 1_000_000,
  rmsNormEps: 1e-6,
  tieWordEmbeddings: true,
  qkvBias: true,
  qkNorm: false,
};
