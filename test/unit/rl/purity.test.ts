import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// rl/ runs inside Temporal's deterministic workflow sandbox (window schedule, run plan, mixtures): DESIGN.md allows
// it no I/O and no imports but schemas/, and a replay must make the same choices, so no ambient randomness or time.
// From schemas/ it takes values only from files that import nothing themselves (the shared defaults) and types from
// any, so zod stays out of rl/.
const RL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../rl');

/** Code without comments: comments may name what is banned (to say why); only code counts. */
const codeOf = (file: string): string =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');

test('rl/ imports only rl/, import-free schemas/ files and schemas/ types, and uses no clock, ambient randomness or process state', () => {
  const files = readdirSync(RL).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 10, `found ${files.length} files in ${RL}`);
  for (const file of files) {
    const source = codeOf(path.join(RL, file));
    for (const [, typeOnly, spec] of source.matchAll(/\b(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+'([^']+)'/g)) {
      assert.match(spec, /^(\.\/[a-z-]+|\.\.\/schemas\/[a-z/-]+)\.ts$/, `${file} imports '${spec}'`);
      // A type-only import is erased before the code runs, so it may name a zod-derived type.
      if (spec.startsWith('../') && !typeOnly) {
        const imported = codeOf(path.resolve(RL, spec));
        assert.doesNotMatch(imported, /\bfrom\s+'|\bimport\s*\(/, `${file} imports '${spec}', which imports more`);
      }
    }
    assert.doesNotMatch(source, /\bimport\s*\(|\brequire\s*\(/, `${file}: dynamic import`);
    for (const banned of [
      'Math.random',
      'Date.now',
      'new Date',
      'performance.now',
      'process.',
      'globalThis',
      'setTimeout',
    ]) {
      assert.ok(!source.includes(banned), `${file} uses ${banned}`);
    }
  }
});
