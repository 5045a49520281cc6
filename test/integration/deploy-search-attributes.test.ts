/**
 * The search-attribute registration the deploy files run (compose's `temporal-setup` service, the Kubernetes Job),
 * run for real with the pinned `temporal` CLI against a dev server started without the attributes, as a new cluster
 * is: it registers every attribute with its type, a second run changes nothing and succeeds, and a failing
 * registration fails the step.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT, TEMPORAL_BIN } from '../../infra/paths.mjs';
import { type DevServer, startDevServer } from '../../infra/temporal-dev.ts';
import { SEARCH_ATTRIBUTES } from '../../schemas/search-attributes.ts';

const DEPLOY = path.join(ROOT, 'infra', 'deploy');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'oz-deploy-sa-'));
let server: DevServer;

before(async () => {
  server = await startDevServer({ dbFile: path.join(tmp, 'temporal.sqlite'), uiPort: false, searchAttributes: false });
});
after(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** The compose service's shell script, with compose's `$$` escape undone as compose itself does. */
function composeScript(): string {
  const compose = parse(readFileSync(path.join(DEPLOY, 'compose/compose.yaml'), 'utf8'), { merge: true });
  return (compose.services['temporal-setup'].command[0] as string).replaceAll('$$', '$');
}

function jobScript(): string {
  const [job] = parseAllDocuments(readFileSync(path.join(DEPLOY, 'k8s/temporal/search-attributes.yaml'), 'utf8'));
  return job.toJS().spec.template.spec.containers[0].args[0];
}

function sh(script: string) {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    PATH: `${path.dirname(TEMPORAL_BIN)}${path.delimiter}${process.env.PATH}`,
  };
  return spawnSync('sh', ['-c', script], { env, encoding: 'utf8' });
}

/** Omni* attributes on the server, as `name=type` (the CLI's table). */
function registered(): string[] {
  const r = spawnSync(TEMPORAL_BIN, ['operator', 'search-attribute', 'list', '--address', server.address], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return [...r.stdout.matchAll(/^\s*(Omni\w+)\s+(\w+)/gm)].map((m) => `${m[1]}=${m[2]}`).sort();
}

const want = Object.entries(SEARCH_ATTRIBUTES)
  .map(([name, kind]) => `${name}=${kind}`)
  .sort();

test('compose registers every search attribute on a bare server, and the Kubernetes Job then finds them there', () => {
  assert.deepEqual(registered(), []);
  const compose = sh(composeScript());
  assert.equal(compose.status, 0, compose.stderr);
  assert.deepEqual(registered(), want);
  const job = sh(jobScript());
  assert.equal(job.status, 0, job.stderr);
  assert.equal(job.stdout, '', 'nothing left to create');
  assert.deepEqual(registered(), want);
});

test('a registration the server refuses fails the step', () => {
  const r = sh(jobScript().replace('OmniStep=Int', 'OmniSteps=Integer'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Integer/);
});
