/**
 * How a duration reads to a person, in one place for the terminal (`run --wait`, `status`) and the HTML report.
 * Pure and dependency-free, so every layer may import it.
 */

/** `'compact'` for terminals: `12s`, `4m10s`, `3h05m`. `'spoken'` for the report: `850 ms`, `12 s`, `4 min 10 s`, `3 h 05 min`. */
export type DurationStyle = 'compact' | 'spoken';

const UNITS = {
  compact: { ms: null, s: 's', min: 'm', h: 'h', gap: '' },
  spoken: { ms: ' ms', s: ' s', min: ' min', h: ' h', gap: ' ' },
} as const;

/** Seconds below a minute, minutes and seconds below an hour, else hours and minutes; `?` when unknown or negative. */
export function formatDuration(ms: number | null | undefined, style: DurationStyle = 'compact'): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '?';
  const u = UNITS[style];
  if (u.ms !== null && ms < 1000) return `${Math.round(ms)}${u.ms}`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}${u.s}`;
  const m = Math.floor(s / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (m < 60) return `${m}${u.min}${u.gap}${pad(s % 60)}${u.s}`;
  return `${Math.floor(m / 60)}${u.h}${u.gap}${pad(m % 60)}${u.min}`;
}
