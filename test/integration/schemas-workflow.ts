/** Fixture workflow for schemas-in-workflow.test.ts: the config schema run inside Temporal's deterministic sandbox. */
import { configHash } from '../../schemas/config-hash.ts';
import { parseExperimentConfig } from '../../schemas/parse.ts';
import { stagePlan } from '../../schemas/plan.ts';

export async function schemaCheck(input: unknown): Promise<unknown> {
  const result = parseExperimentConfig(input);
  if (!result.ok) return { ok: false, issues: result.issues };
  return { ok: true, hash: configHash(result.config), totalSteps: stagePlan(result.config).totalSteps };
}
