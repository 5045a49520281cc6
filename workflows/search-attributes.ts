/** Typed keys for the project's custom search attributes (registered by infra/temporal-dev.ts). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA = {
  experiment: defineSearchAttributeKey('OmniExperiment', SearchAttributeType.KEYWORD),
  run: defineSearchAttributeKey('OmniRun', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('OmniStage', SearchAttributeType.KEYWORD),
  step: defineSearchAttributeKey('OmniStep', SearchAttributeType.INT),
  status: defineSearchAttributeKey('OmniStatus', SearchAttributeType.KEYWORD),
  reward: defineSearchAttributeKey('OmniReward', SearchAttributeType.DOUBLE),
} as const;
