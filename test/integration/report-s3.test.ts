/** The report reads a run from S3 exactly as from a folder: the real S3 server, the fixture run, `s3://` URIs. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadRun } from '../../report/load.ts';
import { renderReport } from '../../report/render.ts';
import { openBlobStore } from '../../storage/open.ts';
import { writeFixtureRunTo } from '../fixtures/report/generate-run.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';

after(stopOwnS3);

test('loadRun and renderReport over s3://bucket/prefix', async () => {
  const store = await freshBucket('oz-report');
  await writeFixtureRunTo(openBlobStore(`${store.uri}/run-a`), { runId: 'run-a', stepsPerStage: 8, evalEvery: 4 });
  const run = await loadRun(store.uri, 'run-a');
  assert.equal(run.source, `${store.uri}/run-a`);
  assert.equal(run.metrics.length, 32);
  // Evaluations at 0, 4, …, 32.
  assert.equal(run.evaluations.length, 9);
  assert.deepEqual(run.problems, []);
  assert.equal(run.header.status, 'complete');
  const r = renderReport(run);
  assert.equal(r.charts.length, 22);
  await assert.rejects(loadRun(store.uri, 'run-b'), /no run 'run-b' at s3:\/\/.*\/run-b/);
});
