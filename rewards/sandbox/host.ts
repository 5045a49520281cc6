/**
 * What the sandbox needs from the host, found once per process: bwrap, prlimit, Debian's Python under /usr, and the
 * shape of the root (merged /usr makes /bin and /lib* symlinks; older layouts have real directories).
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import type { RootEntry } from './bwrap-args.ts';

export const BWRAP = '/usr/bin/bwrap';
export const PRLIMIT = '/usr/bin/prlimit';
/** Debian's interpreter: it lives under /usr, the only tree bound into the sandbox (a pyenv under /root would not be). */
export const DEFAULT_PYTHON = '/usr/bin/python3';
/** The host identity bwrap runs as when the worker is root: nobody, so RLIMIT_NPROC applies (root is exempt). */
export const NOBODY = 65534;

export function hostRootEntries(): RootEntry[] {
  const entries: RootEntry[] = [{ path: '/usr', kind: 'dir' }];
  for (const path of ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32']) {
    if (!existsSync(path)) continue;
    const st = lstatSync(path);
    if (st.isSymbolicLink()) entries.push({ path, kind: 'symlink', target: readlinkSync(path) });
    else if (st.isDirectory()) entries.push({ path, kind: 'dir' });
  }
  return entries;
}

/** Returns a sentence saying what to install, or undefined when the host has everything. */
export function missingHostTools(python: string): string | undefined {
  if (!python.startsWith('/usr/'))
    return `the sandbox's python must live under /usr, the only tree bound in (got ${python})`;
  const missing = [BWRAP, PRLIMIT, python].filter((p) => !existsSync(p));
  if (missing.length === 0) return undefined;
  return `missing ${missing.join(', ')}: install bubblewrap, util-linux and python3 (npm run setup does it)`;
}
