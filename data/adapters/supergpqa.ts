/**
 * SuperGPQA rows (OT's general-QA data) turned into OT's short-form QA (§3.1): `question`, `options` (list of option
 * texts), `answer` (the correct option's text), `answer_letter`, `discipline`, `field`, `subfield`, `difficulty`,
 * `uuid`. The prompt embeds the options as plain text in a seeded order (buildQaPrompt), the reference is the answer
 * text. `category` is the discipline; field and subfield stay in `meta` for down-sampling by them instead.
 */
import { buildQaPrompt } from '../../rewards/qa/prompt.ts';
import { AdapterError, asObject, compactMeta, type DatasetAdapter, requireText, sourceId } from './types.ts';

export const supergpqa: DatasetAdapter = {
  name: 'supergpqa',
  adapt(record, line, ctx) {
    const o = asObject(record);
    const question = requireText(o, 'question');
    const answer = requireText(o, 'answer').trim();
    const options = o.options;
    if (!Array.isArray(options) || options.length < 2 || !options.every((x) => typeof x === 'string' && x.trim())) {
      throw new AdapterError('options', 'must be a list of at least two non-empty option texts');
    }
    const texts = options.map((x) => (x as string).trim());
    if (!texts.includes(answer)) {
      throw new AdapterError('answer', `'${answer.slice(0, 80)}' is not one of the options (give the option's text)`);
    }
    const id = sourceId(o, ['uuid', 'id'], line);
    let prompt: string;
    try {
      prompt = buildQaPrompt(question, texts, `${ctx.seed}:${id}`);
    } catch (err) {
      throw new AdapterError('options', (err as Error).message);
    }
    const discipline = typeof o.discipline === 'string' && o.discipline.trim() ? o.discipline.trim() : undefined;
    return {
      rows: [
        {
          id,
          task: ctx.task,
          kind: ctx.kind,
          prompt,
          reference: answer,
          ...(discipline ? { category: discipline } : {}),
          meta: compactMeta({
            source: 'supergpqa',
            field: o.field,
            subfield: o.subfield,
            difficulty: o.difficulty,
            answerLetter: o.answer_letter,
          }),
        },
      ],
    };
  },
};
