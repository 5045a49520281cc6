// The code sandbox (rewards/sandbox/) runs Debian's /usr/bin/python3 under /usr/bin/bwrap with /usr/bin/prlimit: the
// interpreter must live under /usr, the only host tree bound into the sandbox (a pyenv or venv under /root is not).
// bubblewrap itself comes from versions.json's aptPackages; this step adds python3 and util-linux if missing, then
// checks that bwrap can create the namespaces the sandbox needs, and says what to fix when it cannot.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = { '/usr/bin/python3': 'python3', '/usr/bin/prlimit': 'util-linux', '/usr/bin/bwrap': 'bubblewrap' };

export default async function sandbox({ log, run, has }) {
  const missing = [
    ...new Set(
      Object.entries(NEEDED)
        .filter(([p]) => !existsSync(p))
        .map(([, pkg]) => pkg)
    ),
  ];
  if (missing.length > 0) {
    const isRoot = process.getuid?.() === 0;
    if (!isRoot && !has('sudo')) {
      throw new Error(
        `setup: the code sandbox needs Debian packages ${missing.join(', ')}; install them (apt-get install ${missing.join(' ')})`
      );
    }
    log(`installing Debian packages for the code sandbox: ${missing.join(', ')}`);
    const apt = (args) =>
      run(isRoot ? 'apt-get' : 'sudo', isRoot ? args : ['apt-get', ...args], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  }
  // The same namespaces and identity as a real run (nobody when root: RLIMIT_NPROC does not apply to root).
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const probe = spawnSync(
    '/usr/bin/bwrap',
    [
      '--unshare-all',
      '--unshare-user',
      '--die-with-parent',
      '--ro-bind',
      '/usr',
      '/usr',
      '--ro-bind-try',
      '/lib',
      '/lib',
      '--ro-bind-try',
      '/lib64',
      '/lib64',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--',
      '/usr/bin/python3',
      '-S',
      '-I',
      '-c',
      'pass',
    ],
    { encoding: 'utf8', env: {}, ...asNobody }
  );
  if (probe.status !== 0) {
    log(
      `warning: bwrap cannot create the sandbox here (${(probe.stderr || probe.error?.message || '').trim()}); the code reward will report ` +
        `'sandbox-error'. Enable unprivileged user namespaces (sysctl user.max_user_namespaces > 0; on Ubuntu 24.04 also ` +
        `kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap)`
    );
  }
}
