// Python's reference implementations (safetensors + numpy, tokenizers, jinja2 as transformers renders chat templates) in their own venv, used only by tests and by
// test/fixtures/tokenizers/make.py to check our formats against the real implementations. Not a runtime dependency.
import path from 'node:path';
import { CACHE_DIR } from '../paths.mjs';
import { installVenv, venvReady } from '../pinned-venv.mjs';

export const PYTHON_TEST_TOOLS_DIR = path.join(CACHE_DIR, 'python-test-tools');
export const PYTHON_TEST_TOOLS_PYTHON = path.join(PYTHON_TEST_TOOLS_DIR, 'bin', 'python');
// numpy 2.4 is the newest line with wheels for Python 3.11 (2.5 needs 3.12).
export const PYTHON_TEST_TOOLS_REQUIREMENTS = [
  'numpy==2.4.6',
  'safetensors==0.8.0',
  'tokenizers==0.23.3',
  'jinja2==3.1.6',
  // the math verifier's test oracle; the antlr4 runtime pinned as its README asks
  'math-verify==0.8.0',
  'antlr4-python3-runtime==4.13.2',
  'pyarrow==26.0.1',
];

/** True when the venv exists with exactly the pinned requirements installed. */
export function pythonTestToolsReady() {
  return venvReady(PYTHON_TEST_TOOLS_DIR, PYTHON_TEST_TOOLS_REQUIREMENTS);
}

export default async function pythonTestTools({ log, run }) {
  if (pythonTestToolsReady()) return;
  log(`installing Python test tools (${PYTHON_TEST_TOOLS_REQUIREMENTS.join(', ')}) into ${PYTHON_TEST_TOOLS_DIR}`);
  installVenv(run, PYTHON_TEST_TOOLS_DIR, PYTHON_TEST_TOOLS_REQUIREMENTS);
}
