/**
 * Reading a judge's reply. Every parser returns `{ ok: false, reason }` rather than guessing: SPEC §2 says a reply we
 * cannot read makes the component undefined (counted), never a silent 0. Rules are tried in a fixed order, the first
 * rule that matches anywhere decides, and within a rule the LAST match wins (judges explain first, conclude last).
 */

export type Parsed<T> = { ok: true; value: T; rule: string } | { ok: false; reason: string };

/** A signed decimal; U+2212 (the typographic minus) counts as '-' because judges and LaTeX-ish output emit it. */
const NUM = String.raw`[+\-\u2212]?(?:\d+(?:\.\d+)?|\.\d+)`;

function toNumber(text: string): number {
  return Number(text.replace('\u2212', '-'));
}

function lastMatch(re: RegExp, text: string): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(re)) last = m as RegExpExecArray;
  return last;
}

/** Flat JSON objects in the text (the judge may wrap them in prose or a ```json fence); invalid ones are skipped. */
function jsonObjects(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const m of text.matchAll(/\{[^{}]*\}/g)) {
    try {
      const v: unknown = JSON.parse(m[0]);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // Not JSON (e.g. LaTeX braces in the explanation): not a verdict.
    }
  }
  return out;
}

function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}

export interface ScoreRange {
  /** Lowest valid score. Default −5 (GZ eq. 3). */
  min: number;
  /** Highest valid score; also the only accepted denominator in "x/5" forms. Default 5 (GZ eq. 3). */
  max: number;
}

/**
 * Scalar score (GZ eq. 3). Rules, in order:
 * 1. `json`: a JSON object with a numeric (or numeric-string) `score` key, e.g. `{"score": 4}`;
 * 2. `brackets`: `[[3]]`, `[[ -2.5 ]]`, `[[4/5]]`;
 * 3. `label`: `Score: 4`, `**Rating**: -1`, `score = 2.5/5`, `Score: 3 out of 5`;
 * 4. `fraction`: `-2.5/5`, `4 out of 5` anywhere;
 * 5. `bare`: the whole reply is one number.
 * A denominator other than `range.max` (e.g. `8/10`) is a failure: the judge used another scale and rescaling would
 * be a guess. A value outside [min, max] is a failure, not clamped: it means the judge ignored the instructions.
 */
export function parseScalarScore(content: string, range: ScoreRange = { min: -5, max: 5 }): Parsed<number> {
  const accept = (value: number, rule: string, denominator?: string): Parsed<number> => {
    if (denominator !== undefined && Number(denominator) !== range.max) {
      return { ok: false, reason: `score given on a /${denominator} scale (rule ${rule}); expected /${range.max}` };
    }
    if (!Number.isFinite(value)) return { ok: false, reason: `score is not a finite number (rule ${rule})` };
    if (value < range.min || value > range.max) {
      return { ok: false, reason: `score ${value} outside [${range.min}, ${range.max}] (rule ${rule})` };
    }
    return { ok: true, value, rule };
  };

  const fromJson = jsonObjects(content)
    .map(lowerKeys)
    .filter((o) => 'score' in o);
  if (fromJson.length > 0) {
    const raw = fromJson[fromJson.length - 1].score;
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? toNumber(raw) : NaN;
    return accept(value, 'json');
  }
  const denom = String.raw`(?:\s*(?:/|out\s+of)\s*(\d+(?:\.\d+)?))?`;
  const brackets = lastMatch(new RegExp(String.raw`\[\[\s*(${NUM})${denom}\s*\]\]`, 'gi'), content);
  if (brackets) return accept(toNumber(brackets[1]), 'brackets', brackets[2]);
  const label = lastMatch(
    new RegExp(String.raw`\b(?:score|rating)\**\s*[:=]\s*\**\s*(${NUM})\**${denom}`, 'gi'),
    content
  );
  if (label) return accept(toNumber(label[1]), 'label', label[2]);
  const fraction = lastMatch(
    new RegExp(String.raw`(?<![\w.])(${NUM})\s*(?:/|out\s+of)\s*(\d+(?:\.\d+)?)(?!\w|\.\d)`, 'gi'),
    content
  );
  if (fraction) return accept(toNumber(fraction[1]), 'fraction', fraction[2]);
  const bare = content
    .trim()
    .replace(/[.\s]+$/, '')
    .trim();
  if (new RegExp(`^${NUM}$`).test(bare)) return accept(toNumber(bare), 'bare');
  return { ok: false, reason: 'no score found (expected [[n]], "Score: n", n/5 or {"score": n})' };
}

/** Which of the two shown responses the judge preferred: 'A', 'B' or a tie. */
export type PairwiseVerdict = 'A' | 'B' | 'tie';

