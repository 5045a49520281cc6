/** `omni-zero validate` and `omni-zero schema` as a user runs them: a real subprocess, real files. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, test } from 'node:test';
import { validate } from '../../../cli/commands/validate.ts';
import { readExperimentFile } from '../../../cli/experiment-file.ts';

const ROOT = path.join(import.meta.dirname, '../../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-schemas-'));

/** Runs the real CLI; async so the subprocess tests overlap (each start-up costs seconds on a loaded machine). */
function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/omni-zero.js', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function file(name: string, text: string): string {
  const p = path.join(scratch, name);
  writeFileSync(p, text);
  return p;
}

describe('omni-zero validate / schema', { concurrency: true }, () => {
  it('validate prints a one-line JSON summary and exits 0 for a valid file', async () => {
    const r = await cli('validate', 'examples/demo.yaml');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const out = JSON.parse(lines[0]);
    assert.equal(out.ok, true);
    assert.equal(out.totalSteps, 144);
    assert.deepEqual(
      out.stages.map((s: { name: string }) => s.name),
      ['code', 'math', 'qa', 'writing']
    );
    assert.match(out.configHash, /^[0-9a-f]{64}$/);
  });

  it('validate reports a misspelt key, a wrong type and an out-of-range value together, with paths, and exits 1', async () => {
    const bad = file(
      'bad.yaml',
      [
        'name: bad',
        'model: { preset: tiny }',
        'rollout:',
        '  groupSize: sixteen',
        'grpo:',
        '  lerning_rate: 0.001',
        '  clip: { high: 1.5 }',
        'tasks:',
        '  math: { kind: math, source: { type: synthetic } }',
        'schedule: { kind: curriculum, stepsPerStage: 3 }',
        '',
      ].join('\n')
    );
    const r = await cli('validate', bad);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^grpo\.lerning_rate: unknown key 'lerning_rate' \(did you mean 'learningRate'\?\)$/m);
    assert.match(r.stderr, /^rollout\.groupSize: must be an integer, got the string "sixteen"$/m);
    assert.match(r.stderr, /^grpo\.clip\.high: must be in \(0, 1\), got 1\.5$/m);
    assert.match(r.stderr, /3 problem\(s\)/);
  });

  it('a YAML syntax error names the line and column', async () => {
    const r = await cli('validate', file('syntax.yaml', 'name: x\nmodel: {preset: tiny\ntasks: 1\n'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /syntax\.yaml:\d+:\d+: /);
  });

  it('schema prints the committed JSON Schema', async () => {
    const r = await cli('schema');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(path.join(ROOT, 'schemas/experiment.schema.json'), 'utf8'));
  });
});

test('validate accepts JSON too', async () => {
  const json = file(
    'ok.json',
    JSON.stringify({
      name: 'j',
      model: { preset: 'micro' },
      window: { type: 'linear', from: 32, to: 64, endStep: 5 },
      tasks: { qa: { kind: 'qa', source: { type: 'synthetic' } } },
      schedule: { kind: 'joint', stepsPerStage: 5 },
    })
  );
  const r = await validate(json);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).totalSteps, 5);
});

test('a duplicate key is an error, not a silent override', async () => {
  const r = await validate(file('dup.yaml', 'name: a\nname: b\n'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /dup\.yaml:2:1: Map keys must be unique/);
});

test('an unreadable file is one clear line', async () => {
  const r = await validate(path.join(scratch, 'missing.yaml'));
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `cannot read ${path.join(scratch, 'missing.yaml')}: no such file`);
});

test('validate --resolved prints the config with every default applied', async () => {
  const r = await validate(path.join(ROOT, 'examples/demo.yaml'), { resolved: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).grpo.clip.low, 0.2);
});

test('readExperimentFile says what is wrong with a path that is a directory', async () => {
  const r = await readExperimentFile(scratch);
  assert.ok(!r.ok);
  assert.deepEqual(r.problems, [`cannot read ${scratch}: is a directory`]);
});
