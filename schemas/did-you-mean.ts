/**
 * Suggests the closest known name for a misspelt one, so `lerning_rate` points at `learningRate` instead of silently
 * falling back to a default. Pure (runs in Temporal's workflow sandbox).
 */

/** Lower-cases and drops `_`, `-` and spaces, so snake_case and kebab-case spellings of a camelCase key match. */
function fold(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transposition, the commonest typo). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The known name closest to `name`, or undefined when none is close enough to be a plausible typo. Names are compared
 * case- and separator-insensitively; the tolerance is one edit per three characters (at least one), so `lr` is not
 * "corrected" to `seed`; failing that, a name of four or more characters that begins a known name suggests it.
 */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  const target = fold(name);
  if (target.length === 0) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(target, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(1, Math.floor(target.length / 3));
  if (bestDistance <= tolerance) return best;
  // A truncated name (`apiKey` for `apiKeyEnv`, `steps` for `stepsPerStage`): the shortest known name it begins.
  if (target.length < 4) return undefined;
  const extended = known.filter((candidate) => fold(candidate).startsWith(target)).sort((a, b) => a.length - b.length);
  return extended[0];
}
