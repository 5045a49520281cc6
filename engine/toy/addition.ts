/**
 * Single-digit addition in an answer template, the engine's proof that GRPO learns: `3+4=` → `<answer>7</answer>`.
 *
 * The pretraining corpus is *systematically* wrong (tfjs-probe §2 caveat): when a+b carries (≥ 10), a share
 * `carryBugRate` of the examples answer a+b+1. A well-trained base model therefore prefers the wrong answer on carry
 * prompts under greedy decoding while still sampling the right one sometimes — exactly the situation where GRPO,
 * rewarding correct samples, must beat the base model rather than merely finish its pretraining.
 */
import type { PromptResponse } from '../train/batch.ts';
import { CharTokenizer } from './char-tokenizer.ts';

export const additionTokenizer = new CharTokenizer({ chars: '0123456789+=', specials: ['<answer>', '</answer>'] });

export interface AdditionPair {
  a: number;
  b: number;
}

export const ALL_PAIRS: AdditionPair[] = Array.from({ length: 100 }, (_, i) => ({ a: Math.floor(i / 10), b: i % 10 }));

export function additionPrompt({ a, b }: AdditionPair): number[] {
  return [additionTokenizer.bosId, ...additionTokenizer.encode(`${a}+${b}=`)];
}

/** +1 for exactly `<answer>{a+b}</answer>` (then EOS), else −1 (GZ's verifiable reward). */
export function additionReward({ a, b }: AdditionPair, responseText: string): number {
  return responseText === `<answer>${a + b}</answer>` ? 1 : -1;
}

/**
 * `copies` examples per pair; carry pairs answer a+b+1 in round(copies·carryBugRate) of them. Deterministic: the
 * wrong copies are the first ones, and the pretraining sampler shuffles.
 */
export function additionCorpus(pairs: AdditionPair[], copies = 10, carryBugRate = 0.6): PromptResponse[] {
  const out: PromptResponse[] = [];
  for (const pair of pairs) {
    const sum = pair.a + pair.b;
    const wrong = sum >= 10 ? Math.round(copies * carryBugRate) : 0;
    for (let c = 0; c < copies; c++) {
      const label = c < wrong ? sum + 1 : sum;
      out.push({
        prompt: additionPrompt(pair),
        response: [...additionTokenizer.encode(`<answer>${label}</answer>`), additionTokenizer.eosId],
      });
    }
  }
  return out;
}
