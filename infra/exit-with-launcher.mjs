// Preloaded (`node --import`) into the process a launcher (infra/node-runtime.mjs runAndExit) starts on the pinned
// Node. A launcher killed with SIGKILL cannot pass the signal on, and Linux would leave this process running as an
// orphan (a worker holding its task queue, a test runner never ending). So it watches its parent: once the launcher is
// gone (this process re-parented), it dies the way the launcher did. Only the launcher's own child watches: the
// variable and the flag reach grandchildren too (node's test runner passes both on), whose parent is not the launcher.
const launcher = Number(process.env.OMNI_ZERO_LAUNCHER_PID);
delete process.env.OMNI_ZERO_LAUNCHER_PID;
if (Number.isInteger(launcher) && launcher > 0 && process.ppid === launcher) {
  const watch = setInterval(() => {
    if (process.ppid !== launcher) process.kill(process.pid, 'SIGKILL');
  }, 500);
  watch.unref();
}
