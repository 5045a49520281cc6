/**
 * The deployment files in infra/deploy/ checked by the tools made for them: every Kubernetes kustomization rendered by
 * kustomize and its output validated by kubeconform against the Kubernetes schemas (strict: an unknown field is an
 * error); the compose files loaded by compose-go, the library Docker Compose uses; the Helm values checked against
 * the chart's own keys. Each validator is also shown a deliberately broken copy and must reject it. Secrets are made
 * from the committed .example files in a temporary copy, as docs/deploy.md tells a user to.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../../infra/paths.mjs';
import {
  COMPOSE_SPEC_BIN,
  DOCKERFILE_CHECK_BIN,
  deployValidatorsReady,
  KUBECONFORM_BIN,
  KUBERNETES_SCHEMA_LOCATION,
  KUBERNETES_VERSION,
  KUSTOMIZE_BIN,
} from '../../infra/setup.d/deploy-validators.mjs';
import { SEARCH_ATTRIBUTES } from '../../schemas/search-attributes.ts';

const DEPLOY = path.join(ROOT, 'infra', 'deploy');
const KUSTOMIZATIONS = ['temporal', 'overlays/laptop', 'overlays/gpu-cluster', 'overlays/gpu-cluster-mtls'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'oz-deploy-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

before(() => {
  assert.ok(deployValidatorsReady(), 'deployment validators missing: run `npm run setup` (needs Go)');
});

/** A copy of infra/deploy with each secrets/*.example copied to its real name, as the runbook's first step does. */
function deployCopy(name: string): string {
  const dir = path.join(tmp, name);
  cpSync(DEPLOY, dir, { recursive: true });
  const fill = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) fill(full);
      else if (entry.name.endsWith('.example')) cpSync(full, full.slice(0, -'.example'.length));
    }
  };
  fill(dir);
  return dir;
}

