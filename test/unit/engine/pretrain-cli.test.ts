import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadCheckpoint } from '../../../engine/checkpoint/checkpoint.ts';
import { disposeParams } from '../../../engine/model/init.ts';
import './_helpers.ts';

const root = path.resolve(import.meta.dirname, '../../..');

function cli(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'bin/omni-zero.js'), ...args], { encoding: 'utf8', cwd: root });
}

test('omni-zero pretrain trains on {prompt, response} rows and writes a loadable checkpoint', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'omni-pretrain-'));
  const corpus = path.join(dir, 'corpus.jsonl');
  const rows = Array.from({ length: 40 }, (_, i) => ({
    prompt: `${i % 10}+${(i * 7) % 10}=`,
    response: `<answer>${(i % 10) + ((i * 7) % 10)}</answer>`,
  }));
  writeFileSync(corpus, rows.map((r) => JSON.stringify(r)).join('\n'));
  const out = path.join(dir, 'ckpt');
  const r = cli([
    'pretrain',
    '--corpus',
    corpus,
    '--preset',
    'micro',
    '--steps',
    '30',
    '--out',
    out,
    '--batch-size',
    '16',
    '--seed',
    '3',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.steps, 30);
  assert.equal(summary.corpus.examples, 40);
  assert.ok(summary.finalLoss < summary.firstLoss, `loss ${summary.firstLoss} → ${summary.finalLoss}`);
  return loadCheckpoint(out).then((ck) => {
    assert.equal(ck.metadata?.step, 30);
    assert.equal(ck.metadata?.seed, 3);
    assert.equal(ck.config.hiddenSize, 48);
    assert.equal(ck.tokenizer?.id, ck.metadata?.tokenizer);
    // The byte tokenizer gives the answer tags one id each.
    assert.equal(ck.tokenizer?.encode('<answer>').length, 1);
    disposeParams(ck.params);
  });
});

test('omni-zero pretrain: a bad corpus is one readable line on stderr and a non-zero exit', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'omni-pretrain-'));
  const missing = cli(['pretrain', '--corpus', path.join(dir, 'nope.jsonl'), '--steps', '1', '--out', dir]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr.trim(), /^omni-zero: cannot read corpus '.*nope\.jsonl': ENOENT$/);
  const bad = path.join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"prompt": "1+1="}\n');
  const r = cli(['pretrain', '--corpus', bad, '--steps', '1', '--out', dir]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.trim(), /corpus line 1: expected string fields/);
});
