/**
 * The layering rule of docs/layout.md, enforced: every import of every non-test `.ts` file is checked against the row
 * of its folder in that table, so an upward import (a library reaching into activities/, a workflow loading storage
 * code) fails here before review.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../../infra/paths.mjs';
import { type ImportOf, importsOf, layoutRules, type Rule, violations } from '../../helpers/layering.ts';

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'test', '.git', '.omni-zero']);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return SKIPPED_DIRS.has(e.name) || e.name.startsWith('.') ? [] : sourceFiles(rel);
    if (e.isSymbolicLink()) return [];
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
  });
}

const rules = layoutRules(readFileSync(path.join(ROOT, 'docs/layout.md'), 'utf8'));

test('every folder with code has a row in docs/layout.md', () => {
  const folders = new Set(sourceFiles('.').map((f) => (f.includes('/') ? f.split('/')[0] : f)));
  const missing = [...folders].filter((f) => !rules.has(f));
  assert.deepEqual(missing, [], 'add a row to docs/layout.md for each of these');
});

test('no non-test file imports what its folder may not (docs/layout.md)', () => {
  const found = sourceFiles('.').flatMap((file) => violations(file, importsOf(file, read(file)), rules));
  assert.deepEqual(found, [], `imports against docs/layout.md:\n${found.join('\n')}`);
});

test('the checker catches an upward import, a Temporal import in a library and a value import of a type-only layer', () => {
  const imports = (file: string, src: string): ImportOf[] => importsOf(file, src);
  const r = new Map<string, Rule>([
    ['rl', { values: ['schemas'], types: [] }],
    ['workflows', { values: ['schemas', '@temporalio/workflow'], types: ['activities'] }],
  ]);
  const up = imports('rl/x.ts', "import { a } from '../activities/gpu.ts';");
  assert.equal(violations('rl/x.ts', up, r).length, 1);
  const temporal = imports('rl/x.ts', "import { Context } from '@temporalio/activity';");
  assert.equal(violations('rl/x.ts', temporal, r).length, 1);
  const dynamic = imports('rl/x.ts', "const m = await import('../workers/runtime.ts');");
  assert.equal(violations('rl/x.ts', dynamic, r).length, 1);
  const reexport = imports('rl/x.ts', "export { b } from '../storage/open.ts';");
  assert.equal(violations('rl/x.ts', reexport, r).length, 1);
  const typeOnly = imports('workflows/w.ts', "import type * as activities from '../activities/index.ts';");
  assert.deepEqual(violations('workflows/w.ts', typeOnly, r), []);
  const inlineTypes = imports('workflows/w.ts', "import { type A, type B } from '../activities/types.ts';");
  assert.deepEqual(violations('workflows/w.ts', inlineTypes, r), []);
  const value = imports('workflows/w.ts', "import { type A, gpu } from '../activities/types.ts';");
  assert.equal(violations('workflows/w.ts', value, r).length, 1);
  const allowed = imports('rl/x.ts', "import { z } from '../schemas/x.ts'; import { y } from './y.ts'; import 'zod';");
  assert.deepEqual(violations('rl/x.ts', allowed, r), []);
});

test('the table parser reads folders, packages, "types only" and "everything"', () => {
  const table = [
    '| folder | holds | may import |',
    '|---|---|---|',
    '| `rl/` | formulas | `schemas/` |',
    '| `workflows/` | wf | `schemas/`, `@temporalio/workflow`; types only: `activities/` |',
    '| `bench/` | b | everything |',
    '| `index.ts` | entry | — |',
  ].join('\n');
  const parsed = layoutRules(table);
  assert.deepEqual(parsed.get('rl'), { values: ['schemas'], types: [] });
  assert.deepEqual(parsed.get('workflows'), { values: ['schemas', '@temporalio/workflow'], types: ['activities'] });
  assert.equal(parsed.get('bench'), 'everything');
  assert.deepEqual(parsed.get('index.ts'), { values: [], types: [] });
});

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}
