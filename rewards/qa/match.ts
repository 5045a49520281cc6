/** Gold-set membership for short-form QA (OT §3.1): the answer must be one of the accepted full-text answers. */
import { normalizeQa } from './normalize.ts';

function answerContent(answer: string): string {
  let s = answer;
  const open = s.lastIndexOf('<answer>');
  if (open >= 0) {
    const close = s.indexOf('</answer>', open);
    s = close >= 0 ? s.slice(open + 8, close) : s.slice(open + 8);
  }
  // Models trained on math often box or LaTeX-wrap a text answer; the wrapping is not part of the answer.
  s = s.trim().replace(/^\$+([^$]+)\$+$/, '$1');
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/^\\(?:boxed|text|textbf|mathrm)\s*\{([\s\S]*)\}$/, '$1').trim();
  }
  return s;
}

/**
 * Whether `answer` (the answer text, or a response with `<answer>` tags) equals the gold answer, or one of the
 * accepted gold answers, after normalizeQa. Never throws; an empty answer or an empty gold set never matches.
 */
export function matchQa(answer: string, gold: string | readonly string[]): boolean {
  try {
    if (typeof answer !== 'string') return false;
    const golds = typeof gold === 'string' ? [gold] : Array.isArray(gold) ? gold : [];
    const a = normalizeQa(answerContent(answer));
    if (a === '') return false;
    // the same unwrapping on both sides, so the relation stays symmetric
    return golds.some((g) => typeof g === 'string' && normalizeQa(answerContent(g)) === a);
  } catch {
    return false;
  }
}
