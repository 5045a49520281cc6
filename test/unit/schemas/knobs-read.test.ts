/**
 * Every experiment-config knob is read somewhere outside schemas/. A knob validated and documented but read nowhere
 * is worse than none: the user believes it acts (evaluation.baseline, atStageEnd and perTask.*.heldOutSize were
 * exactly that until they were wired up; this scan flags all three on that older tree). bench/ does not count.
 *
 * A leaf `a.b.k` counts as read when some non-schema source file accesses `k` (`.k`, `?.k`, `['k']` or a
 * destructuring `{ k }`) and also names its parent `b`. A heuristic — a generic name read for another reason can hide
 * an unread knob — but it costs nothing and catches the distinctive names, which are most knobs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { experimentSchema } from '../../../schemas/experiment.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NOT_SOURCE = new Set(['node_modules', '.git', 'test', 'schemas', 'docs', 'dist', '.omni-zero', 'bench']);

/** Knobs no code reads on purpose, each with why. A stale entry (the knob is read now) fails the test too. */
const EXEMPT: Record<string, string> = {
  $schema: "the YAML/JSON editor's schema hint; means nothing to a run",
};

type Leaf = { path: string; key: string };

/** Every field path of a zod schema (objects' keys through wrappers, arrays `[]`, records `{}`, unions). */
function leaves(schema: z.ZodType, at = '', out: Leaf[] = []): Leaf[] {
  const def = (schema as unknown as { _zod: { def: Record<string, any> } })._zod.def;
  switch (def.type) {
    case 'object':
      for (const [key, child] of Object.entries(def.shape as Record<string, z.ZodType>)) {
        const p = at ? `${at}.${key}` : key;
        if (!out.some((l) => l.path === p)) out.push({ path: p, key });
        leaves(child, p, out);
      }
      break;
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      leaves(def.innerType, at, out);
      break;
    case 'pipe':
      leaves(def.in, at, out);
      leaves(def.out, at, out);
      break;
    case 'array':
      leaves(def.element, `${at}[]`, out);
      break;
    case 'record':
      leaves(def.valueType, `${at}{}`, out);
      break;
    case 'union':
      for (const option of def.options) leaves(option, at, out);
      break;
    case 'intersection':
      leaves(def.left, at, out);
      leaves(def.right, at, out);
      break;
    case 'lazy':
      leaves(def.getter(), at, out);
      break;
  }
  return out;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && !NOT_SOURCE.has(e.name)) sources(path.join(dir, e.name), out);
    else if (e.isFile() && /\.m?ts$/.test(e.name)) out.push(readFileSync(path.join(dir, e.name), 'utf8'));
  }
  return out;
}

const escape = (s: string) => s.replace(/[$.*+?^(){}|[\]\\]/g, '\\$&');

function unread(all: Leaf[], files: string[]): string[] {
  return all
    .filter(({ path: p, key }) => {
      const parts = p.split(/[.[\]{}]+/).filter(Boolean);
      const parent = parts.length > 1 ? new RegExp(`\\b${escape(parts[parts.length - 2])}\\b`) : null;
      const access = new RegExp(`\\??\\.${escape(key)}\\b|\\['${escape(key)}'\\]|[{,]\\s*${escape(key)}\\s*[,}:=]`);
      return !files.some((t) => access.test(t) && (!parent || parent.test(t)));
    })
    .map((l) => l.path);
}

const files = sources(ROOT);

test('every experiment-config knob is read outside schemas/ (or exempt with a reason)', () => {
  const all = leaves(experimentSchema as z.ZodType);
  assert.ok(all.length > 150, `walked only ${all.length} knobs: the schema walk is broken`);
  assert.ok(files.length > 100, `scanned only ${files.length} source files`);
  const missing = unread(all, files).filter((p) => !(p in EXEMPT));
  assert.deepEqual(missing, [], `knobs validated but read nowhere outside schemas/: ${missing.join(', ')}`);
  const stale = Object.keys(EXEMPT).filter((p) => !unread(all, files).includes(p));
  assert.deepEqual(stale, [], `exempt knobs that are read now: drop them from EXEMPT: ${stale.join(', ')}`);
});

test('the scan flags a knob nobody reads, and sees one that is read', () => {
  const probe = z.object({
    evaluation: z.object({ zzNeverReadKnob: z.boolean(), everySteps: z.int() }),
  });
  assert.deepEqual(unread(leaves(probe), files), ['evaluation.zzNeverReadKnob']);
});
