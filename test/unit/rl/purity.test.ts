import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// rl/ runs inside Temporal's deterministic workflow sandbox (window schedule, run plan, mixtures): DESIGN.md allows
// it no I/O and no imports outside rl/, and a replay must make the same choices, so no ambient randomness or time.
const RL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../rl');

test('rl/ imports only rl/ and uses no clock, ambient randomness or process state', () => {
  const files = readdirSync(RL).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 10, `found ${files.length} files in ${RL}`);
  for (const file of files) {
    // Comments may name what is banned (to say why); only code counts.
    const source = readFileSync(path.join(RL, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const [, spec] of source.matchAll(/\bfrom\s+'([^']+)'/g)) {
      assert.match(spec, /^\.\/[a-z-]+\.ts$/, `${file} imports '${spec}'`);
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
