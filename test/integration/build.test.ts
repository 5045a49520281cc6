import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../../infra/paths.mjs';

test('`npm run build` compiles the package and the built entry point serves the library API', () => {
  // Inside the checkout, so the built files resolve the project's node_modules as an installed package would.
  mkdirSync(path.join(ROOT, '.omni-zero'), { recursive: true });
  const out = mkdtempSync(path.join(ROOT, '.omni-zero', 'build-test-'));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT });
  execFileSync(process.execPath, [path.join(ROOT, 'infra', 'copy-assets.mjs'), out], { cwd: ROOT });
  // Import the built entry point and compute with it.
  const probe = path.join(out, 'probe.mjs');
  writeFileSync(
    probe,
    `const m = await import(${JSON.stringify(path.join(out, 'index.js'))});
     console.log(JSON.stringify(m.lengthPenalty({ thinkTokens: 100, answerTokens: 2000 })));`
  );
  const printed = JSON.parse(execFileSync(process.execPath, [probe], { encoding: 'utf8' }).trim().split('\n').at(-1)!);
  // GZ eq. 5–7 defaults: y = 1900 → (512 − 1900)/1536 = −0.903646; l_answer 2000 → −0.00025·2000 = −0.5.
  assert.ok(Math.abs(printed.think - -1388 / 1536) < 1e-12);
  assert.equal(printed.answer, -0.5);
  rmSync(out, { recursive: true, force: true });
});
