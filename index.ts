/**
 * omni-zero's public library API: the experiment schema, the pure RL formulas, the reward verifiers, the engine and
 * the storage layer. Importing it loads no Temporal module. Watching, listing and resuming runs, worker telemetry
 * and logs talk to Temporal or run in its workers: they are `omni-zero/temporal` (temporal.ts).
 * @module
 */

export {
  ADAPTERS,
  type AdapterContext,
  AdapterError,
  adapterByName,
  type DatasetAdapter,
  type DatasetAdapterName,
  type ShareGptRules,
} from './data/adapters/index.ts';
export { DataInputError } from './data/errors.ts';
export {
  type CategoryDownsampleOptions,
  categoryDownsample,
  categoryOf,
  categoryQuotas,
} from './data/filters/category-downsample.ts';
export { type DedupMode, dedupKey, dedupRows, normaliseText } from './data/filters/dedup.ts';
export { type DifficultyOptions, difficultyFilter } from './data/filters/difficulty.ts';
export { disjointFromHeldOut, seededSample, splitHeldOut } from './data/filters/split.ts';
export { type CountTokens, promptTokens, tokenLengthFilter, utf8Bytes } from './data/filters/token-length.ts';
export { countReasons, type Dropped, type FilterResult } from './data/filters/types.ts';
export { type ObjectReader, type OpenStore, openSource, readJsonlLines, toJsonl } from './data/jsonl.ts';
export { type LoadOptions, type LoadResult, loadRows } from './data/load.ts';
export type { DataManifest, StageCount } from './data/manifest.ts';
export { type PrepareContext, type PreparedTask, prepareTask } from './data/prepare.ts';
export { Quarantine, type QuarantineRecord, type QuarantineSummary } from './data/quarantine.ts';
export type { ReferencePolicy, ReferenceSampleOptions } from './data/reference-policy.ts';
export { type Verdict, type VerifyOptions, verifyResponse } from './data/verify.ts';
export {
  type CorpusOptions,
  type CorpusPair,
  defineWorld,
  generateWorld,
  generateWorldRows,
  inHeldOutPool,
  type TaskWorld,
  WORLDS,
  type WorldSpec,
  worldByName,
  worldPretrainCorpus,
} from './data/worlds/index.ts';
export {
  BACKENDS,
  type BackendChoice,
  type BackendInfo,
  type BackendOptions,
  backendInfo,
  initBackend,
} from './engine/backend.ts';
export {
  type LoadCheckpointOptions,
  type LoadedCheckpoint,
  loadCheckpoint,
  type SaveCheckpointInput,
  type SavedFile,
  saveCheckpoint,
} from './engine/checkpoint/checkpoint.ts';
export { ModelCheckpointError, SafetensorsError } from './engine/checkpoint/errors.ts';
export { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './engine/checkpoint/float16.ts';
export { fromHfConfig, HfConfigError, type HfModelType, toHfConfig } from './engine/checkpoint/hf-config.ts';
export {
  type Dtype as SafetensorsDtype,
  decodeSafetensors,
  encodeSafetensors,
  openSafetensors,
  readSafetensorsFile,
  readSafetensorsHeader,
  type SafetensorsTensor,
  toFloat32,
  toInt32,
  writeSafetensorsFile,
} from './engine/checkpoint/safetensors.ts';
export { type Choice, chooseToken, type SamplingOptions } from './engine/logits-processing.ts';
export {
  PRESETS as MODEL_SHAPES,
  type PresetName,
  parameterCount,
  parameterShapes,
  presetConfig,
  validateConfig,
} from './engine/model/config.ts';
export { checkParams, cloneParams, disposeParams, type InitOptions, initParams } from './engine/model/init.ts';
export {
  disposeCache,
  type ForwardInput,
  type ForwardOutput,
  forward,
  type KvCache,
  lmHead,
} from './engine/model/transformer.ts';
export { type FinishReason, type GenerateOptions, generate, type Rollout } from './engine/sampler.ts';
export { ByteTokenizer, type ByteTokenizerOptions } from './engine/tokenizer/byte.ts';
export { renderChatTemplate } from './engine/tokenizer/chat-template.ts';
export { TokenizerError } from './engine/tokenizer/errors.ts';
export { HfTokenizer, type HfTokenizerOptions } from './engine/tokenizer/hf.ts';
export { loadTokenizer, loadTokenizerFromDir, saveTokenizer } from './engine/tokenizer/load.ts';
export type {
  ChatMessage as ChatTemplateMessage,
  ChatTemplateOptions,
  ProjectTokenizer,
  TokenizerSpec,
} from './engine/tokenizer/types.ts';
export { Adam, type AdamOptions, clipGradients } from './engine/train/adam.ts';
export { type PromptResponse, toTokenBatch } from './engine/train/batch.ts';
export { type CorpusStats, parseCorpus, readCorpus } from './engine/train/corpus.ts';
export {
  aggregationWeights,
  type GrpoOptions,
  type GrpoProgress,
  type GrpoSample,
  type GrpoStepMetrics,
  grpoUpdate,
  grpoUpdateAsync,
  referenceGrpoLoss,
} from './engine/train/grpo.ts';
export { type ScoreOptions, scoreTokens, scoreTokensNoGrad, type TokenBatch } from './engine/train/logprobs.ts';
export {
  learningRateAt,
  type PretrainOptions,
  type PretrainStepMetrics,
  pretrain,
  pretrainStep,
} from './engine/train/pretrain.ts';
export type { CheckpointMetadata, ModelConfig, OptimizerState, Params, Tokenizer } from './engine/types.ts';
export { type LoadRunOptions, loadRun, RunNotFoundError } from './report/load.ts';
export { type RenderedReport, type RenderOptions, renderReport } from './report/render.ts';
export type { ReportStage, RunData, RunHeader } from './report/run-data.ts';
export {
  type ChatMessage,
  type Completion,
  JUDGE_FAILURES,
  JudgeClient,
  type JudgeFailure,
  type JudgeResult,
  type JudgeStats,
  type PairwiseResult,
} from './rewards/judge/client.ts';
export { JudgeConfigError } from './rewards/judge/errors.ts';
export { type JudgeConfigSection, judgeOptionsFromConfig } from './rewards/judge/from-config.ts';
export { type JudgeOptions, type JudgeTemplates, resolveJudgeOptions } from './rewards/judge/options.ts';
export { combinePairwise, type PairwiseCombine, type PairwiseOutcome } from './rewards/judge/pairwise.ts';
export { parsePairwiseVerdict, parseScalarScore, parseVerifyVerdict } from './rewards/judge/parse.ts';
export {
  DEFAULT_PAIRWISE_TEMPLATE,
  DEFAULT_SCALAR_TEMPLATE,
  DEFAULT_VERIFY_TEMPLATE,
  type JudgeMode,
} from './rewards/judge/templates.ts';
export {
  extractAnswer,
  type MathVerdict,
  type PercentPolicy,
  type VerifyMathOptions,
  type VerifyPath,
  verifyMath,
  warmUpCas,
} from './rewards/math/index.ts';
export { buildQaPrompt, matchQa, normalizeQa, type QaPromptOptions } from './rewards/qa/index.ts';
export {
  type CodeTests,
  extractProgram,
  type RunTestsOptions,
  runTests,
  SandboxInputError,
  SandboxPool,
  type SandboxResult,
  type SandboxStatus,
} from './rewards/sandbox/index.ts';
export {
  DEFAULT_SCORER_REWARDS,
  defaultVerifierPool,
  type SampleReference,
  type ScoreBatchOptions,
  type ScoreBatchResult,
  type ScoreBatchSummary,
  type ScoredRecord,
  ScorerInputError,
  type ScorerRewardsConfig,
  type ScorerSample,
  scoreBatch,
  WorkerPool,
} from './rewards/scorer.ts';
export {
  type ConstraintScore,
  constraintAccuracy,
  parseConstraints,
  scoreConstraints,
  type WritingConstraint,
} from './rewards/writing/index.ts';
export {
  ADVANTAGE_ESTIMATORS,
  type AdvantageEstimatorName,
  type AdvantageOptions,
  type BatchAdvantageOptions,
  type BatchAdvantages,
  batchAdvantages,
  DEFAULT_ADVANTAGE,
  dynamicSamplingKeep,
  type GroupedSample,
  groupAdvantages,
  groupKey,
  type ZeroVarianceCount,
} from './rl/advantages.ts';
export {
  type AggregationOptions,
  aggregateLoss,
  LOSS_AGGREGATIONS,
  type LossAggregationName,
} from './rl/aggregation.ts';
export { OT_CURRICULUM_ORDER, type StageBudget, type StagePosition, stageAt } from './rl/curriculum.ts';
export { RlInputError } from './rl/errors.ts';
export { formatReward, tagsReward } from './rl/format-reward.ts';
export { K3_CLAMP, KL_ESTIMATORS, type KlEstimatorName, klEstimate } from './rl/kl.ts';
export {
  ANSWER_PENALTY_VARIANTS,
  answerPenalty,
  DEFAULT_LENGTH_PENALTY,
  type LengthPenalty,
  type LengthPenaltyOptions,
  type LengthPenaltyVariant,
  lengthPenalty,
  thinkPenalty,
} from './rl/length-penalty.ts';
export { mixtureCounts, sampleTasks, type TaskMixture } from './rl/mixture.ts';
export { type OverlongOptions, overlongPenalty } from './rl/overlong.ts';
export {
  type ClipFraction,
  type ClipRegion,
  clipFraction,
  DEFAULT_PPO_CLIP,
  importanceRatio,
  LOG_RATIO_CLAMP,
  type PpoClipOptions,
  type PpoClipTerm,
  ppoClipTerm,
} from './rl/policy-loss.ts';
export {
  hashSeed,
  keyedRandom,
  mulberry32,
  nameHash,
  normalFrom,
  type RandomKey,
  seededRandom,
  textSeededRandom,
} from './rl/random.ts';
export {
  type AccuracyMapping,
  type ComponentValue,
  DEFAULT_GZ_REWARD,
  type DefinedRewards,
  dropUndefinedRewards,
  GZ_ACCURACY,
  type GzComponents,
  type GzRewardOptions,
  gzReward,
  OT_ACCURACY,
  verifiableAccuracy,
  weightedReward,
} from './rl/reward-total.ts';
export { allEqual, mean, sampleStd } from './rl/stats.ts';
export {
  GZ_TEMPLATE,
  OT_TEMPLATE,
  type ParsedResponse,
  parseResponse,
  type TagCounts,
  type TemplateOptions,
} from './rl/template.ts';
export {
  type LinearWindow,
  type ScheduleProblem,
  type WindowSchedule,
  type WindowStep,
  windowAt,
  windowScheduleProblems,
} from './rl/window.ts';
export { canonicalJson, configHash } from './schemas/config-hash.ts';
export { MODEL_PRESETS } from './schemas/experiment/model.ts';
export { durationToMs } from './schemas/experiment/primitives.ts';
export type { WindowSchedule as WindowConfig, WindowSegment } from './schemas/experiment/window.ts';
export {
  type ExperimentConfig,
  type ExperimentConfigInput,
  experimentSchema,
  type Stage,
  type TaskConfig,
} from './schemas/experiment.ts';
export { type DurationStyle, formatDuration } from './schemas/format-duration.ts';
export { experimentJsonSchema } from './schemas/json-schema.ts';
export { type ConfigIssue, formatIssues, type ParseResult, parseExperimentConfig } from './schemas/parse.ts';
export { type PlannedStage, planSummary, type StagePlan, stagePlan } from './schemas/plan.ts';
export { type CheckpointManifest, checkpointManifestSchema } from './schemas/records/checkpoint-manifest.ts';
export { type DatasetRow, datasetRowSchema } from './schemas/records/dataset-row.ts';
export { type RewardRecord, rewardRecordSchema } from './schemas/records/reward-record.ts';
export { type RolloutRecord, rolloutRecordSchema } from './schemas/records/rollout-record.ts';
export { type StepMetrics, stepMetricsSchema } from './schemas/records/step-metrics.ts';
export { SEARCH_ATTRIBUTES } from './schemas/search-attributes.ts';
export { sha256Hex } from './schemas/sha256.ts';
export { OpenAIReferencePolicy, type OpenAIReferencePolicyOptions } from './training/openai-reference-policy.ts';
