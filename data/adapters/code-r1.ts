/**
 * code-r1-12k rows (OT's code data; verl parquet exported as JSONL): `prompt` is a list of chat messages (a system
 * prompt describing the template, then the user's task) or a string; `reward_model.ground_truth` is the unit tests as
 * a JSON string, `{"inputs": [...], "outputs": [...]}` (stdin/stdout) or `{"functional": "..."}` (Python asserts). A
 * flat `tests` field is accepted too. The source's system prompt is dropped: the template comes from the config.
 */
import { parseCodeTests } from '../../rewards/sandbox/run-tests.ts';
import { AdapterError, asObject, compactMeta, type DatasetAdapter, sourceId } from './types.ts';

function userPrompt(o: Record<string, unknown>): string {
  const p = o.prompt;
  if (typeof p === 'string' && p.trim() !== '') return p.trim();
  if (Array.isArray(p)) {
    const users = p.filter(
      (m): m is { role: string; content: string } =>
        m !== null && typeof m === 'object' && (m as { role?: unknown }).role === 'user'
    );
    const last = users.at(-1);
    if (last && typeof last.content === 'string' && last.content.trim() !== '') return last.content.trim();
    throw new AdapterError('prompt', 'has no user message with non-empty content');
  }
  throw new AdapterError('prompt', p === undefined ? 'missing' : 'must be a string or a list of chat messages');
}

export const codeR1: DatasetAdapter = {
  name: 'code-r1',
  adapt(record, line, ctx) {
    const o = asObject(record);
    const prompt = userPrompt(o);
    const rm = o.reward_model as { ground_truth?: unknown } | undefined;
    const raw = o.tests ?? (rm && typeof rm === 'object' ? rm.ground_truth : undefined);
    if (raw === undefined) throw new AdapterError('reward_model.ground_truth', 'missing: a code row needs unit tests');
    let tests: unknown;
    try {
      tests = parseCodeTests(raw);
    } catch (err) {
      throw new AdapterError('reward_model.ground_truth', (err as Error).message);
    }
    const extra = (o.extra_info && typeof o.extra_info === 'object' ? o.extra_info : {}) as Record<string, unknown>;
    return {
      rows: [
        {
          id: sourceId({ ...extra, id: o.id }, ['id', 'index'], line),
          task: ctx.task,
          kind: ctx.kind,
          prompt,
          tests,
          meta: compactMeta({ source: 'code-r1', dataset: extra.dataset, dataSource: o.data_source }),
        },
      ],
    };
  },
};
