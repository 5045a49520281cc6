// PyTorch and Hugging Face transformers, the reference the engine is compared with (bench/engine-vs-torch.ts and the
// logits oracle test), in a venv of their own: PyPI's Linux torch wheel pulls ~4 GB of CUDA libraries, which the
// tests that need only numpy and safetensors should not wait for. The CPU kernels are what the comparison uses
// (torch limited to the threads the engine gets). Not a runtime dependency.
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

export default async function torchTestTools({ log, run }) {
  if (torchTestToolsReady()) return;
  log(`installing ${TORCH_TEST_TOOLS_REQUIREMENTS.join(', ')} into ${TORCH_TEST_TOOLS_DIR}`);
  installVenv(run, TORCH_TEST_TOOLS_DIR, TORCH_TEST_TOOLS_REQUIREMENTS);
}
