// The experiment trackers' own tools, in a venv of their own, used only by the tracker integration tests
// (test/integration/mlflow-tracking.test.ts, tensorboard-tracking.test.ts): MLflow's tracking server (`mlflow server`)
// and TensorBoard's event reader. MLflow pulls in pandas, scikit-learn and Flask, which the other Python test tools
// do not need. Not a runtime dependency: runs log to whatever server or folder their config names.
import path from 'node:path';
import { CACHE_DIR } from '../paths.mjs';
import { installVenv, venvReady } from '../pinned-venv.mjs';

// mlflow 3.18.0 is not installable from the index this project uses (its mlflow-tracing==3.18.0 is missing).
export const TRACKER_TEST_TOOLS_REQUIREMENTS = ['mlflow==3.17.2', 'tensorboard==2.21.0'];
export const TRACKER_TEST_TOOLS_DIR = path.join(CACHE_DIR, 'tracker-test-tools');
export const TRACKER_TEST_TOOLS_PYTHON = path.join(TRACKER_TEST_TOOLS_DIR, 'bin', 'python');
export const MLFLOW_BIN = path.join(TRACKER_TEST_TOOLS_DIR, 'bin', 'mlflow');
/** True when the venv holds exactly the pinned requirements. */
export function trackerTestToolsReady() {
  return venvReady(TRACKER_TEST_TOOLS_DIR, TRACKER_TEST_TOOLS_REQUIREMENTS, MLFLOW_BIN);
}

export default async function trackerTestTools({ log, run }) {
  if (trackerTestToolsReady()) return;
  log(`installing ${TRACKER_TEST_TOOLS_REQUIREMENTS.join(', ')} into ${TRACKER_TEST_TOOLS_DIR}`);
  installVenv(run, TRACKER_TEST_TOOLS_DIR, TRACKER_TEST_TOOLS_REQUIREMENTS);
}
