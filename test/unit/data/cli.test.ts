import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../../cli/commands/data.ts';

async function run(args: string[]): Promise<string> {
  let out = '';
  const program = new Command().exitOverride();
  register(program, (t) => {
    out += t;
  });
  await program.parseAsync(['node', 'omni-zero', 'data', ...args]);
  return out;
}

test('data corpus prints prompt/response JSONL in the configured tags, with the systematic errors at --noise', async () => {
  const lines = (await run(['corpus', '--world', 'math', '--n', '50', '--noise', '1', '--think-tag', 'thinking']))
    .trim()
    .split('\n');
  assert.equal(lines.length, 50);
  const pairs = lines.map((l) => JSON.parse(l));
  assert.ok(pairs.every((p) => /^<thinking>.*<\/thinking><answer>.*<\/answer>$/.test(p.response)));
  assert.deepEqual(Object.keys(pairs[0]).sort(), ['prompt', 'response']);
  await assert.rejects(run(['corpus', '--world', 'math', '--noise', '2']), /--noise must be a number in \[0, 1\]/);
});

test('data prepare writes every task of a config and prints the manifests', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'oz-cli-data-'));
  const config = new URL('../../../examples/demo.yaml', import.meta.url).pathname;
  const out = JSON.parse(await run(['prepare', config, '--out', dir, '--task', 'math', 'qa']));
  assert.deepEqual(Object.keys(out), ['math', 'qa']);
  assert.equal(out.math.outputs.train.rows, 256);
  const manifest = JSON.parse(await readFile(path.join(dir, 'qa', 'manifest.json'), 'utf8'));
  assert.equal(manifest.outputs.heldOut.sha256, out.qa.outputs.heldOut.sha256);
  await assert.rejects(run(['prepare', config, '--out', dir, '--task', 'nope']), /--task nope: no such task/);
});

test('data inspect summarises an adapter run without writing', async () => {
  const file = new URL('../../fixtures/data/webinstruct.jsonl', import.meta.url).pathname;
  const s = JSON.parse(await run(['inspect', file, '--adapter', 'webinstruct', '--kind', 'stem']));
  assert.equal(s.rows, 10);
  assert.equal(s.quarantine.count, 4);
  assert.deepEqual(s.categories, { Physics: 3, Mathematics: 5, Chemistry: 1, Business: 1 });
});
