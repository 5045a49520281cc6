/** `omni-zero pretrain`, run in-process through commander (a spawned CLI loads every command: ~15 s under load). */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../../cli/commands/pretrain.ts';
import { loadCheckpoint } from '../../../engine/checkpoint/checkpoint.ts';
import { disposeParams } from '../../../engine/model/init.ts';
import './_helpers.ts';

async function pretrainCli(args: string[]): Promise<{ stdout: string[]; stderr: string[] }> {
  const program = new Command('omni-zero').exitOverride();
  register(program);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (line: string) => stdout.push(line);
  console.error = (line: string) => stderr.push(line);
  try {
    await program.parseAsync(['node', 'omni-zero', 'pretrain', ...args]);
  } finally {
    console.log = log;
    console.error = error;
  }
  return { stdout, stderr };
}

test('omni-zero pretrain trains on {prompt, response} rows and writes a loadable checkpoint', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'omni-pretrain-'));
  const corpus = path.join(dir, 'corpus.jsonl');
  const rows = Array.from({ length: 40 }, (_, i) => ({
    prompt: `${i % 10}+${(i * 7) % 10}=`,
    response: `<answer>${(i % 10) + ((i * 7) % 10)}</answer>`,
  }));
  writeFileSync(corpus, rows.map((r) => JSON.stringify(r)).join('\n'));
  const out = path.join(dir, 'ckpt');
  const r = await pretrainCli([
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
    '--log-every',
    '10',
  ]);
  assert.equal(r.stdout.length, 1, 'one JSON object on stdout');
  assert.equal(r.stderr.length, 3, 'a progress line every 10 steps on stderr');
  const summary = JSON.parse(r.stdout[0]);
  assert.equal(summary.steps, 30);
  assert.equal(summary.corpus.examples, 40);
  assert.ok(summary.finalLoss < summary.firstLoss, `loss ${summary.firstLoss} → ${summary.finalLoss}`);
  const ck = await loadCheckpoint(out);
  assert.equal(ck.metadata?.step, 30);
  assert.equal(ck.metadata?.seed, 3);
  assert.equal(ck.config.hiddenSize, 48);
  assert.equal(ck.tokenizer?.id, ck.metadata?.tokenizer);
  // The byte tokenizer gives the answer tags one id each.
  assert.equal(ck.tokenizer?.encode('<answer>').length, 1);
  disposeParams(ck.params);
});

test('omni-zero pretrain: bad input fails with a message that says what to fix', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'omni-pretrain-'));
  await assert.rejects(
    pretrainCli(['--corpus', path.join(dir, 'nope.jsonl'), '--steps', '1', '--out', dir]),
    /cannot read corpus '.*nope\.jsonl': ENOENT/
  );
  const bad = path.join(dir, 'bad.jsonl');
  writeFileSync(bad, '{"prompt": "1+1="}\n');
  await assert.rejects(
    pretrainCli(['--corpus', bad, '--steps', '1', '--out', dir]),
    /corpus line 1: expected string fields/
  );
  await assert.rejects(
    pretrainCli(['--corpus', bad, '--steps', '1', '--out', dir, '--preset', 'huge']),
    /unknown model preset 'huge'/
  );
});
