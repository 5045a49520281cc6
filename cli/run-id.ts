/** Readable workflow ids for runs: `<experiment>-<yyyymmdd>-<hhmm>-<6 random>`, sortable by start time in the Web UI. */
import { randomBytes } from 'node:crypto';

export function newRunId(experiment: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}`;
  const time = `${p(now.getUTCHours())}${p(now.getUTCMinutes())}`;
  const rand = randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6);
  return `${experiment}-${date}-${time}-${rand}`;
}
