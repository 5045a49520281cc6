/**
 * The reward of one rollout, per component, as the scorer writes it. A component is `null` when *undefined* in
 * SPEC §2's sense (judge failed after retries, answer unparseable under OT rules, verifier timed out) — never a
 * silent 0 — and `total` is null when the aggregation leaves the sample without a reward (it is then dropped and
 * counted before the update).
 */
import { z } from 'zod';

const component = z.number().nullable();

export const rewardRecordSchema = z
  .strictObject({
    /** The rollout's id. */
    id: z.string().min(1),
    task: z.string().min(1),
    components: z.strictObject({
      /** R_acc: verifiable ±1 (or 1/0), or the judge's score. */
      accuracy: component,
      /** R_format ∈ {0, 1}. */
      format: component,
      /** OT R_tags = |tags present|/4; null when the tags reward is off. */
      tags: component,
      /** R_length = R_think + R_answer (GZ eq. 7); null for verifiable tasks or when off. */
      length: component,
    }),
    total: component,
    /** Raw facts behind the components, for metrics and debugging. */
    facts: z
      .strictObject({
        thinkTokens: z.int().min(0),
        answerTokens: z.int().min(0),
        thinkChars: z.int().min(0),
        answerChars: z.int().min(0),
        truncated: z.boolean(),
        /** Code: fraction of unit tests passed. */
        testsPassedFraction: z.number().min(0).max(1).optional(),
        /** Judge round-trip time, ms. */
        judgeLatencyMs: z.number().min(0).optional(),
        /** Why a component is undefined, e.g. 'judge-timeout', 'unparseable'. */
        undefinedReason: z.string().optional(),
      })
      .optional(),
  })
  .meta({ title: 'Reward record' });

export type RewardRecord = z.output<typeof rewardRecordSchema>;
