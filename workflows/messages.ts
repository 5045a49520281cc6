/** Queries, signals and updates of the experiment workflow, defined once so the CLI and the workflow agree. */
import { defineQuery } from '@temporalio/workflow';
import type { ExperimentProgress } from './progress.ts';

/** Where the run is: stage, step / total, window in force, last metrics, ETA. */
export const progressQuery = defineQuery<ExperimentProgress>('progress');
