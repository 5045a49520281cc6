/**
 * Short-form QA normalisation (OT §3.1: "binary rewards through string matching or set membership"): two answers
 * match when they are equal after this. SQuAD-style (case, punctuation, articles, whitespace) plus unicode NFKC,
 * curly quotes and dashes. Punctuation becomes a space rather than vanishing, and a decimal point between digits
 * and a leading minus stay, so `3.5` never equals `35` and `-5` never equals `5`.
 */

const QUOTES: [RegExp, string][] = [
  [/[\u2018\u2019\u201a\u201b\u2032\u00b4`]/g, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"'],
  [/[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]/g, '-'],
];

/** Normalises a QA answer; idempotent (`normalizeQa(normalizeQa(x)) === normalizeQa(x)`). */
export function normalizeQa(text: string): string {
  let s = String(text).normalize('NFKC');
  for (const [re, to] of QUOTES) s = s.replace(re, to);
  s = s.toLowerCase();
  // Dotted acronyms are one word: U.S.A. = USA (the article rule would otherwise eat the final "a").
  s = s.replace(/(?<![\p{L}\p{N}])(?:\p{L}\.){2,}/gu, (m) => m.replace(/\./g, ''));
  // Thousands separators first, so `1,000` = `1000` rather than `1 000`.
  s = s.replace(/(?<=\d),(?=\d{3}(?!\d))/g, '');
  // All punctuation except '.' and '-' becomes a space; those two are decided by their neighbours below.
  s = s.replace(/[^\p{L}\p{N}\p{M}\p{S}\s.-]/gu, ' ');
  s = s.replace(/\.(?!\d)|(?<!\d)\./g, ' ');
  s = s.replace(/-(?!\d)|(?<=[^\s])-/g, ' ');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/(?:^|\s)(?:a|an|the)(?=\s|$)/g, ' ');
  return s.replace(/\s+/g, ' ').trim();
}
