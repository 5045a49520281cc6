/**
 * Temporal's remote codec endpoint (docs.temporal.io/production-deployment/data-encryption): `POST /encode` and
 * `POST /decode` take and answer `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`, so the Web UI and the
 * `temporal` CLI (`--codec-endpoint`) show decrypted payloads to whoever can reach this server. The Web UI calls it
 * from the browser: CORS answers its origin, preflight included, with the `x-namespace` and `content-type` headers it
 * sends. A path prefix (`/{namespace}/decode`, the CLI's endpoint templating) is accepted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

export const DEFAULT_CODEC_PORT = 8888;
/** The local Web UI (`omni-zero server start`), under both names a browser may use for it. */
export const DEFAULT_WEB_UI_ORIGINS = ['http://localhost:8233', 'http://127.0.0.1:8233'];
/** Larger than a history page of the biggest payloads Temporal accepts (2 MB each by default). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** TCP port; 0 picks a free one. Default {@link DEFAULT_CODEC_PORT}. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`: only key holders should reach it (docs/codec.md). */
  host?: string;
  /** Browser origins allowed to call it (the Web UI's). Default {@link DEFAULT_WEB_UI_ORIGINS}. */
  webUiOrigins?: string[];
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

/** A request the server refuses, with the status and the reason it answers. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

const fromBase64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const toBase64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function fromJson(p: JsonPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, fromBase64(v)]));
  return { metadata, data: p.data ? fromBase64(p.data) : new Uint8Array() };
}

function toJson(p: Payload): JsonPayload {
  const metadata = Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, toBase64(v ?? new Uint8Array())])
  );
  return { metadata, data: toBase64(p.data ?? new Uint8Array()) };
}

async function readPayloads(req: http.IncomingMessage): Promise<Payload[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest(400, 'the body is not JSON; send {"payloads": [{"metadata": {...}, "data": "<base64>"}]}');
  }
  const payloads = (body as { payloads?: unknown })?.payloads;
  if (!Array.isArray(payloads)) throw new BadRequest(400, 'the body has no "payloads" array');
  return payloads.map((p) => fromJson(p as JsonPayload));
}

/** CORS for an allowed origin; other origins get no CORS headers, so browsers refuse them the answer. */
function corsHeaders(origin: string | undefined, allowed: Set<string>): Record<string, string> {
  if (!origin || !allowed.has(origin)) return { vary: 'Origin' };
  return {
    vary: 'Origin',
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'x-namespace, content-type, authorization',
    'access-control-allow-credentials': 'true',
    'access-control-max-age': '600',
  };
}

async function answer(codec: PayloadCodec, action: 'encode' | 'decode', req: http.IncomingMessage) {
  const payloads = await readPayloads(req);
  try {
    const out = action === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    return { payloads: out.map(toJson) };
  } catch (err) {
    throw new BadRequest(422, `cannot ${action}: ${(err as Error).message}`);
  }
}

export async function startCodecServer(opts: CodecServerOptions): Promise<CodecServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? DEFAULT_CODEC_PORT;
  const allowed = new Set(opts.webUiOrigins ?? DEFAULT_WEB_UI_ORIGINS);
  const server = http.createServer((req, res) => {
    const cors = corsHeaders(req.headers.origin, allowed);
    const action = (req.url ?? '/').split('?')[0].match(/\/(encode|decode)$/)?.[1] as 'encode' | 'decode' | undefined;
    if (!action) {
      res
        .writeHead(404, { ...cors, 'content-type': 'text/plain' })
        .end('the codec endpoints are POST /encode and POST /decode\n');
    } else if (req.method === 'OPTIONS') {
      res.writeHead(204, cors).end();
    } else if (req.method !== 'POST') {
      res
        .writeHead(405, { ...cors, allow: 'POST, OPTIONS', 'content-type': 'text/plain' })
        .end(`use POST /${action}\n`);
    } else {
      answer(opts.codec, action, req).then(
        (body) => res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (err: Error) =>
          res
            .writeHead(err instanceof BadRequest ? err.status : 500, { ...cors, 'content-type': 'text/plain' })
            .end(`${err.message}\n`)
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is in use; choose another with --port`) : err
      )
    );
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
