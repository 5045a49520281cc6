/**
 * OpenR1-Math rows (OT's math data): `problem`, `answer` (final answer), `solution` (worked solution ending in
 * `\boxed{…}`), `problem_type`, `question_type`, `uuid`. The reference is `answer`; when it is empty or a placeholder
 * ("proof", "notfound"), the last `\boxed{}` of the solution; a row with neither has nothing to verify against.
 */
import { lastBoxed } from './boxed.ts';
import {
  AdapterError,
  asObject,
  compactMeta,
  type DatasetAdapter,
  optionalText,
  requireText,
  sourceId,
} from './types.ts';

const PLACEHOLDERS = new Set(['proof', 'notfound', 'none', 'n/a', '-']);

export const openr1Math: DatasetAdapter = {
  name: 'openr1-math',
  adapt(record, line, ctx) {
    const o = asObject(record);
    const problem = requireText(o, 'problem');
    const given =
      typeof o.answer === 'number' && Number.isFinite(o.answer) ? String(o.answer) : optionalText(o, 'answer')?.trim();
    const solution = optionalText(o, 'solution');
    const reference =
      given !== undefined && !PLACEHOLDERS.has(given.toLowerCase()) ? given : solution ? lastBoxed(solution) : null;
    if (reference === null) {
      throw new AdapterError(
        'answer',
        given !== undefined
          ? `'${given}' is not a final answer and the solution has no \\boxed{} answer`
          : 'missing, and the solution has no \\boxed{} answer'
      );
    }
    return {
      rows: [
        {
          id: sourceId(o, ['uuid', 'id'], line),
          task: ctx.task,
          kind: ctx.kind,
          prompt: problem.trim(),
          reference,
          meta: compactMeta({
            source: 'openr1-math',
            problemType: o.problem_type,
            questionType: o.question_type,
            origin: o.source,
          }),
        },
      ],
    };
  },
};
