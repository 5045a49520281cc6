/**
 * `omni-zero demo --steps-per-stage 2` end to end as a user runs it: a child process that brings up its own Temporal
 * dev server and S3 server (state in a temporary OMNI_ZERO_HOME on free ports, so the long-lived dev stack is not
 * touched), runs the four-stage curriculum from the shipped base, and prints the final table as JSON.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { localS3Env } from '../../infra/dev-stack.ts';
import { ROOT, STATE_DIR } from '../../infra/paths.mjs';
import { freePort } from '../../infra/temporal-dev.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';

const home = mkdtempSync(path.join(os.tmpdir(), 'oz-demo-home-'));
// Installed tools (Temporal CLI, MinIO, tfjs-node) are shared; run state (pid files, SQLite, S3 data) is the test's own.
for (const entry of readdirSync(STATE_DIR)) {
  if (entry !== 'run' && entry !== 's3') symlinkSync(path.join(STATE_DIR, entry), path.join(home, entry));
}

function stopPidFile(name: string): void {
  const file = path.join(home, 'run', name);
  if (!existsSync(file)) return;
  try {
    process.kill(Number(readFileSync(file, 'utf8')), 'SIGTERM');
  } catch {
    // already gone
  }
}
after(() => {
  stopPidFile('temporal.pid');
  stopPidFile('s3.pid');
});

// The child boots its own Temporal and S3 servers and evaluates five times; alone it takes ~2 min, and `npm test`
// runs two files at once, so a loaded CI machine needs well over twice that.
test('a shortened demo runs the curriculum and prints the table; checkpoints land in the S3 bucket', {
  timeout: 480_000,
}, async () => {
  const temporalPort = await freePort();
  const s3Port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMNI_ZERO_HOME: home,
    OMNI_ZERO_TEMPORAL_PORT: String(temporalPort),
    OMNI_ZERO_TEMPORAL_UI_PORT: String(await freePort()),
    OMNI_ZERO_S3_PORT: String(s3Port),
    // A shell set up for Temporal Cloud: the demo still runs on its own dev server, in plain text (docs/connect.md).
    TEMPORAL_TLS: 'true',
    TEMPORAL_API_KEY: 'a-cloud-key-from-the-shell',
  };
  for (const k of ['OMNI_ZERO_S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete env[k];
  const child = spawn(process.execPath, ['bin/omni-zero.js', 'demo', '--steps-per-stage', '2'], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 0, stderr.slice(-3000));
  const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
  assert.equal(out.status, 'completed');
  assert.equal(out.steps, 12); // demo.yaml's stages (48, 24, 48, 24 at 24 a stage) scaled to 2 a stage: 4, 2, 4, 2
  assert.deepEqual(out.table.tasks, ['code', 'math', 'qa', 'writing']);
  assert.deepEqual(
    out.table.rows.map((r: { label: string }) => r.label),
    ['base', 'after code', 'after math', 'after qa', 'after writing']
  );
  for (const row of out.table.rows) {
    for (const t of out.table.tasks) assert.ok(typeof row.scores[t] === 'number', `${row.label} ${t} scored`);
  }
  for (const t of out.table.tasks) {
    // BWT is the base minus the last row, exactly.
    const b = out.table.rows[0].scores[t];
    const a = out.table.rows.at(-1).scores[t];
    assert.ok(Math.abs(out.table.bwt[t] - (b - a)) < 1e-12);
  }
  for (const k of ['setup', 'rollout', 'scoring', 'update', 'evaluation', 'run', 'total'])
    assert.ok(out.table.phaseMs[k] >= 0, `phase ${k}`);
  assert.match(out.report, new RegExp(`report ${out.workflowId} --storage s3://omni-zero-demo/runs`));
  assert.match(stderr, /stage 1\/4 code +step 1\/12/);
  assert.match(stderr, /Web UI/);

  Object.assign(process.env, localS3Env(`http://127.0.0.1:${s3Port}`));
  const store = new S3BlobStore('omni-zero-demo', `runs/${out.workflowId}`);
  const keys = (await store.list('')).map((o) => o.key);
  const manifests = keys.filter((k) => /^checkpoints\/step-\d+\/manifest\.json$/.test(k));
  assert.ok(manifests.length >= 1, `checkpoint manifests in S3: ${keys.slice(0, 20).join(', ')}`);
  assert.ok(out.finalCheckpoint?.startsWith('checkpoints/') || out.finalCheckpoint?.includes('step-'));
});
