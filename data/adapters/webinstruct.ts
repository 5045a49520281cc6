/**
 * WebInstruct-verified rows (TIGER-Lab, used by GZ as its STEM data): `question`, `answer` (short final answer),
 * `answer_type` (Float, Integer, Expression, …), `category` (Physics, Mathematics, …), `difficulty`, `id`.
 */
import { asObject, compactMeta, type DatasetAdapter, requireAnswer, requireText, sourceId } from './types.ts';

export const webinstruct: DatasetAdapter = {
  name: 'webinstruct',
  adapt(record, line, ctx) {
    const o = asObject(record);
    const question = requireText(o, 'question');
    const answer = requireAnswer(o, 'answer');
    const category = typeof o.category === 'string' && o.category.trim() !== '' ? o.category.trim() : undefined;
    return {
      rows: [
        {
          id: sourceId(o, ['id'], line),
          task: ctx.task,
          kind: ctx.kind,
          prompt: question.trim(),
          reference: answer.trim(),
          ...(category ? { category } : {}),
          meta: compactMeta({ source: 'webinstruct', answerType: o.answer_type, difficulty: o.difficulty }),
        },
      ],
    };
  },
};
