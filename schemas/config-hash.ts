/** Canonical JSON and the config hash recorded in checkpoints and run ids (same config, same hash, on any machine). */
import type { ExperimentConfig } from './experiment.ts';
import { sha256Hex } from './sha256.ts';

/**
 * JSON with object keys sorted at every level and no whitespace; `undefined` fields are dropped (as JSON.stringify
 * does), so a config hashes the same whether an optional field is absent or undefined.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** sha256 (hex) of the canonical JSON of a validated config, defaults included. */
export function configHash(config: ExperimentConfig): string {
  return sha256Hex(canonicalJson(config));
}
