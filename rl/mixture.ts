/**
 * Task mixtures for joint training (SPEC §6): how many of a batch's prompts come from each task, and in which
 * slots. Deterministic in (seed, step), so a replayed workflow or a resumed run draws exactly the same batch.
 */
import { RlInputError, requireFinite, requireNonNegativeInteger } from './errors.ts';
import { seededRandom } from './random.ts';

/** Task name → relative weight (≥ 0; need not sum to 1). */
export type TaskMixture = Readonly<Record<string, number>>;

// First key of every draw made here, so these draws never coincide with another user's (seed, step, …) keys.
const MIXTURE_DOMAIN = 0x6d6978; // 'mix'
const TIE_BREAK = 1;
const SHUFFLE = 2;

// Sorted by code unit (not localeCompare, which depends on the ICU build), so the order is the same everywhere.
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function checkedTasks(mixture: TaskMixture): string[] {
  const tasks = Object.keys(mixture).sort(byName);
  if (tasks.length === 0) throw new RlInputError('mixture', 'needs at least one task');
  let total = 0;
  for (const t of tasks) {
    const w = requireFinite(mixture[t], `mixture.${t}`);
    if (w < 0) throw new RlInputError(`mixture.${t}`, `weight must be >= 0, got ${w}`);
    total += w;
  }
  if (total <= 0) throw new RlInputError('mixture', 'at least one task needs a weight > 0');
  return tasks;
}

/**
 * Proportional counts that sum to `count` (largest-remainder rounding): each task gets ⌊count·w/Σw⌋, and the
 * leftover slots go to the largest fractional parts. Ties are broken by a draw keyed on (seed, step, task), not
 * by name, so over many steps equal-weight tasks get equal shares (1:1:1 of 128 is 43/43/42, rotating).
 */
export function mixtureCounts(mixture: TaskMixture, count: number, seed: number, step: number): Record<string, number> {
  requireNonNegativeInteger(count, 'count');
  const tasks = checkedTasks(mixture);
  const total = tasks.reduce((s, t) => s + mixture[t], 0);
  const exact = tasks.map((t) => (count * mixture[t]) / total);
  const counts = exact.map(Math.floor);
  let left = count - counts.reduce((s, c) => s + c, 0);
  const order = tasks
    .map((_, i) => ({ i, frac: exact[i] - counts[i], tie: seededRandom(MIXTURE_DOMAIN, seed, step, TIE_BREAK, i) }))
    .filter(({ i }) => mixture[tasks[i]] > 0)
    .sort((a, b) => b.frac - a.frac || a.tie - b.tie || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    counts[i]++;
    left--;
  }
  return Object.fromEntries(tasks.map((t, i) => [t, counts[i]]));
}

/** The task of each of `count` batch slots: `mixtureCounts` of each, in an order shuffled by (seed, step). */
export function sampleTasks(mixture: TaskMixture, count: number, seed: number, step: number): string[] {
  const counts = mixtureCounts(mixture, count, seed, step);
  const slots: string[] = [];
  for (const [task, n] of Object.entries(counts)) for (let k = 0; k < n; k++) slots.push(task);
  // Fisher–Yates, each swap drawn from its own key.
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(seededRandom(MIXTURE_DOMAIN, seed, step, SHUFFLE, i) * (i + 1));
    [slots[i], slots[j]] = [slots[j], slots[i]];
  }
  return slots;
}
