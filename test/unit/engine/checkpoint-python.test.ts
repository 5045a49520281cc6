/**
 * Checkpoints against Python: what we save, Python's safetensors reads with Hugging Face names and orientation, and a
 * numpy forward pass written the way `transformers` computes Qwen2/Qwen3 (y = x @ W.T + b, rotate-half RoPE, q/k norm
 * before RoPE, repeat_kv) gives the logits our model gives; a Hugging Face-style directory that Python writes
 * (sharded, part BF16, untied head, a stray rotary buffer) loads in TS to the same weights and the same logits.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../engine/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../../../engine/checkpoint/checkpoint.ts';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { forward, lmHead } from '../../../engine/model/transformer.ts';
import type { ModelConfig, Params } from '../../../engine/types.ts';
import { requirePython, runPython } from '../../helpers/python.ts';
import { qwen2TinyConfig } from './_helpers.ts';

await initBackend();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-checkpoint-py-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const IDS = [3, 41, 7, 250, 18, 99, 0, 120];

/** Reference forward pass of a Hugging Face Qwen2/Qwen3 checkpoint in float64 numpy. */
const NUMPY_QWEN = `
import json, sys
import numpy as np
from safetensors import safe_open

def load(d):
    cfg = json.load(open(d + '/config.json'))
    w = {}
    idx = d + '/model.safetensors.index.json'
    try:
        files = sorted(set(json.load(open(idx))['weight_map'].values()))
    except FileNotFoundError:
        files = ['model.safetensors']
    for f in files:
        raw = open(d + '/' + f, 'rb').read()
        n = int.from_bytes(raw[:8], 'little')
        header = json.loads(raw[8:8 + n])
        for name, info in header.items():
            if name == '__metadata__':
                continue
            a, b = info['data_offsets']
            buf = raw[8 + n + a:8 + n + b]
            if info['dtype'] == 'BF16':
                arr = (np.frombuffer(buf, '<u2').astype('<u4') << 16).view('<f4')
            else:
                arr = np.frombuffer(buf, {'F32': '<f4', 'F16': '<f2'}[info['dtype']])
            w[name] = arr.reshape(info['shape']).astype(np.float64)
    return cfg, w

def rms(x, g, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g

def rope(x, theta):
    t, h, d = x.shape
    inv = 1.0 / theta ** (np.arange(0, d, 2) / d)
    ang = np.arange(t)[:, None] * inv[None, :]
    cos = np.cos(np.concatenate([ang, ang], -1))[:, None, :]
    sin = np.sin(np.concatenate([ang, ang], -1))[:, None, :]
    rot = np.concatenate([-x[..., d // 2:], x[..., :d // 2]], -1)
    return x * cos + rot * sin

def logits(cfg, w, ids):
    qwen3 = cfg['model_type'] == 'qwen3'
    bias = cfg['model_type'] == 'qwen2' or cfg.get('attention_bias', False)
    nh, nkv, eps = cfg['num_attention_heads'], cfg['num_key_value_heads'], cfg['rms_norm_eps']
    hd = cfg.get('head_dim', cfg['hidden_size'] // nh)
    lin = lambda x, name, b=False: x @ w[name + '.weight'].T + (w[name + '.bias'] if b else 0)
    x = w['model.embed_tokens.weight'][ids]
    t = len(ids)
    for l in range(cfg['num_hidden_layers']):
        p = 'model.layers.%d.' % l
        h = rms(x, w[p + 'input_layernorm.weight'], eps)
        q = lin(h, p + 'self_attn.q_proj', bias).reshape(t, nh, hd)
        k = lin(h, p + 'self_attn.k_proj', bias).reshape(t, nkv, hd)
        v = lin(h, p + 'self_attn.v_proj', bias).reshape(t, nkv, hd)
        if qwen3:
            q = rms(q, w[p + 'self_attn.q_norm.weight'], eps)
            k = rms(k, w[p + 'self_attn.k_norm.weight'], eps)
        q, k = rope(q, cfg['rope_theta']), rope(k, cfg['rope_theta'])
        k, v = np.repeat(k, nh // nkv, axis=1), np.repeat(v, nh // nkv, axis=1)
        s = np.einsum('thd,shd->hts', q, k) / np.sqrt(hd) + np.triu(np.full((t, t), -np.inf), 1)
        s = np.exp(s - s.max(-1, keepdims=True))
        s = s / s.sum(-1, keepdims=True)
        o = np.einsum('hts,shd->thd', s, v).reshape(t, nh * hd)
        x = x + lin(o, p + 'self_attn.o_proj')
        h = rms(x, w[p + 'post_attention_layernorm.weight'], eps)
        g = lin(h, p + 'mlp.gate_proj')
        x = x + lin((g / (1 + np.exp(-g))) * lin(h, p + 'mlp.up_proj'), p + 'mlp.down_proj')
    x = rms(x, w['model.norm.weight'], eps)
    head = w['model.embed_tokens.weight'] if cfg['tie_word_embeddings'] else w['lm_head.weight']
    return x @ head.T
`;

