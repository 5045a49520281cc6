/**
 * A policy of this worker's engine as the difficulty filter's reference (data/reference-policy.ts): k samples per
 * prompt, the text as the scorer sees it. Sample j of a row draws from (policy seed, filter seed, row id, j), so a
 * retried shard, or the row in another shard, gets the same text (ReferenceSampleOptions.seed).
 */
import type { ReferencePolicy, ReferenceSampleOptions } from '../data/reference-policy.ts';
import type { SamplingOptions } from '../engine/logits-processing.ts';
import type { Policy, PolicyTemplate } from '../engine/policy.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import { sampleRows } from './sampling.ts';

export class EngineReferencePolicy implements ReferencePolicy {
  constructor(
    private readonly policy: Policy,
    private readonly o: {
      template: PolicyTemplate;
      maxTokens: number;
      sampling: SamplingOptions;
      /** Called every token step (the activity heartbeats from it). */
      onStep?: () => void;
    }
  ) {}

  async sample(prompts: DatasetRow[], k: number, opts: ReferenceSampleOptions): Promise<string[][]> {
    const responses = await sampleRows(this.policy, prompts, {
      template: this.o.template,
      sampling: this.o.sampling,
      samplesPerPrompt: k,
      maxNewTokens: this.o.maxTokens,
      step: opts.seed,
      seedByRowId: true,
      onProgress: () => {
        opts.signal?.throwIfAborted();
        this.o.onStep?.();
      },
    });
    const out = prompts.map(() => new Array<string>(k).fill(''));
    for (const r of responses) out[r.promptIndex][r.sampleIndex] = r.text;
    return out;
  }
}
