/** Typed handles on single activities, each with its own timeouts and retries from the config's `orchestration`. */
import { type ActivityInterfaceFor, type ActivityOptions, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.ts';
import { activityOptions, type OrchestrationSettings } from './activity-options.ts';

export type Activities = typeof activities;
export type ActivityName = keyof Activities;
export type ActivityProxies = ActivityInterfaceFor<Activities>;

/** Activity `name` on `taskQueue`; `override` replaces fields of its options (a longer timeout, one attempt). */
export function activity<K extends ActivityName>(
  o: OrchestrationSettings,
  taskQueue: string,
  name: K,
  override: (options: ActivityOptions) => Partial<ActivityOptions> = () => ({})
): ActivityProxies[K] {
  const options = activityOptions(o, taskQueue, name);
  return proxyActivities<Activities>({ ...options, ...override(options) })[name];
}
