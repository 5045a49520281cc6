/** Describes the machine a benchmark ran on; every benchmark's JSON includes it. */
import os from 'node:os';

export function machineInfo() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()}-${os.arch()}`,
  };
}