function tsLogits(params: Params, config: ModelConfig): number[][] {
  return tf.tidy(
    () =>
      lmHead(params, config, forward(params, config, { ids: [IDS] }).hidden)
        .squeeze([0])
        .arraySync() as number[][]
  );
}

function assertClose(got: number[][], want: number[][], tol: number, what: string) {
  assert.equal(got.length, want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    for (let j = 0; j < want[i].length; j++) worst = Math.max(worst, Math.abs(got[i][j] - want[i][j]));
  }
  assert.ok(worst < tol, `${what}: max |Δlogit| = ${worst} ≥ ${tol}`);
}

const QWEN2 = qwen2TinyConfig({ vocabSize: 256, hiddenSize: 32, headDim: 8, intermediateSize: 48 });
const QWEN3: ModelConfig = { ...QWEN2, headDim: 12, tieWordEmbeddings: false, qkvBias: false, qkNorm: true };

test('Python reads our checkpoint with HF names and [out, in] weights, and numpy Qwen logits equal ours', async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  for (const config of [QWEN2, QWEN3]) {
    const dir = path.join(tmp, `ours-${config.qkNorm ? 'qwen3' : 'qwen2'}`);
    // std 0.3 instead of 0.02: larger weights make attention far from uniform, so a wrong orientation cannot pass.
    const params = initParams(config, 21, { std: 0.3 });
    await saveCheckpoint(dir, {
      params,
      metadata: { step: 1, seed: 1, configHash: 'x', tokenizer: 'byte-v1', model: config },
    });
    const script = `${NUMPY_QWEN}
cfg, w = load(sys.argv[1])
with safe_open(sys.argv[1] + '/model.safetensors', framework='np') as f:
    meta = f.metadata()
    shapes = {k: list(f.get_tensor(k).shape) for k in f.keys()}
print(json.dumps({'meta': meta, 'shapes': shapes, 'model_type': cfg['model_type'],
                  'q': w['model.layers.1.self_attn.q_proj.weight'].tolist(),
                  'logits': logits(cfg, w, ${JSON.stringify(IDS)}).tolist()}))
`;
    const py = JSON.parse(runPython(python, script, [dir]));
    assert.deepEqual(py.meta, { format: 'pt' });
    assert.equal(py.model_type, config.qkNorm ? 'qwen3' : 'qwen2');
    const d = config.numHeads * config.headDim;
    assert.deepEqual(py.shapes['model.layers.1.self_attn.q_proj.weight'], [d, config.hiddenSize]);
    assert.deepEqual(py.shapes['model.layers.0.mlp.down_proj.weight'], [config.hiddenSize, config.intermediateSize]);
    // Python's q_proj [out][in] is our [in][out], element by element.
    const mem = params.get('model.layers.1.self_attn.q_proj.weight')!.arraySync() as number[][];
    assert.deepEqual(
      py.q,
      mem[0].map((_, o) => mem.map((row) => row[o]))
    );
    assertClose(tsLogits(params, config), py.logits, 2e-4, `${py.model_type} logits`);
    disposeParams(params);
  }
});