function tool(bin: string, args: string[], cwd = tmp) {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function kustomize(deployDir: string, kustomization: string): string {
  const r = tool(KUSTOMIZE_BIN, ['build', path.join(deployDir, 'k8s', kustomization)]);
  assert.equal(r.code, 0, `kustomize build ${kustomization}:\n${r.stderr}`);
  return r.stdout;
}

function kubeconform(manifests: string) {
  const file = path.join(tmp, `rendered-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, manifests);
  const args = ['-strict', '-summary', '-kubernetes-version', KUBERNETES_VERSION];
  return tool(KUBECONFORM_BIN, [...args, '-schema-location', KUBERNETES_SCHEMA_LOCATION, file]);
}

const objects = (manifests: string) =>
  parseAllDocuments(manifests).map((d) => d.toJS()) as { kind: string; metadata: { name: string }; spec?: any }[];
const deployment = (manifests: string, name: string) =>
  objects(manifests).find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;

/** Required ConfigMaps and Secrets that pods name (envFrom, secretKeyRef, volumes) but the output lacks. */
function danglingReferences(manifests: string): string[] {
  const all = objects(manifests);
  const have = new Set(all.map((o) => `${o.kind}/${o.metadata.name}`));
  const wanted: string[] = [];
  for (const o of all) {
    const pod = o.spec?.template?.spec;
    if (!pod) continue;
    for (const c of pod.containers) {
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef && !e.configMapRef.optional) wanted.push(`ConfigMap/${e.configMapRef.name}`);
        if (e.secretRef && !e.secretRef.optional) wanted.push(`Secret/${e.secretRef.name}`);
      }
      for (const e of c.env ?? [])
        if (e.valueFrom?.secretKeyRef) wanted.push(`Secret/${e.valueFrom.secretKeyRef.name}`);
    }
    for (const v of pod.volumes ?? []) if (v.secret) wanted.push(`Secret/${v.secret.secretName}`);
  }
  return [...new Set(wanted)].filter((w) => !have.has(w));
}

const good = deployCopy('good');

for (const kustomization of KUSTOMIZATIONS) {
  test(`k8s ${kustomization}: kustomize renders it and kubeconform finds every object valid`, () => {
    const manifests = kustomize(good, kustomization);
    assert.deepEqual(danglingReferences(manifests), []);
    const r = kubeconform(manifests);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const summary = r.stdout.match(
      /(\d+) resources found.*Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/
    );
    assert.ok(summary, r.stdout);
    assert.equal(summary[2], summary[1], `every resource validated, none skipped: ${r.stdout}`);
  });
}

test('k8s: a Secret the pods need but the overlay does not make is caught', () => {
  const broken = deployCopy('broken-ref');
  const file = path.join(broken, 'k8s', 'overlays', 'laptop', 'kustomization.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('name: omni-zero-codec\n', 'name: omni-zero-codecs\n'));
  assert.deepEqual(danglingReferences(kustomize(broken, 'overlays/laptop')), ['Secret/omni-zero-codec']);
});

test('k8s: a misspelt field and a wrongly typed value are rejected', () => {
  const broken = deployCopy('broken-k8s');
  const gpu = path.join(broken, 'k8s', 'base', 'worker-gpu.yaml');
  writeFileSync(
    gpu,
    readFileSync(gpu, 'utf8').replace('resources:', 'resource:').replace('replicas: 1', 'replicas: one')
  );
  const r = kubeconform(kustomize(broken, 'overlays/laptop'));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /omni-zero-worker-gpu is invalid/);
  assert.match(r.stdout, /'resource' not allowed/);
  assert.match(r.stdout, /\/spec\/replicas.*got string, want null or integer/);
});

test('k8s gpu-cluster: GPU workers request a GPU each, on GPU nodes, and probe the metrics endpoint', () => {
  const manifests = kustomize(good, 'overlays/gpu-cluster');
  const pod = deployment(manifests, 'omni-zero-worker-gpu').spec.template.spec;
  const worker = pod.containers[0];
  assert.equal(worker.resources.limits['nvidia.com/gpu'], '1');
  assert.equal(pod.nodeSelector['nvidia.com/gpu.present'], 'true');
  assert.deepEqual(pod.tolerations[0], { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  assert.equal(worker.image, 'registry.example.com/ml/omni-zero:0.1.0-gpu');
  assert.deepEqual(worker.args.slice(0, 3), ['worker', '--queue', 'gpu']);
  for (const probe of [worker.livenessProbe, worker.readinessProbe])
    assert.deepEqual(probe.httpGet, { path: '/metrics', port: 'metrics' });
  assert.equal(worker.ports[0].containerPort, Number(worker.args[worker.args.indexOf('--metrics-port') + 1]));
  // TensorFlow's CPU pools follow the pod's CPU request, not the node's cores.
  const threads = worker.env.find((e: any) => e.name === 'OMNI_ZERO_THREADS');
  assert.deepEqual(threads?.valueFrom?.resourceFieldRef, {
    containerName: worker.name,
    resource: 'requests.cpu',
    divisor: '1',
  });
  assert.ok(Number(worker.resources.requests.cpu) >= 1, 'a whole CPU at least, so the value is a valid thread count');
  // The CPU role stays off GPU nodes and asks for no GPU.
  const cpu = deployment(manifests, 'omni-zero-worker-cpu').spec.template.spec;
  assert.equal(cpu.containers[0].resources.limits['nvidia.com/gpu'], undefined);
  assert.equal(cpu.nodeSelector, undefined);
});

test('k8s laptop: every role has a worker, and S3, judge and codec keys come from Secrets', () => {
  const manifests = kustomize(good, 'overlays/laptop');
  const secrets = objects(manifests)
    .filter((o) => o.kind === 'Secret')
    .map((o) => o.metadata.name);
  for (const role of ['main', 'gpu', 'cpu', 'io']) {
    const pod = deployment(manifests, `omni-zero-worker-${role}`).spec.template.spec;
    const refs = pod.containers[0].envFrom.map((e: any) => e.secretRef?.name).filter(Boolean);
    const codec = pod.volumes.find((v: any) => v.name === 'codec-keys').secret.secretName;
    assert.deepEqual([refs[0], refs[1], codec], ['omni-zero-s3', 'omni-zero-judge', 'omni-zero-codec'], role);
    for (const name of [refs[0], refs[1], codec]) assert.ok(secrets.includes(name), `${role}: ${name} in ${secrets}`);
  }
});

/** Dotted key paths of a YAML mapping; lists are leaves. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

test('Helm values: every key is one the Temporal chart 1.6.0 has (or lies in a map it leaves open)', () => {
  const chart = readFileSync(path.join(ROOT, 'test/fixtures/deploy/temporal-chart-1.6.0-values-keys.txt'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const known = (key: string) =>
    chart.includes(key) || chart.some((c) => c.endsWith('.*') && key.startsWith(c.slice(0, -1)));
  const ours = keyPaths(parse(readFileSync(path.join(DEPLOY, 'k8s/temporal/values.yaml'), 'utf8')));
  assert.ok(ours.length > 20, `${ours.length} keys`);
  assert.deepEqual(
    ours.filter((k) => !known(k)),
    []
  );
  assert.equal(known('server.config.persistance.numHistoryShards'), false, 'a misspelt key is caught');
});

function composeCheck(deployDir: string, files: string[]) {
  return tool(
    COMPOSE_SPEC_BIN,
    files.map((f) => path.join(deployDir, 'compose', f)),
    path.join(deployDir, 'compose')
  );
}

test('compose: compose-go loads the stack, alone and with the GPU override', () => {
  for (const files of [['compose.yaml'], ['compose.yaml', 'compose.gpu.yaml']]) {
    const r = composeCheck(good, files);
    assert.equal(r.code, 0, `${files.join(' + ')}:\n${r.stderr}`);
    const services = Object.keys(parse(r.stdout).services);
    for (const s of ['temporal', 'temporal-ui', 'postgresql', 'minio', 'codec-server'])
      assert.ok(services.includes(s), s);
    for (const role of ['main', 'gpu', 'cpu', 'io']) assert.ok(services.includes(`worker-${role}`), role);
  }
  const gpu = parse(composeCheck(good, ['compose.yaml', 'compose.gpu.yaml']).stdout).services['worker-gpu'];
  assert.equal(gpu.deploy.resources.reservations.devices[0].driver, 'nvidia');
  assert.deepEqual(gpu.command, ['worker', '--queue', 'gpu', '--metrics-port', '9464', '--metrics-host', '0.0.0.0']);
});

test('compose: an unknown service key and a wrongly typed value are rejected', () => {
  const broken = deployCopy('broken-compose');
  const file = path.join(broken, 'compose', 'compose.yaml');
  const text = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    text.replace('    restart: unless-stopped\n    env_file: [env/postgres.env]', '    restrat: always')
  );
  const unknownKey = composeCheck(broken, ['compose.yaml']);
  assert.equal(unknownKey.code, 1);
  assert.match(unknownKey.stderr, /services\.postgresql\.restrat/);
  writeFileSync(file, text.replace('retries: 30', 'retries: thirty'));
  const badType = composeCheck(broken, ['compose.yaml']);
  assert.equal(badType.code, 1);
  assert.match(badType.stderr, /retries/);
});

test('compose: what the services name exists (services, secrets, env files from a committed .example)', () => {
  const compose = parse(readFileSync(path.join(DEPLOY, 'compose/compose.yaml'), 'utf8'), { merge: true });
  for (const [name, service] of Object.entries<any>(compose.services)) {
    for (const dep of Object.keys(service.depends_on ?? {})) assert.ok(compose.services[dep], `${name} → ${dep}`);
    for (const secret of service.secrets ?? []) assert.ok(compose.secrets[secret], `${name} → secret ${secret}`);
    for (const envFile of [service.env_file ?? []].flat())
      assert.ok(existsSync(path.join(DEPLOY, 'compose', `${envFile}.example`)), `${name} → ${envFile}.example`);
  }
  for (const secret of Object.values<any>(compose.secrets))
    assert.ok(existsSync(path.join(DEPLOY, 'compose', `${secret.file}.example`)), secret.file);
});

test('the search attributes the deploy files register are the ones runs upsert', () => {
  const want = Object.entries(SEARCH_ATTRIBUTES)
    .map(([name, kind]) => `${name}=${kind}`)
    .sort();
  for (const file of ['compose/compose.yaml', 'k8s/temporal/search-attributes.yaml']) {
    const listed = readFileSync(path.join(DEPLOY, file), 'utf8').match(/for sa in ([^;]+); do/)![1];
    assert.deepEqual(listed.split(/\s+/).filter(Boolean).sort(), want, file);
  }
});

test('every image is pinned to a version, and the worker image runs the Node the project pins', () => {
  const rendered = [
    ...KUSTOMIZATIONS.map((k) => kustomize(good, k)),
    composeCheck(good, ['compose.yaml', 'compose.gpu.yaml']).stdout,
    composeCheck(good, ['compose.yaml']).stdout,
  ];
  const images = new Set(rendered.flatMap((m) => [...m.matchAll(/^\s*(?:- )?image: "?([^\s"]+)/gm)].map((x) => x[1])));
  const dockerfile = readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
  for (const [, from] of dockerfile.matchAll(/^FROM (\S+)/gm)) if (!from.startsWith('$')) images.add(from);
  assert.ok(images.size >= 8, [...images].join(' '));
  for (const image of images) assert.match(image, /:[\w.-]*\d[\w.-]*$/, `${image} has no version tag`);
  const node = JSON.parse(readFileSync(path.join(ROOT, 'infra/versions.json'), 'utf8')).node.version;
  assert.match(dockerfile, new RegExp(`^ARG NODE_IMAGE=node:${node.replaceAll('.', '\\.')}-`, 'm'));
});

test("the worker flags the deploy files pass are the CLI's own (`omni-zero worker --help`)", () => {
  const help = tool(process.execPath, [path.join(ROOT, 'bin', 'omni-zero.js'), 'worker', '--help'], ROOT);
  assert.equal(help.code, 0, help.stderr);
  const compose = parse(composeCheck(good, ['compose.yaml']).stdout).services;
  const k8s = kustomize(good, 'overlays/gpu-cluster');
  const commands: string[][] = [
    compose['worker-main'].command,
    compose['worker-gpu'].command,
    deployment(k8s, 'omni-zero-worker-io').spec.template.spec.containers[0].args,
  ];
  for (const args of commands) {
    assert.equal(args[0], 'worker');
    for (const flag of args.filter((a) => a.startsWith('--'))) assert.ok(help.stdout.includes(flag), flag);
  }
  assert.equal(help.stdout.includes('--no-such-flag'), false);
});

interface DockerfileReport {
  stages: { name: string; base: string; copyFrom: string[] }[];
  args: Record<string, string>;
  warnings: string[];
}

function dockerfileCheck(file: string) {
  const r = tool(DOCKERFILE_CHECK_BIN, [file]);
  return { ...r, report: r.code === 0 ? (JSON.parse(r.stdout) as DockerfileReport) : undefined };
}

test('Dockerfile: BuildKit parses it without a lint warning; stages refer only to earlier stages, per flavour', () => {
  const { code, stderr, report } = dockerfileCheck(path.join(DEPLOY, 'Dockerfile'));
  assert.equal(code, 0, stderr);
  assert.deepEqual(report!.warnings, []);
  const names = report!.stages.map((s) => s.name);
  report!.stages.forEach((s, i) => {
    for (const from of s.copyFrom) assert.ok(names.slice(0, i).includes(from), `${s.name}: COPY --from=${from}`);
  });
  const final = report!.stages.at(-1)!;
  assert.equal(report!.args.FLAVOUR, 'cpu');
  for (const flavour of ['cpu', 'gpu'])
    assert.ok(names.includes(final.base.replace(/\$\{FLAVOUR\}/, flavour)), `${flavour}: ${final.base}`);
});

test('Dockerfile: BuildKit refuses a misspelt flag, and its linter flags a casing slip', () => {
  const broken = deployCopy('broken-dockerfile');
  const file = path.join(broken, 'Dockerfile');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('COPY --from=pack', 'COPY --frm=pack'));
  const refused = dockerfileCheck(file);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /unknown flag: --frm/);
  writeFileSync(file, text.replace('AS pack', 'as pack'));
  assert.match(dockerfileCheck(file).report!.warnings.join('\n'), /FromAsCasing/);
});
