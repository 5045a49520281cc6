/** Typed keys for the project's custom search attributes; names and kinds come from schemas/search-attributes.ts. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTES, type SearchAttributeName } from '../schemas/search-attributes.ts';

/** The SDK's spelling of each kind the server registers (`Keyword` on the CLI is `KEYWORD` here). */
const SDK_TYPE = {
  Keyword: SearchAttributeType.KEYWORD,
  Int: SearchAttributeType.INT,
  Double: SearchAttributeType.DOUBLE,
} as const;

const key = <N extends SearchAttributeName>(name: N) =>
  defineSearchAttributeKey(name, SDK_TYPE[SEARCH_ATTRIBUTES[name]]);

export const SA = {
  experiment: key('OmniExperiment'),
  run: key('OmniRun'),
  stage: key('OmniStage'),
  step: key('OmniStep'),
  status: key('OmniStatus'),
  reward: key('OmniReward'),
} as const;