const WRITE_HF_DIR = `${NUMPY_QWEN}
from safetensors import TensorSpec, serialize_file
from safetensors.numpy import save_file
d = sys.argv[1]
cfg = {
  'architectures': ['Qwen2ForCausalLM'], 'model_type': 'qwen2', 'hidden_act': 'silu', 'hidden_size': 32,
  'intermediate_size': 48, 'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2,
  'max_position_embeddings': 64, 'rope_theta': 10000.0, 'rms_norm_eps': 1e-06, 'tie_word_embeddings': False,
  'vocab_size': 256, 'use_sliding_window': False, 'sliding_window': 64, 'torch_dtype': 'bfloat16',
  'bos_token_id': 0, 'eos_token_id': 1,
}
json.dump(cfg, open(d + '/config.json', 'w'))
rng = np.random.default_rng(5)
h, i, v, hd = 32, 48, 256, 8
shapes = {'model.embed_tokens.weight': (v, h), 'model.norm.weight': (h,), 'lm_head.weight': (v, h)}
for l in range(2):
    p = 'model.layers.%d.' % l
    shapes.update({p + 'input_layernorm.weight': (h,), p + 'post_attention_layernorm.weight': (h,),
        p + 'self_attn.q_proj.weight': (4 * hd, h), p + 'self_attn.q_proj.bias': (4 * hd,),
        p + 'self_attn.k_proj.weight': (2 * hd, h), p + 'self_attn.k_proj.bias': (2 * hd,),
        p + 'self_attn.v_proj.weight': (2 * hd, h), p + 'self_attn.v_proj.bias': (2 * hd,),
        p + 'self_attn.o_proj.weight': (h, 4 * hd), p + 'mlp.gate_proj.weight': (i, h),
        p + 'mlp.up_proj.weight': (i, h), p + 'mlp.down_proj.weight': (h, i)})
w = {k: (rng.standard_normal(s) * (0.3 if len(s) == 2 else 0.1) + (1.0 if k.endswith('norm.weight') else 0.0)).astype(np.float32)
     for k, s in shapes.items()}
# Shard 1: layer 0 and the embedding in F32 (with a stale rotary buffer, as old checkpoints have);
# shard 2: the rest in BF16, the dtype real Qwen checkpoints ship in.
first = {k: a for k, a in w.items() if k.startswith('model.layers.0.') or k == 'model.embed_tokens.weight'}
rest = {k: a for k, a in w.items() if k not in first}
save_file({**first, 'model.layers.0.self_attn.rotary_emb.inv_freq': np.ones(hd // 2, np.float32)},
          d + '/model-00001-of-00002.safetensors', metadata={'format': 'pt'})
bits = {k: (a.view(np.uint32) >> 16).astype('<u2') for k, a in rest.items()}
serialize_file({k: TensorSpec(dtype='bfloat16', shape=list(b.shape), data_ptr=b.ctypes.data, data_len=b.nbytes)
                for k, b in bits.items()}, d + '/model-00002-of-00002.safetensors', metadata={'format': 'pt'})
weight_map = {k: 'model-00001-of-00002.safetensors' for k in first}
weight_map['model.layers.0.self_attn.rotary_emb.inv_freq'] = 'model-00001-of-00002.safetensors'
weight_map.update({k: 'model-00002-of-00002.safetensors' for k in rest})
json.dump({'metadata': {'total_size': 0}, 'weight_map': weight_map}, open(d + '/model.safetensors.index.json', 'w'))
cfg2, w2 = load(d)
print(json.dumps({'o_proj': w2['model.layers.1.self_attn.o_proj.weight'].tolist(),
                  'k_bias': w2['model.layers.0.self_attn.k_proj.bias'].tolist(),
                  'logits': logits(cfg2, w2, ${JSON.stringify(IDS)}).tolist()}))
`;

test('a sharded, partly BF16 Hugging Face Qwen2 directory written by Python loads to the same weights and logits', async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  const dir = mkdtempSync(path.join(tmp, 'hf-'));
  const py = JSON.parse(runPython(python, WRITE_HF_DIR, [dir]));
  const loaded = await loadCheckpoint(dir);
  assert.deepEqual(loaded.config, { ...QWEN2, tieWordEmbeddings: false });
  assert.equal(loaded.metadata, null);
  assert.equal(loaded.optimizer, null);
  assert.equal(loaded.tokenizer, null);
  assert.equal(loaded.params.has('model.layers.0.self_attn.rotary_emb.inv_freq'), false);
  // o_proj is [hidden, heads·headDim] = [32, 32] in the file (BF16); ours is its transpose, value for value.
  const o = loaded.params.get('model.layers.1.self_attn.o_proj.weight')!.arraySync() as number[][];
  assert.deepEqual(
    o,
    py.o_proj[0].map((_: number, c: number) => py.o_proj.map((row: number[]) => row[c]))
  );
  assert.deepEqual([...loaded.params.get('model.layers.0.self_attn.k_proj.bias')!.dataSync()], py.k_bias);
  assertClose(tsLogits(loaded.params, loaded.config), py.logits, 2e-4, 'HF directory logits');

  // The index names a shard that is not there: the error says which.
  writeFileSync(
    path.join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ weight_map: { 'model.norm.weight': 'model-00003-of-00002.safetensors' } })
  );
  await assert.rejects(
    loadCheckpoint(dir),
    /lists shard 'model-00003-of-00002.safetensors', which is not in the directory/
  );
  disposeParams(loaded.params);
});
