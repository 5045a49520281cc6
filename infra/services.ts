/**
 * The set of real servers a test run or the demo needs, started together and stopped together. Each service adds the
 * environment variables through which tests and workers find it.
 */
import path from 'node:path';
import { startS3Server } from './s3-server.ts';
import { startDevServer } from './temporal-dev.ts';

export interface RunningServices {
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startServices(opts: { stateDir: string }): Promise<RunningServices> {
  const stops: Array<() => Promise<void>> = [];
  const env: Record<string, string> = {};
  try {
    const temporal = await startDevServer({ dbFile: path.join(opts.stateDir, 'temporal.sqlite') });
    stops.push(temporal.stop);
    env.TEMPORAL_ADDRESS = temporal.address;
    if (temporal.uiUrl) env.OMNI_ZERO_TEMPORAL_UI = temporal.uiUrl;
    const s3 = await startS3Server({ dataDir: path.join(opts.stateDir, 's3-data') });
    stops.push(s3.stop);
    Object.assign(env, s3.env);
  } catch (err) {
    for (const s of stops.reverse()) await s();
    throw err;
  }
  return {
    env,
    async stop() {
      for (const s of stops.reverse()) await s().catch(() => {});
    },
  };
}
