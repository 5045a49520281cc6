/**
 * Reads an experiment config file (YAML or JSON) and validates it, turning every failure into lines a person can act
 * on: unreadable file, YAML/JSON syntax error with line and column, or the schema's `path: message` issues.
 * Shared by `omni-zero validate` and every command that takes a config.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { configHash } from '../schemas/config-hash.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { type ConfigIssue, formatIssues, parseExperimentConfig } from '../schemas/parse.ts';

export type ExperimentFile =
  | {
      ok: true;
      config: ExperimentConfig;
      hash: string /** The document as written (what workflows receive and re-validate). */;
      raw: unknown;
    }
  | { ok: false; kind: 'read' | 'syntax' | 'invalid'; problems: string[]; issues?: ConfigIssue[] };

/** Parses YAML 1.2 (a superset of JSON, so .json files work too); duplicate keys are errors. */
export function parseConfigText(
  text: string,
  file: string
): { ok: true; value: unknown } | { ok: false; problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
        const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return `${where}: ${message}`;
      }),
    };
  return { ok: true, value: doc.toJS() };
}

/** A config file's text, or the one line that says why it cannot be read. */
export async function readConfigFile(
  file: string
): Promise<{ ok: true; text: string } | { ok: false; problem: string }> {
  try {
    return { ok: true, text: await readFile(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(err);
    return { ok: false, problem: `cannot read ${file}: ${why}` };
  }
}

export async function readExperimentFile(file: string): Promise<ExperimentFile> {
  const read = await readConfigFile(file);
  if (!read.ok) return { ok: false, kind: 'read', problems: [read.problem] };
  const parsed = parseConfigText(read.text, file);
  if (!parsed.ok) return { ok: false, kind: 'syntax', problems: parsed.problems };
  const result = parseExperimentConfig(parsed.value);
  if (!result.ok)
    return { ok: false, kind: 'invalid', problems: formatIssues(result.issues).split('\n'), issues: result.issues };
  return { ok: true, config: result.config, hash: configHash(result.config), raw: parsed.value };
}
