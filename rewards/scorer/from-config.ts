/**
 * ScoreBatchOptions from a validated experiment config: the reward section, the template's tag names and each task's
 * scorer. Runtime collaborators (token counter, judge client, pools) stay the caller's: they are not configuration.
 */
import type { ExperimentConfig } from '../../schemas/experiment.ts';
import type { ScoreBatchOptions, TaskScorer } from './options.ts';

export function scorerOptionsFromConfig(
  config: Pick<ExperimentConfig, 'rewards' | 'template' | 'tasks'>,
  runtime: Pick<ScoreBatchOptions, 'countTokens'> & Partial<ScoreBatchOptions>
): ScoreBatchOptions {
  const { judge: _judgeSection, ...rewards } = config.rewards;
  const taskScorers: Record<string, TaskScorer> = {};
  for (const [name, task] of Object.entries(config.tasks)) taskScorers[name] = task.scorer;
  return {
    rewards,
    template: {
      thinkTag: config.template.thinkTag,
      answerTag: config.template.answerTag,
      thinkOpenPrefilled: config.template.prefillThink,
    },
    taskScorers,
    ...runtime,
  };
}
