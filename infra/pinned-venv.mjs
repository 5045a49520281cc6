// A Python venv holding exactly a pinned requirement list, for the setup steps that install Python test tools. A stamp
// file records the list installed: a changed pin reinstalls, an unchanged one is skipped. Plain JS, no dependencies.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const stampOf = (dir) => path.join(dir, '.omni-zero-requirements');

/** True when `dir` is a venv with exactly `requirements` installed (and `probe`, a file it must hold, exists). */
export function venvReady(dir, requirements, probe = path.join(dir, 'bin', 'python')) {
  const stamp = stampOf(dir);
  return existsSync(probe) && existsSync(stamp) && readFileSync(stamp, 'utf8') === requirements.join('\n');
}

/** Creates the venv when missing and pip-installs `requirements` into it; a setup step's `run` runs the commands. */
export function installVenv(run, dir, requirements) {
  const python = path.join(dir, 'bin', 'python');
  rmSync(stampOf(dir), { force: true });
  if (!existsSync(python)) run('python3', ['-m', 'venv', dir]);
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...requirements]);
  writeFileSync(stampOf(dir), requirements.join('\n'));
}
