/**
 * The program in a policy response: the last complete ```python fenced block (```py and ```python3 too, then an
 * unlabelled fence), looked for inside the last <answer> block when there is one, else in the whole text; with no
 * fence, the answer content itself. Returns null when there is nothing to run.
 */
export interface ExtractOptions {
  /** Name of the answer tag, without brackets. Default 'answer' (SPEC §1). */
  answerTag?: string;
}

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;
const PYTHON_LABELS = new Set(['python', 'py', 'python3']);

export function extractProgram(text: string, options: ExtractOptions = {}): string | null {
  if (typeof text !== 'string') throw new TypeError(`extractProgram: response must be a string, got ${typeof text}`);
  const tag = options.answerTag ?? 'answer';
  const answer = lastBlock(text, `<${tag}>`, `</${tag}>`);
  const region = answer ?? text;
  let lastPython: string | undefined;
  let lastPlain: string | undefined;
  for (const m of region.matchAll(FENCE)) {
    const label = m[1].toLowerCase();
    if (PYTHON_LABELS.has(label)) lastPython = m[2];
    else if (label === '') lastPlain = m[2];
  }
  const fenced = lastPython ?? lastPlain;
  const program = fenced === undefined ? answer?.trim() : fenced.replace(/^\s*\n/, '').trimEnd();
  if (program === undefined || program === '') return null;
  return `${program}\n`;
}

function lastBlock(text: string, open: string, close: string): string | null {
  const end = text.lastIndexOf(close);
  if (end < 0) return null;
  const start = text.lastIndexOf(open, end);
  if (start < 0) return null;
  return text.slice(start + open.length, end);
}
