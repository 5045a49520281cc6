/**
 * Reads a sweep file (YAML or JSON). Its `experiment` may be a path to an experiment config, relative to the sweep
 * file, which is read here so the workflow receives one self-contained document.
 */
import path from 'node:path';
import { formatIssues } from '../schemas/parse.ts';
import { parseSweep, type SweepParse } from '../schemas/sweep.ts';
import { parseConfigText, readConfigFile } from './experiment-file.ts';

export type SweepFile =
  | { ok: true; raw: Record<string, unknown>; parsed: Extract<SweepParse, { ok: true }> }
  | { ok: false; problems: string[] };

async function readYaml(file: string): Promise<{ ok: true; value: unknown } | { ok: false; problems: string[] }> {
  const read = await readConfigFile(file);
  return read.ok ? parseConfigText(read.text, file) : { ok: false, problems: [read.problem] };
}

export async function readSweepFile(file: string): Promise<SweepFile> {
  const doc = await readYaml(file);
  if (!doc.ok) return doc;
  if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value))
    return { ok: false, problems: [`${file}: a sweep is a mapping with name, experiment, variants`] };
  const raw = { ...(doc.value as Record<string, unknown>) };
  if (typeof raw.experiment === 'string') {
    const experimentFile = path.resolve(path.dirname(file), raw.experiment);
    const experiment = await readYaml(experimentFile);
    if (!experiment.ok) return experiment;
    raw.experiment = experiment.value;
  }
  const parsed = parseSweep(raw);
  return parsed.ok ? { ok: true, raw, parsed } : { ok: false, problems: formatIssues(parsed.issues).split('\n') };
}
