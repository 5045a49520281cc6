/**
 * omni-zero's public library API: the experiment schema, the pure RL formulas, the reward verifiers, the engine and
 * the storage layer. Temporal workflows and activities are not exported here; run them through the CLI or workers.
 * @module
 */
export { SEARCH_ATTRIBUTES } from './schemas/search-attributes.ts';
