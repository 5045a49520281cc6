/**
 * The difficulty filter's reference policy (SPEC §7, GZ §4.1.2) for a task of a run, as its config names it:
 * `filters.difficulty.referenceEndpoint` → an OpenAI-compatible server (training/openai-reference-policy.ts);
 * `referenceModel` → that checkpoint in this worker's engine; neither → the run's base policy (`model.checkpoint`, or
 * the preset's fresh weights at the experiment seed: training/policy-store.ts). The engine samples with the rollout's
 * sampling settings, so a prompt's pass count estimates whether the policy's own first groups will have mixed rewards.
 * Adapter only: data/filters/difficulty.ts counts and filters. (Not the KL term's frozen reference,
 * training/policy-store.ts's referencePolicy: that one is always the base policy and lives on the GPU worker.)
 */
import { ApplicationFailure } from '@temporalio/activity';
import { referenceMaxTokens } from '../data/filters/difficulty.ts';
import type { ReferencePolicy } from '../data/reference-policy.ts';
import { initBackend } from '../engine/backend.ts';
import type { Policy } from '../engine/policy.ts';
import type { TaskConfig } from '../schemas/experiment.ts';
import { EngineReferencePolicy } from '../training/engine-reference-policy.ts';
import { OpenAIReferencePolicy } from '../training/openai-reference-policy.ts';
import { templateOf } from '../training/policy-config.ts';
import { basePolicy, loadCheckpointPolicy } from '../training/policy-store.ts';
import { isTransientStoreError } from './blob-retry.ts';
import type { RunContext } from './run-context.ts';

export interface ReferenceHandle {
  policy: ReferencePolicy;
  /** What it samples from, for messages. */
  describe: string;
  /** Prompts per call and calls in flight for the filter (the engine runs one batch at a time). */
  shardSize?: number;
  concurrency?: number;
}

function unloadable(field: string, what: string, err: unknown): never {
  const message = `${field}: cannot load the difficulty filter's reference (${what}): ${(err as Error)?.message ?? err}`;
  // A storage outage may pass: let Temporal retry. Anything else (no such folder, not a checkpoint) needs a person.
  if (isTransientStoreError(err) || (err instanceof ApplicationFailure && !err.nonRetryable))
    throw new Error(message, { cause: err });
  throw ApplicationFailure.nonRetryable(
    `${message}. Fix the checkpoint, name another with referenceModel, or sample from a server with referenceEndpoint`,
    'InvalidInput'
  );
}

/**
 * The reference policies of one prepareData call, one engine policy per checkpoint shared by the tasks that name
 * it; `dispose()` frees them when preparation ends.
 */
export class ReferencePolicies {
  private readonly engine = new Map<string, Promise<Policy>>();

  constructor(
    private readonly ctx: RunContext,
    private readonly hooks: { onStep?: () => void } = {}
  ) {}

  async for(name: string, task: TaskConfig): Promise<ReferenceHandle> {
    const { config } = this.ctx;
    const d = task.filters.difficulty;
    const r = config.rollout;
    const maxTokens = referenceMaxTokens(config, task);
    if (d.referenceEndpoint) {
      const e = d.referenceEndpoint;
      return {
        policy: new OpenAIReferencePolicy({
          baseURL: e.baseURL,
          model: e.model,
          useN: e.useN,
          concurrency: e.concurrency,
          systemPrompt: config.template.systemPrompt,
          temperature: r.temperature,
          topP: r.topP,
          maxTokens,
        }),
        describe: `endpoint ${e.baseURL} model ${e.model}`,
      };
    }
    const field = `tasks.${name}.filters.difficulty${d.referenceModel ? '.referenceModel' : ''}`;
    const key = d.referenceModel ?? '(base)';
    const describe = d.referenceModel
      ? `checkpoint ${d.referenceModel}`
      : config.model.checkpoint
        ? `base policy ${config.model.checkpoint}`
        : `base policy: untrained ${config.model.preset ?? 'custom-shape'} weights (seed ${config.seed})`;
    let loading = this.engine.get(key);
    if (!loading) {
      loading = (async () => {
        await initBackend();
        try {
          return d.referenceModel ? await loadCheckpointPolicy(config, d.referenceModel) : await basePolicy(this.ctx);
        } catch (err) {
          return unloadable(field, describe, err);
        }
      })();
      this.engine.set(key, loading);
    }
    const policy = await loading;
    return {
      policy: new EngineReferencePolicy(policy, {
        template: templateOf(config),
        maxTokens,
        sampling: { temperature: r.temperature, topP: r.topP, topK: r.topK, repetitionPenalty: r.repetitionPenalty },
        onStep: this.hooks.onStep,
      }),
      describe,
      concurrency: 1,
    };
  }

  async dispose(): Promise<void> {
    const loaded = await Promise.allSettled(this.engine.values());
    for (const p of loaded) if (p.status === 'fulfilled') p.value.dispose();
    this.engine.clear();
  }
}
