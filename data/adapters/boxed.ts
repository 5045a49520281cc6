/** The content of the last `\boxed{…}` (or `\fbox{…}`) in a text, with nested braces balanced; null when none closes. */
export function lastBoxed(text: string): string | null {
  let found: string | null = null;
  const re = /\\(?:boxed|fbox)\s*\{/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    if (depth === 0) found = text.slice(start, i - 1).trim();
  }
  return found === '' ? null : found;
}
