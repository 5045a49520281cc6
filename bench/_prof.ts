import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend } from '/work/wt/handover/engine/backend.ts';
import { Policy } from '/work/wt/handover/engine/policy.ts';
import { openBlobStore } from '/work/wt/handover/storage/open.ts';
import { dropPolicy, fetchPolicy, snapshotPolicy } from '/work/wt/handover/training/policy-store.ts';
import { minimal, valid } from '/work/wt/handover/test/unit/schemas/minimal.ts';
await initBackend({ force: 'tensorflow' });
const shape = { vocabSize: 264, hiddenSize: 256, numLayers: 8, numHeads: 4, numKvHeads: 2, headDim: 64, intermediateSize: 768, maxPositions: 4096, ropeTheta: 1_000_000, rmsNormEps: 1e-6, tieWordEmbeddings: true, qkvBias: true, qkNorm: false };
const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-prof-'));
const base = pathToFileURL(dir).href;
const ctx = { run: { experiment: 'p', runId: 'r', base, configHash: 'c'.repeat(64) }, store: openBlobStore(base), config: valid({ ...minimal(), grpo: { learningRate: 1e-3 } }) } as any;
const p = Policy.create({ shape, tokenizer: { type: 'byte', tagTokens: ['<think>','</think>','<answer>','</answer>'] }, seed: 1, learningRate: 1e-3 });
p.step = 3;
const ref = await snapshotPolicy(ctx, p, 'math');
for (let i = 0; i < Number(process.argv[2] ?? 8); i++) {
  dropPolicy(ctx);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const { fetch } = await fetchPolicy(ctx, ref, 'sampling');
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ ...fetch, wall: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 }));
}
