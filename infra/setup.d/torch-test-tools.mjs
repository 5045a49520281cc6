// PyTorch and Hugging Face transformers, the reference the engine is compared with (bench/engine-vs-torch.ts), in a
// venv of their own: PyPI's Linux torch wheel pulls ~4 GB of CUDA libraries, which the
// tests that need only numpy and safetensors should not wait for. The CPU kernels are what the comparison uses
// (torch limited to the threads the engine gets). Not a runtime dependency. Installed by `npm test`'s setup (the
// bench runs in CI: test/integration/engine-vs-torch.test.ts), by `node infra/setup.mjs --only=torch-test-tools`, or by
// the bench on first use; PyPI serves it in about a minute on a bare machine.
import path from 'node:path';
import { CACHE_DIR } from '../paths.mjs';
import { installVenv, venvReady } from '../pinned-venv.mjs';

export const TORCH_TEST_TOOLS_REQUIREMENTS = [
  'torch==2.15.0',
  'transformers==5.25.0',
  'safetensors==0.8.0',
  'numpy==2.4.6',
];
export const TORCH_TEST_TOOLS_DIR = path.join(CACHE_DIR, 'torch-test-tools');
export const TORCH_TEST_TOOLS_PYTHON = path.join(TORCH_TEST_TOOLS_DIR, 'bin', 'python');

/** True when the venv holds exactly the pinned requirements. */
export function torchTestToolsReady() {
  return venvReady(TORCH_TEST_TOOLS_DIR, TORCH_TEST_TOOLS_REQUIREMENTS);
}

/** Installs the venv unless it is ready (the bench calls this on first use). */
export function installTorchTestTools({ log, run }) {
  if (torchTestToolsReady()) return;
  log(`installing ${TORCH_TEST_TOOLS_REQUIREMENTS.join(', ')} into ${TORCH_TEST_TOOLS_DIR}`);
  installVenv(run, TORCH_TEST_TOOLS_DIR, TORCH_TEST_TOOLS_REQUIREMENTS);
}

/** Whether this setup was asked for the torch venv: by name (`--only=torch-test-tools`) or as an extra
 * (`--with=torch-test-tools`, which `npm test` passes so the engine-vs-torch test finds it). `npm run demo` never
 * installs it. */
function askedFor(argv) {
  return ['--only=', '--with='].some((flag) =>
    argv.some((a) => a.startsWith(flag) && a.slice(flag.length).split(',').includes('torch-test-tools'))
  );
}

export default async function torchTestTools(ctx) {
  if (askedFor(process.argv)) installTorchTestTools(ctx);
}
