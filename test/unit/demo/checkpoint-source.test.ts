import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, resolveCheckpointSource } from '../../../training/checkpoint-source.ts';
import { NON_RETRYABLE_TYPES } from '../../../workflows/activity-options.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'oz-ck-src-'));

test('a relative file:// checkpoint resolves against the working directory first', () => {
  const cwd = tmp();
  const root = tmp();
  mkdirSync(path.join(cwd, 'models', 'b'), { recursive: true });
  mkdirSync(path.join(root, 'models', 'b'), { recursive: true });
  assert.equal(resolveCheckpointSource('file://models/b', [cwd, root]), `file://${path.join(cwd, 'models', 'b')}`);
});

test('… and falls back to the repository root when the working directory lacks it', () => {
  const cwd = tmp();
  const root = tmp();
  mkdirSync(path.join(root, 'models', 'b'), { recursive: true });
  assert.equal(resolveCheckpointSource('file://models/b', [cwd, root]), `file://${path.join(root, 'models', 'b')}`);
});

test('the shipped demo base resolves from any working directory by default', () => {
  const got = resolveCheckpointSource('file://models/demo-base');
  assert.equal(got, `file://${path.join(REPO_ROOT, 'models', 'demo-base')}`);
});

test('absolute and s3 sources pass through unchanged', () => {
  assert.equal(resolveCheckpointSource('file:///abs/dir', []), 'file:///abs/dir');
  assert.equal(resolveCheckpointSource('s3://b/p', []), 's3://b/p');
  assert.equal(resolveCheckpointSource('/abs/dir', []), '/abs/dir');
});

test('a missing relative folder fails non-retryably with what to do', () => {
  assert.throws(
    () => resolveCheckpointSource('file://models/nope', [tmp()]),
    (e: Error) =>
      NON_RETRYABLE_TYPES.includes(e.name) &&
      /no folder 'models\/nope'/.test(e.message) &&
      /pretrain-base/.test(e.message)
  );
});
