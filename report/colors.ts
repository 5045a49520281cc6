/**
 * Colours that colour-blind readers can tell apart: Okabe & Ito's palette for tasks (yellow left out, it vanishes on
 * white), viridis for scores (perceptually uniform, readable in grey), ColorBrewer's RdBu for BWT (diverging at 0).
 */
const TASK_PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** One colour per task, by its position in `tasks`, so a task has the same colour on every chart and in both runs. */
export function taskColors(tasks: string[]): Record<string, string> {
  return Object.fromEntries(tasks.map((t, i) => [t, TASK_PALETTE[i % TASK_PALETTE.length]]));
}

/** Phases of a step (stacked bars): a sequential blue-green-yellow run, distinct from the task hues in lightness. */
export const PHASE_COLORS = {
  rollout: '#31688e',
  scoring: '#35b779',
  update: '#443983',
  checkpoint: '#90d743',
  evaluation: '#fde725',
} as const;

export const NEUTRAL = '#444444';

type Rgb = [number, number, number];
const hex = (c: Rgb) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
const parse = (h: string): Rgb => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as Rgb;

function ramp(stops: string[], t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const a = parse(stops[i]);
  const b = parse(stops[i + 1]);
  const f = x - i;
  return hex([0, 1, 2].map((k) => a[k] + (b[k] - a[k]) * f) as Rgb);
}

const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];
const RDBU = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];

/** A score in [0, 1]. */
export const scoreColor = (v: number): string => ramp(VIRIDIS, v);

/** A BWT value in [-limit, limit]: blue = improved over the base, red = forgot (positive BWT). */
export const bwtColor =
  (limit: number) =>
  (v: number): string =>
    ramp(RDBU, (v / (limit || 1) + 1) / 2);
