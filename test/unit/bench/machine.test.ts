import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { machineInfo } from '../../../bench/machine.ts';

test("machine info names the CPU's generation as /proc/cpuinfo gives it (Linux)", (t) => {
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    t.skip('no /proc/cpuinfo');
    return;
  }
  const info = machineInfo();
  const family = cpuinfo.match(/^cpu family\s*:\s*(\d+)/m)?.[1];
  if (family) assert.equal(info.cpuFamily, Number(family));
  const flags = cpuinfo.match(/^flags\s*:\s*(.*)$/m)?.[1].split(' ') ?? [];
  assert.equal(
    info.simd,
    ['avx512f', 'avx2', 'avx', 'sse4_2'].find((f) => flags.includes(f))
  );
  assert.ok(info.cores >= 1 && info.memGiB >= 1);
});
