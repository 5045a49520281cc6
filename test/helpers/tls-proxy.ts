/**
 * A TLS-terminating gRPC proxy in front of the plain-text dev server (whose `start-dev` has no TLS options), so the
 * connection code meets a real TLS endpoint: HTTP/2 over TLS with ALPN 'h2' in, h2c to the dev server out, every
 * stream forwarded with its headers, body and trailers. Optionally it demands a client certificate signed by a
 * given CA (mutual TLS) or an `authorization: Bearer <key>` header on every call (Temporal Cloud's API keys).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface TlsProxyOptions {
  /** host:port of the plain-text gRPC server behind the proxy. */
  upstream: string;
  /** Server certificate and key (PEM text). */
  cert: string;
  key: string;
  /** CA (PEM text) that client certificates must chain to: set, a client without such a certificate is refused. */
  clientCa?: string;
  /** Set, a call without `authorization: Bearer <apiKey>` is answered UNAUTHENTICATED. */
  apiKey?: string;
}

export interface TlsProxy {
  /** 127.0.0.1:PORT */
  address: string;
  port: number;
  /** Every `authorization` header value the proxy received, in order. */
  authorizations: string[];
  /** TLS handshakes the proxy refused (a client certificate missing or not signed by the client CA). */
  refusedHandshakes(): number;
  /** Calls forwarded to the dev server. */
  forwardedCalls(): number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([':scheme', ':authority', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

function requestHeaders(h: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(h).filter(([k]) => !HOP_BY_HOP.has(k)));
}

const UNAUTHENTICATED = 16;

export async function startTlsProxy(o: TlsProxyOptions): Promise<TlsProxy> {
  let upstream: http2.ClientHttp2Session | null = null;
  const session = () => {
    if (!upstream || upstream.closed || upstream.destroyed) {
      upstream = http2.connect(`http://${o.upstream}`);
      upstream.on('error', () => {});
    }
    return upstream;
  };
  const authorizations: string[] = [];
  let refused = 0;
  let forwarded = 0;
  const server = http2.createSecureServer({
    cert: o.cert,
    key: o.key,
    ...(o.clientCa ? { ca: o.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  });
  server.on('tlsClientError', () => refused++);
  server.on('sessionError', () => {});
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    const auth = headers.authorization;
    if (auth !== undefined) authorizations.push(String(auth));
    if (o.apiKey !== undefined && auth !== `Bearer ${o.apiKey}`) {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': String(UNAUTHENTICATED),
          'grpc-message': 'invalid API key',
        },
        { endStream: true }
      );
      return;
    }
    forwarded++;
    const out = session().request(requestHeaders(headers));
    let trailers: http2.OutgoingHttpHeaders = {};
    out.on('response', (h) => {
      // A trailers-only answer (an error with no body) must reach the client as one HEADERS frame that ends the stream.
      if (out.endAfterHeaders) stream.respond(h, { endStream: true });
      else stream.respond(h, { waitForTrailers: true });
    });
    out.on('trailers', (t) => {
      trailers = t;
    });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    out.on('data', (chunk: Buffer) => {
      if (!stream.destroyed) stream.write(chunk);
    });
    out.on('end', () => {
      if (!stream.destroyed && !stream.writableEnded && stream.headersSent) stream.end();
    });
    out.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('data', (chunk: Buffer) => out.write(chunk));
    stream.on('end', () => out.end());
    stream.on('close', () => {
      if (!out.closed) out.close(http2.constants.NGHTTP2_CANCEL);
    });
    stream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    port,
    authorizations,
    refusedHandshakes: () => refused,
    forwardedCalls: () => forwarded,
    async close() {
      (upstream as http2.ClientHttp2Session | null)?.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open client sessions (long polls) would keep close() waiting.
      for (const s of sessions) s.destroy();
      await closed;
    },
  };
}
