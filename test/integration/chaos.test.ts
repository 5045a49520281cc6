/**
 * The chaos drill in short (`npm run bench -- chaos --runs 3`): a learning experiment run once undisturbed, then three
 * times with three faults each at seeded moments — every kind of the plan among them: kill -9 of the main, GPU, CPU
 * and I/O worker processes, kill -9 of the dev server (restarted on its SQLite file), MinIO down for 5-30 s, a judge
 * that hangs. Every run must complete with each step's update once in the histories, its checkpoints matching their
 * manifests and its final weights identical to the undisturbed run's, which differ from the base.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runChaosDrill } from '../../bench/chaos/drill.ts';
import { FAULT_KINDS } from '../../bench/chaos/plan.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-chaos-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('chaos drill, 3 runs × 3 faults: 3/3 completed, exactly once, checkpoints verified, identical weights', {
  timeout: 900_000,
}, async (t) => {
  const report = await runChaosDrill({
    runs: 3,
    seed: 1,
    faultsPerRun: 3,
    dir,
    runTimeoutMs: 240_000,
    log: (line) => t.diagnostic(line),
  });
  const { perRun, ...figures } = report;
  t.diagnostic(JSON.stringify(figures));
  const why = perRun.map((r) => JSON.stringify({ runId: r.runId, failure: r.failure, audit: r.audit }));
  assert.ok(report.reference.maxWeightChangeFromBase > 0, 'the undisturbed run left the base weights as they were');
  for (const r of perRun) {
    assert.ok(
      r.gradNorms.every((g) => g !== null && g > 0),
      `${r.runId}: gradient norms ${r.gradNorms}`
    );
    assert.deepEqual(r.unexpectedWorkerExits, [], `${r.runId}: a worker died that the drill did not kill`);
  }
  assert.equal(report.runsCompleted, 3, why.join('\n'));
  assert.equal(report.stepsExactlyOnce, 3, why.join('\n'));
  assert.equal(report.checkpointsVerified, 3, why.join('\n'));
  assert.equal(report.identicalWeights, 3, why.join('\n'));
  // The seed's plan deals every kind; each must have struck a run (not arrived after its end).
  for (const kind of FAULT_KINDS)
    assert.ok(report.faults[kind].struck >= 1, `${kind}: ${JSON.stringify(report.faults[kind])}`);
  assert.ok(report.judgeRequests.hung > 0, 'no judge request hung: the judge-hang fault missed the judged steps');
});
