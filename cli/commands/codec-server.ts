/**
 * `omni-zero codec-server`: serves Temporal's remote codec endpoint with the codec keys of this environment, so the
 * Web UI (started with `--ui-codec-endpoint`, or its Settings → Codec Server) and `temporal --codec-endpoint` show
 * decrypted payloads to those who hold the keys (docs/codec.md).
 */
import type { Command } from 'commander';
import { KEY_FILE_VARIABLE, KEYS_VARIABLE } from '../../encryption/index.ts';
import { DEFAULT_CODEC_PORT, DEFAULT_WEB_UI_ORIGINS, startCodecServer } from '../../workers/codec-server.ts';
import { codecFromEnv } from '../../workers/data-converter.ts';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be a TCP port 0-65535 (got '${value}')`);
  return n;
}

function parseOrigins(value: string): string[] {
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (!URL.canParse(o) || new URL(o).origin !== o) {
      throw new Error(
        `--web-ui-origin takes origins like http://localhost:8233 (scheme, host, port; no path), got '${o}'`
      );
    }
  }
  return origins;
}

export function register(program: Command): void {
  program
    .command('codec-server')
    .description("serve Temporal's remote codec endpoint (POST /encode, /decode) for the Web UI and the temporal CLI")
    .option('--port <port>', `TCP port (0: any free one)`, String(DEFAULT_CODEC_PORT))
    .option('--host <host>', 'interface to bind; only key holders should reach it', '127.0.0.1')
    .option(
      '--web-ui-origin <origins>',
      'comma-separated browser origins of the Web UI',
      DEFAULT_WEB_UI_ORIGINS.join(',')
    )
    .action(async (opts: { port: string; host: string; webUiOrigin: string }) => {
      const port = parsePort(opts.port);
      const webUiOrigins = parseOrigins(opts.webUiOrigin);
      const codec = codecFromEnv();
      if (!codec) throw new Error(`no codec keys: set ${KEYS_VARIABLE} or ${KEY_FILE_VARIABLE} (docs/codec.md)`);
      const server = await startCodecServer({ codec, port, host: opts.host, webUiOrigins });
      console.error(
        `codec-server: ${server.url} (keys ${[...codec.ring.keys.keys()].join(', ')}; current ${codec.ring.currentKeyId}) for ${webUiOrigins.join(', ')}`
      );
      console.log(server.url);
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
