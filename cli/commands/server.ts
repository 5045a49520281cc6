/**
 * `omni-zero server start|stop|status`: the local stack runs and demos use — the Temporal dev server (with its Web
 * UI) and the S3 server (MinIO) — as `npm run demo` brings it up. Once started, every command finds both by itself
 * (cli/local-stack.ts).
 */
import type { Command } from 'commander';
import { ensureS3, ensureTemporal, stackStatus, stopS3, stopTemporal } from '../../infra/dev-stack.ts';

export function register(program: Command): void {
  const server = program
    .command('server')
    .description('manage the local stack: Temporal dev server (SQLite under .omni-zero/) and S3 server (MinIO)');
  server
    .command('start')
    .description('start both (each a no-op when already running) and print where they are')
    .option('--no-s3', 'start only the Temporal dev server')
    .option(
      '--ui-codec-endpoint <url>',
      "the Web UI decodes payloads through this codec server ('omni-zero codec-server')"
    )
    .action(async (o: { s3: boolean; uiCodecEndpoint?: string }) => {
      if (o.uiCodecEndpoint && !/^https?:$/.test(URL.parse(o.uiCodecEndpoint)?.protocol ?? '')) {
        throw new Error(
          `--ui-codec-endpoint must be an http(s) URL, e.g. http://127.0.0.1:8888 (got '${o.uiCodecEndpoint}')`
        );
      }
      const t = await ensureTemporal((m) => console.error(m), { uiCodecEndpoint: o.uiCodecEndpoint });
      const s3 = o.s3 ? await ensureS3((m) => console.error(m)) : null;
      console.log(
        JSON.stringify({
          address: t.address,
          ui: t.uiUrl,
          pid: t.pid,
          ...(s3 ? { s3: s3.endpoint, s3Pid: s3.pid } : {}),
        })
      );
    });
  server
    .command('stop')
    .description('stop the servers this project started')
    .action(async () => {
      console.log(JSON.stringify({ stopped: await stopTemporal(), s3Stopped: await stopS3() }));
    });
  server
    .command('status')
    .description('print whether they answer')
    .action(async () => {
      console.log(JSON.stringify(await stackStatus()));
    });
}
