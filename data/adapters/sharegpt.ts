/**
 * ShareGPT conversations (GZ's general data, OT's creative writing): `{id, conversations: [{from, value}]}` with
 * `from` human/user, gpt/assistant (chatgpt, bard, bing, model too) or system. GZ's split: one row per assistant turn,
 * its user turn as the prompt, every earlier message as `context`, the assistant's reply as `reference` (the pairwise
 * judge's reference, OT). A "turn" is one non-system message, so OT's "exceeding two dialogue turns" is `maxTurns: 2`
 * (one question, one reply). An assistant message not preceded by a user message cannot become a sample and is
 * dropped with its reason, as are replies shorter than `minResponseChars`.
 */
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';
import { AdapterError, asObject, type DatasetAdapter, type ShareGptRules, sourceId } from './types.ts';

const ROLES: Record<string, 'user' | 'assistant' | 'system'> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  chatgpt: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  model: 'assistant',
  system: 'system',
};

export const DEFAULT_SHAREGPT_RULES: ShareGptRules = { split: 'per-turn', minResponseChars: 0 };

export const sharegpt: DatasetAdapter = {
  name: 'sharegpt',
  adapt(record, line, ctx) {
    const rules = ctx.sharegpt ?? DEFAULT_SHAREGPT_RULES;
    const o = asObject(record);
    const conv = o.conversations ?? o.messages;
    if (!Array.isArray(conv) || conv.length === 0) {
      throw new AdapterError('conversations', conv === undefined ? 'missing' : 'must be a non-empty list of messages');
    }
    const messages = conv.map((m, i) => {
      const mo = asObject(m, `conversations[${i}]`);
      const from = typeof mo.from === 'string' ? mo.from : mo.role;
      const role = typeof from === 'string' ? ROLES[from.toLowerCase()] : undefined;
      if (role === undefined) {
        throw new AdapterError(`conversations[${i}].from`, `unknown speaker ${JSON.stringify(from)}; use human or gpt`);
      }
      const value = mo.value ?? mo.content;
      if (typeof value !== 'string') throw new AdapterError(`conversations[${i}].value`, 'must be a string');
      return { role, content: value };
    });
    const assistantAt = messages.flatMap((m, i) => (m.role === 'assistant' ? [i] : []));
    if (assistantAt.length === 0) throw new AdapterError('conversations', 'has no assistant (gpt) turn');
    const turns = messages.filter((m) => m.role !== 'system').length;
    if (rules.maxTurns !== undefined && turns > rules.maxTurns) {
      return { rows: [], dropped: [{ reason: `conversation over ${rules.maxTurns} turns`, count: 1 }] };
    }
    const id = sourceId(o, ['id'], line);
    const dropped = new Map<string, number>();
    const drop = (reason: string) => dropped.set(reason, (dropped.get(reason) ?? 0) + 1);
    const rows: DatasetRow[] = [];
    const chosen = rules.split === 'last-turn' ? assistantAt.slice(-1) : assistantAt;
    if (rules.split === 'last-turn' && assistantAt.length > 1) drop('earlier turn (last-turn split)');
    for (const [k, i] of assistantAt.entries()) {
      if (!chosen.includes(i)) continue;
      const user = messages[i - 1];
      const reply = messages[i].content.trim();
      if (user === undefined || user.role !== 'user' || user.content.trim() === '') {
        drop('assistant turn without a user turn before it');
        continue;
      }
      if (reply === '' || reply.length < rules.minResponseChars) {
        drop(`reply under ${rules.minResponseChars} chars (overly simple turn)`);
        continue;
      }
      const context = messages.slice(0, i - 1);
      rows.push({
        id: assistantAt.length === 1 ? id : `${id}#${k}`,
        task: ctx.task,
        kind: ctx.kind,
        prompt: user.content.trim(),
        ...(context.length > 0 ? { context } : {}),
        reference: reply,
        meta: { source: 'sharegpt', conversation: id, turn: k },
      });
    }
    return { rows, dropped: [...dropped.entries()].map(([reason, count]) => ({ reason, count })) };
  },
};
