/**
 * `omni-zero server start|stop|status`: the local stack runs and demos use — the Temporal dev server (with its Web
 * UI) and the S3 server (MinIO) — as `npm run demo` brings it up. Once started, every command finds both by itself
 * (cli/local-stack.ts).
 */
import type { Command } from 'commander';
import { ensureS3, ensureTemporal, stackStatus, stopS3, stopTemporal } from '../../infra/dev-stack.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';

/** The buckets the shipped examples store their runs in (`checkpoint.storage`), made ready on the local S3 server. */
const EXAMPLE_BUCKETS = ['omni-zero-demo', 'omni-zero-runs'];
const collect = (v: string, acc: string[]) => [...acc, v];

export function register(program: Command): void {
  const server = program
    .command('server')
    .description('manage the local stack: Temporal dev server (SQLite under .omni-zero/) and S3 server (MinIO)');
  server
    .command('start')
    .description('start both (each a no-op when already running) and print where they are')
    .option('--no-s3', 'start only the Temporal dev server')
    .option(
      '--bucket <name>',
      `a bucket to create on the S3 server if missing (repeatable; default ${EXAMPLE_BUCKETS.join(', ')})`,
      collect,
      []
    )
    .option(
      '--ui-codec-endpoint <url>',
      "the Web UI decodes payloads through this codec server ('omni-zero codec-server')"
    )
    .action(async (o: { s3: boolean; bucket: string[]; uiCodecEndpoint?: string }) => {
      if (o.uiCodecEndpoint && !/^https?:$/.test(URL.parse(o.uiCodecEndpoint)?.protocol ?? '')) {
        throw new Error(
          `--ui-codec-endpoint must be an http(s) URL, e.g. http://127.0.0.1:8888 (got '${o.uiCodecEndpoint}')`
        );
      }
      const t = await ensureTemporal((m) => console.error(m), { uiCodecEndpoint: o.uiCodecEndpoint });
      const s3 = o.s3 ? await ensureS3((m) => console.error(m)) : null;
      const buckets = s3 ? (o.bucket.length ? o.bucket : EXAMPLE_BUCKETS) : [];
      for (const b of buckets) await new S3BlobStore(b, '').ensureBucket();
      console.log(
        JSON.stringify({
          address: t.address,
          ui: t.uiUrl,
          pid: t.pid,
          ...(s3 ? { s3: s3.endpoint, s3Pid: s3.pid, buckets } : {}),
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
