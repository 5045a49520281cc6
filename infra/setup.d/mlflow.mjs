// MLflow's tracking server (`mlflow server`, PyPI) in its own venv, used only by the tracker integration test
// (test/integration/mlflow-tracking.test.ts): it pulls in pandas, scikit-learn and Flask, which the other Python
// test tools do not need. Not a runtime dependency: runs log to whatever MLflow server their config names.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from '../paths.mjs';

export const MLFLOW_VERSION = '3.17.2';
export const MLFLOW_DIR = path.join(CACHE_DIR, `mlflow-${MLFLOW_VERSION}`);
export const MLFLOW_BIN = path.join(MLFLOW_DIR, 'bin', 'mlflow');
const STAMP = path.join(MLFLOW_DIR, '.omni-zero-installed');

/** True when the venv holds the pinned MLflow. */
export function mlflowReady() {
  return existsSync(MLFLOW_BIN) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === MLFLOW_VERSION;
}

export default async function mlflow({ log, run }) {
  if (mlflowReady()) return;
  log(`installing mlflow==${MLFLOW_VERSION} into ${MLFLOW_DIR}`);
  rmSync(STAMP, { force: true });
  if (!existsSync(path.join(MLFLOW_DIR, 'bin', 'python'))) run('python3', ['-m', 'venv', MLFLOW_DIR]);
  run(path.join(MLFLOW_DIR, 'bin', 'python'), [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    `mlflow==${MLFLOW_VERSION}`,
  ]);
  writeFileSync(STAMP, MLFLOW_VERSION);
}