function verdictWord(word: string): PairwiseVerdict | null {
  const w = word.trim().toLowerCase().replace(/\s+/g, '');
  if (/^(?:a>>?b|b<<?a|a)$/.test(w) || /^(?:assistant|response|answer)a$/.test(w)) return 'A';
  if (/^(?:b>>?a|a<<?b|b)$/.test(w) || /^(?:assistant|response|answer)b$/.test(w)) return 'B';
  if (/^(?:a=b|b=a|tie|equal|draw|same)$/.test(w)) return 'tie';
  return null;
}

/**
 * Pairwise verdict (OT §3.1 writing reward). Rules, in order:
 * 1. `json`: `{"winner": "A"|"B"|"tie"}` (keys winner/verdict/better);
 * 2. `brackets`: `[[A>B]]`, `[[A>>B]]`, `[[B>A]]`, `[[A=B]]`, `[[A]]`, `[[B]]`, `[[tie]]`;
 * 3. `label`: `Verdict: A`, `Winner: Assistant B`, `Final verdict: tie`.
 * Anything else is a failure.
 */
export function parsePairwiseVerdict(content: string): Parsed<PairwiseVerdict> {
  const fromJson = jsonObjects(content)
    .map(lowerKeys)
    .map((o) => o.winner ?? o.verdict ?? o.better)
    .filter((v): v is string => typeof v === 'string');
  if (fromJson.length > 0) {
    const v = verdictWord(fromJson[fromJson.length - 1]);
    return v ? { ok: true, value: v, rule: 'json' } : { ok: false, reason: `unknown verdict '${fromJson.at(-1)}'` };
  }
  const brackets = lastMatch(/\[\[\s*([AB]\s*(?:>>?|<<?|=)\s*[AB]|[AB]|tie)\s*\]\]/gi, content);
  if (brackets) {
    const v = verdictWord(brackets[1]);
    if (v) return { ok: true, value: v, rule: 'brackets' };
  }
  const label = lastMatch(
    /\b(?:verdict|winner|better)\**\s*[:=]\s*\**\s*((?:assistant|response|answer)\s*[AB]\b|[AB]\b|tie\b|equal\b)/gi,
    content
  );
  if (label) {
    const v = verdictWord(label[1]);
    if (v) return { ok: true, value: v, rule: 'label' };
  }
  return { ok: false, reason: 'no verdict found (expected [[A>B]], [[B>A]], [[A=B]] or {"winner": …})' };
}

/**
 * Model-based verification (General-Reasoner). Rules, in order:
 * 1. `decision`: `Final Decision: Yes|No` (the General-Verifier protocol; also `Decision: …`);
 * 2. `json`: `{"equivalent": true|false|"yes"|"no"}` (keys equivalent/correct/verdict);
 * 3. `brackets`: `[[YES]]`, `[[NO]]`;
 * 4. `bare`: the whole reply is yes/no/true/false/equivalent/not equivalent/correct/incorrect.
 */
export function parseVerifyVerdict(content: string): Parsed<boolean> {
  const yesNo = (w: string): boolean | null => {
    const s = w.trim().toLowerCase();
    if (['yes', 'true', 'equivalent', 'correct'].includes(s)) return true;
    if (['no', 'false', 'not equivalent', 'incorrect', 'not correct'].includes(s)) return false;
    return null;
  };
  const decision = lastMatch(/\b(?:final\s+)?decision\**\s*[:=]\s*\**\s*(yes|no)\b/gi, content);
  if (decision) return { ok: true, value: decision[1].toLowerCase() === 'yes', rule: 'decision' };
  const fromJson = jsonObjects(content)
    .map(lowerKeys)
    .map((o) => o.equivalent ?? o.correct ?? o.verdict)
    .filter((v) => v !== undefined);
  if (fromJson.length > 0) {
    const raw = fromJson[fromJson.length - 1];
    const v = typeof raw === 'boolean' ? raw : typeof raw === 'string' ? yesNo(raw) : null;
    return v === null
      ? { ok: false, reason: `unknown verdict ${JSON.stringify(raw)}` }
      : { ok: true, value: v, rule: 'json' };
  }
  const brackets = lastMatch(/\[\[\s*(yes|no)\s*\]\]/gi, content);
  if (brackets) return { ok: true, value: brackets[1].toLowerCase() === 'yes', rule: 'brackets' };
  const bare = yesNo(content.replace(/[.!"'*\s]+$/, '').replace(/^["'*\s]+/, ''));
  if (bare !== null) return { ok: true, value: bare, rule: 'bare' };
  return { ok: false, reason: 'no decision found (expected "Final Decision: Yes|No")' };
}
