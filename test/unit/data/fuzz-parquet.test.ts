/**
 * Damaged Parquet files (a flipped byte anywhere, or cut short) through the real loader: the result is the file's
 * rows or a DataInputError naming the file — never another kind of crash, never a hang. (A flip inside a value that
 * leaves the file readable loads that value changed: pyarrow writes no page checksums by default.) Files from real
 * pyarrow (test/fixtures/data/parquet/write.py); fixed seed; counts as a diagnostic.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { DataInputError } from '../../../data/errors.ts';
import { loadRows } from '../../../data/load.ts';
import { pythonTools } from '../../helpers/python.ts';

const WRITER = new URL('../../fixtures/data/parquet/write.py', import.meta.url).pathname;
const KIND = {
  webinstruct: 'stem',
  'openr1-math': 'math',
  'code-r1': 'code',
  supergpqa: 'qa',
  sharegpt: 'writing',
} as const;
const RUNS_PER_FILE = 300;
const dir = mkdtempSync(path.join(tmpdir(), 'oz-fuzz-parquet-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a damaged Parquet file loads or is a DataInputError naming it, for every adapter', async (t) => {
  const tools = await pythonTools();
  if (tools.python === undefined) return t.skip(tools.skip);
  const w = spawnSync(tools.python, [WRITER, dir, '2'], { encoding: 'utf8' });
  assert.equal(w.status, 0, w.stderr);
  const counts = { tried: 0, loaded: 0, refused: 0 };
  for (const [name, kind] of Object.entries(KIND)) {
    const original = readFileSync(path.join(dir, `${name}.parquet`));
    const damaged = path.join(dir, `damaged-${name}.parquet`);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), async (at, mask, cut) => {
        const bytes = Buffer.from(original);
        if (!cut) bytes[at % bytes.length] ^= mask;
        writeFileSync(damaged, cut ? bytes.subarray(0, at % bytes.length) : bytes);
        counts.tried++;
        try {
          await loadRows(damaged, name, { task: name, kind, seed: 1 });
          counts.loaded++;
        } catch (err) {
          assert.ok(err instanceof DataInputError, `${name}: ${String(err)}`);
          assert.ok(err.message.includes(damaged), err.message);
          counts.refused++;
        }
      }),
      { seed: 0x16_9a, numRuns: RUNS_PER_FILE }
    );
  }
  t.diagnostic(JSON.stringify(counts));
});
