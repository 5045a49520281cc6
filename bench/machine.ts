/** Describes the machine a benchmark ran on; every benchmark's JSON includes it. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function machineInfo() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    ...cpuGeneration(),
    cores: os.availableParallelism(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()}-${os.arch()}`,
  };
}

/**
 * Family, model and widest SIMD of the first CPU (Linux): hosts sold under one model name ("AMD EPYC") span
 * generations whose kernels differ, and PyTorch's and TensorFlow's CPU kernels pick different code paths on them, so
 * two runs' figures compare only on the same generation.
 */
function cpuGeneration(): { cpuFamily?: number; cpuModel?: number; simd?: string } {
  let info: string;
  try {
    info = readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')[0];
  } catch {
    return {};
  }
  const field = (name: string) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1];
  const flags = new Set((field('flags') ?? '').split(' '));
  const simd = ['avx512f', 'avx2', 'avx', 'sse4_2'].find((f) => flags.has(f));
  return {
    ...(field('cpu family') ? { cpuFamily: Number(field('cpu family')) } : {}),
    ...(field('model') ? { cpuModel: Number(field('model')) } : {}),
    ...(simd ? { simd } : {}),
  };
}
