/**
 * `npm run bench -- engine-vs-torch` in CI: both models (the demo's and the ~40 M Qwen2-shaped one) loaded by the
 * engine and by PyTorch + transformers from the same safetensors, logits compared, then one repetition of sampling
 * and of an update on each side. What CI checks is that the comparison runs and that both sides computed the same
 * model; the speed and memory ratios it prints are read on an idle machine (docs/BENCHMARKS.md), not asserted here,
 * because CI shares its cores with the other test files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../infra/paths.mjs';
import { TORCH_TEST_TOOLS_REQUIREMENTS } from '../../infra/setup.d/torch-test-tools.mjs';

interface SideRates {
  engine: { wall: number; cpu: number };
  torch: { wall: number; cpu: number };
}
interface ModelFigures {
  model: string;
  params: number;
  torch: string;
  logitsMaxAbsDiff: number;
  sampleTokensPerSec: SideRates;
  updateTokensPerSec: SideRates;
  peakRssMb: { engine: number; torch: number };
}

const pinnedTorch = TORCH_TEST_TOOLS_REQUIREMENTS.find((r) => r.startsWith('torch=='))!.slice('torch=='.length);

test('engine-vs-torch bench: both models agree with PyTorch and both sides sample and update', {
  timeout: 15 * 60_000,
}, () => {
  const bench = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), 'engine-vs-torch'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, BENCH_REPS: '1' },
      maxBuffer: 16 * 2 ** 20,
    }
  );
  assert.equal(bench.status, 0, `the bench failed:\n${bench.stderr.slice(-4000)}`);
  const out = JSON.parse(bench.stdout.trim().split('\n').at(-1)!) as { models: ModelFigures[] };
  assert.deepEqual(
    out.models.map((m) => m.model),
    ['demo', 'qwen2-40m']
  );
  for (const m of out.models) {
    assert.ok(m.torch.startsWith(pinnedTorch), `${m.model}: PyTorch ${m.torch}, pinned ${pinnedTorch}`);
    assert.ok(m.logitsMaxAbsDiff < 1e-4, `${m.model}: logits differ from PyTorch's by ${m.logitsMaxAbsDiff}`);
    for (const [what, rates] of [
      ['sampling', m.sampleTokensPerSec],
      ['update', m.updateTokensPerSec],
    ] as const) {
      for (const side of ['engine', 'torch'] as const) {
        assert.ok(rates[side].wall > 0 && rates[side].cpu > 0, `${m.model} ${what}: ${side} measured no tokens/s`);
      }
    }
    assert.ok(m.peakRssMb.engine > 0 && m.peakRssMb.torch > 0, `${m.model}: no peak RSS`);
  }
  assert.ok(out.models[1]!.params > 30e6, 'the large model has ~40 M parameters');
});
