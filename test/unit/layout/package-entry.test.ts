/**
 * The package entry is the libraries: importing it must not load Temporal (a user who wants the GRPO formulas or the
 * verifiers should not pull in the Temporal SDK). Each import runs in a fresh process, so nothing loaded earlier
 * counts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../../infra/paths.mjs';

function temporalModulesLoadedBy(entry: string): string[] {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/helpers/temporal-modules-loaded.ts'), path.join(ROOT, entry)],
    { cwd: ROOT, encoding: 'utf8' }
  );
  return JSON.parse(out) as string[];
}

test('importing the package entry (index.ts) loads no @temporalio module', () => {
  assert.deepEqual(temporalModulesLoadedBy('index.ts'), []);
});

test('… while the Temporal entry (temporal.ts) does, so the probe sees Temporal when it is there', () => {
  const loaded = temporalModulesLoadedBy('temporal.ts');
  assert.ok(
    loaded.some((m) => m.startsWith('@temporalio/client/')),
    `expected @temporalio/client among ${loaded.length}`
  );
});
