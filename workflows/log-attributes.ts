/**
 * Workflow interceptor: every line a workflow logs through `log` carries the run's experiment and run id (from its
 * search attributes, which the experiment upserts and its stage children are started with), next to the SDK's own
 * workflowId/runId fields — so `grep '"run":"<id>"'` finds a run's lines across its experiment and stages.
 */
import { type WorkflowInterceptorsFactory, workflowInfo } from '@temporalio/workflow';
import { SA } from './search-attributes.ts';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      getLogAttributes(input, next) {
        const sa = workflowInfo().typedSearchAttributes;
        const experiment = sa.get(SA.experiment);
        const run = sa.get(SA.run);
        return next({ ...input, ...(experiment ? { experiment } : {}), ...(run ? { run } : {}) });
      },
    },
  ],
});
