/**
 * The stdout comparison rule for stdio tests: the same text up to trailing whitespace on each line (spaces, tabs,
 * '\r' of CRLF) and trailing empty lines. Leading whitespace, blank lines between lines, and case all count, because
 * judges of competitive programming accept only the first two relaxations by default.
 */
export function normaliseOutput(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n+$/, '');
}

export function outputsMatch(actual: string, expected: string): boolean {
  return normaliseOutput(actual) === normaliseOutput(expected);
}
