/**
 * `parseExperimentConfig`: validates unknown input (parsed YAML/JSON) into an `ExperimentConfig`, or lists every
 * problem at once as `{ path, message }` with paths like `schedule.stages[1].tasks[0].weight` and messages a person
 * can act on. Never throws on any JSON value.
 */
import type { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';
import { type ExperimentConfig, experimentSchema } from './experiment.ts';
import { pathsOfKey } from './key-index.ts';

export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `grpo.clip.high`; empty for the whole document. */
  path: string;
  message: string;
}

export type ParseResult = { ok: true; config: ExperimentConfig } | { ok: false; issues: ConfigIssue[] };

/** `a.b[0].c`; keys that are not identifiers are quoted: `tasks["my task"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

/** Per-parse messages for zod's built-in issues (schema-level messages, e.g. on clip ε, take precedence). */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  const got = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      if (got === undefined) return 'required';
      // z.int() reports a non-number as expected 'number'; its format says it wants an integer.
      const format = (issue as { inst?: { _zod?: { def?: { format?: string } } } }).inst?._zod?.def?.format;
      const expected = issue.expected === 'number' && format?.includes('int') ? 'int' : issue.expected;
      return `must be ${EXPECTED[expected] ?? expected}, got ${describe(got)}`;
    }
    case 'too_small': {
      if (issue.origin === 'array') return `needs at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}, got ${String(got)}`;
    }
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int')
        return `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}, got ${String(got)}`;
      return undefined;
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const suggestion = typeof got === 'string' ? didYouMean(got, issue.values.map(String)) : undefined;
      return `must be ${options.length === 1 ? options[0] : `one of ${options.join(', ')}`}, got ${describe(got)}${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`;
    }
    case 'invalid_union': {
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      if (discriminator === undefined || !Array.isArray(options)) return undefined;
      const listed = options.map((v) => JSON.stringify(v)).join(', ');
      const value =
        got !== null && typeof got === 'object' ? (got as Record<string, unknown>)[discriminator] : undefined;
      if (value === undefined) return `required: one of ${listed}`;
      const suggestion = typeof value === 'string' ? didYouMean(value, options.map(String)) : undefined;
      return `must be one of ${listed}, got ${describe(value)}${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`;
    }
    default:
      return undefined;
  }
};

/** A key with no close match here but valid in another section: say where it belongs. */
function elsewhere(key: string, message: string): string {
  if (message.includes('did you mean')) return message;
  const paths = pathsOfKey(key);
  if (paths.length === 0) return message;
  return `unknown key '${key}' here; it belongs in ${paths.map((p) => `'${p}'`).join(' or ')}`;
}

function toIssues(error: z.ZodError): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // strict() writes one message line per unknown key, in key order: one issue each, at the key's own path.
      const lines = issue.message.split('\n');
      issue.keys.forEach((key, i) => {
        issues.push({
          path: formatPath([...issue.path, key]),
          message: elsewhere(key, lines[i] ?? `unknown key '${key}'`),
        });
      });
    } else if (issue.code === 'invalid_key' && issue.origin === 'record') {
      issues.push({
        path: formatPath(issue.path),
        message: `bad name: ${issue.issues.map((i) => i.message).join('; ')}`,
      });
    } else {
      issues.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return issues;
}

export function parseExperimentConfig(input: unknown): ParseResult {
  return parseWith(experimentSchema, input);
}

/** Any of the project's schemas with the same messages and paths as the experiment config's. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown
): { ok: true; config: z.output<S> } | { ok: false; issues: ConfigIssue[] } {
  const result = schema.safeParse(input, { error: errorMap });
  return result.success ? { ok: true, config: result.data } : { ok: false, issues: toIssues(result.error) };
}

/** Issues as the CLI prints them: `path: message`, one per line. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `${i.path === '' ? '(document)' : i.path}: ${i.message}`).join('\n');
}
