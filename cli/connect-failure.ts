/**
 * Turns a failed Temporal connection into what to fix. The client's gRPC library reports any TLS failure as "Failed
 * to connect before the deadline" and the worker's as a Rust debug string, so when a connection fails this repeats
 * the TLS handshake with Node's own TLS stack, with the same CA, client certificate and server name, and names the
 * cause: the server's certificate not signed by the given CA, not valid for the name, a client certificate the
 * server requires, a server that speaks no TLS (or one that does, reached in plain text), refused credentials.
 */
import tls from 'node:tls';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalConnectConfig } from './temporal-connection.ts';

export interface ConnectFailure {
  message: string;
  /** Waiting and retrying cannot help: a TLS or credentials problem, not an unreachable server. */
  permanent: boolean;
}

/** `reached`: TCP connected; `secured`: the TLS handshake completed on the client's side. */
type Handshake = { ok: true } | { ok: false; code: string; message: string; reached: boolean; secured: boolean };

function hostPort(address: string): { host: string; port: number } {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(address);
  return m ? { host: m[1], port: Number(m[2]) } : { host: address, port: 7233 };
}

const asBuffer = (u: Uint8Array | undefined) => (u ? Buffer.from(u) : undefined);

/** The HTTP/2 client preface and an empty SETTINGS frame (RFC 9113 §3.4): a server that accepts answers its own. */
const H2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

/**
 * A TLS handshake, then the HTTP/2 preface: with TLS 1.3 a server checks the client's certificate only after the
 * client's side of the handshake has ended, so its refusal comes as an alert or a close after that.
 */
export function tlsHandshake(address: string, config: TLSConfig | true | null, timeoutMs = 5000): Promise<Handshake> {
  const { host, port } = hostPort(address);
  const c = config === true || config === null ? {} : config;
  const name = c.serverNameOverride;
  return new Promise((resolve) => {
    let reached = false;
    let secured = false;
    const socket = tls.connect({
      host,
      port,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: config !== null,
      ...(name !== undefined ? { servername: name } : {}),
      ...(c.serverRootCACertificate ? { ca: asBuffer(c.serverRootCACertificate) } : {}),
      ...(c.clientCertPair ? { cert: asBuffer(c.clientCertPair.crt), key: asBuffer(c.clientCertPair.key) } : {}),
      ...(name !== undefined ? { checkServerIdentity: (_h, cert) => tls.checkServerIdentity(name, cert) } : {}),
    });
    const done = (h: Handshake) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(h);
    };
    const timer = setTimeout(
      () => done({ ok: false, code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms`, reached, secured }),
      timeoutMs
    );
    socket.once('connect', () => {
      reached = true;
    });
    socket.once('secureConnect', () => {
      secured = true;
      socket.write(H2_PREFACE);
    });
    socket.once('data', () => done({ ok: true }));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, code: err.code ?? 'ERROR', message: err.message, reached, secured })
    );
    socket.once('end', () =>
      done({ ok: false, code: 'ECONNRESET', message: 'the server closed the connection', reached, secured })
    );
  });
}

const VERIFY_CODES =
  /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED/;

/** OpenSSL's messages span lines and name source files; its error code says the same in a few words. */
function reasonOf(h: Exclude<Handshake, { ok: true }>): string {
  return h.code.startsWith('ERR_SSL_') ? h.code.slice('ERR_SSL_'.length).toLowerCase().replaceAll('_', ' ') : h.message;
}

function tlsCause(cfg: TemporalConnectConfig, h: Exclude<Handshake, { ok: true }>): string | null {
  const reason = reasonOf(h);
  const addr = cfg.connectionOptions.address;
  const tlsConfig = cfg.connectionOptions.tls;
  const c = typeof tlsConfig === 'object' && tlsConfig !== null ? tlsConfig : {};
  if (VERIFY_CODES.test(h.code)) {
    const against = cfg.caFile ? `the CA in ${cfg.caFile}` : 'the system CAs';
    return (
      `TLS verification of the server at ${addr} failed against ${against} (${reason}): ` +
      `check that --tls-ca (TEMPORAL_TLS_SERVER_CA_CERT_PATH) is the CA that signed the server's certificate`
    );
  }
  if (h.code === 'CERT_HAS_EXPIRED' || h.code === 'CERT_NOT_YET_VALID')
    return `the TLS certificate of the server at ${addr} is not valid now (${reason})`;
  if (h.code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return (
      `the TLS certificate of the server at ${addr} is not valid for the name it was checked against (${reason}): ` +
      'set --tls-server-name (TEMPORAL_TLS_SERVER_NAME) to a name the certificate holds'
    );
  // With TLS 1.3 the client's side of the handshake ends before the server checks the client certificate: a server
  // that then drops the connection, or sends an alert, refused that certificate.
  if (
    /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|ALERT_CERTIFICATE/.test(h.code) ||
    (h.secured && h.code !== 'ETIMEDOUT')
  )
    return (
      `the server at ${addr} requires a client certificate it trusts (mutual TLS) and refused ${c.clientCertPair ? 'the one given' : 'the connection without one'} ` +
      `(${reason}): give --tls-cert and --tls-key (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH) signed by a CA the server accepts`
    );
  if (
    /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNEXPECTED_RECORD|ECONNRESET/.test(h.code) &&
    h.reached &&
    !h.secured
  )
    return `the server at ${addr} does not accept TLS (${reason}): it may serve plain text, so drop --tls and the TLS settings, or use its TLS address`;
  return null;
}

/** What to fix for a connection to Temporal that failed with `err`. */
export async function explainConnectFailure(err: unknown, cfg: TemporalConnectConfig): Promise<ConnectFailure> {
  const addr = cfg.connectionOptions.address;
  const e = err as { message?: string; cause?: { message?: string } };
  const text = `${e?.message ?? err} ${e?.cause?.message ?? ''}`.trim();
  if (/UNAUTHENTICATED|valid authentication credentials|PERMISSION_DENIED/i.test(text))
    return {
      permanent: true,
      message:
        `Temporal at ${addr} refused the credentials (${e?.cause?.message ?? e?.message}): check the API key ` +
        `(--api-key-file, TEMPORAL_API_KEY) or the client certificate, and the namespace '${cfg.namespace}'`,
    };
  const tlsConfig = cfg.connectionOptions.tls;
  const tlsOn = tlsConfig !== undefined && tlsConfig !== false && tlsConfig !== null;
  const h = await tlsHandshake(addr, tlsOn ? (tlsConfig as TLSConfig | true) : null);
  if (!h.ok && tlsOn) {
    const cause = tlsCause(cfg, h);
    if (cause) return { permanent: true, message: cause };
  }
  if ((h.ok || h.secured) && !tlsOn)
    return {
      permanent: true,
      message:
        `the server at ${addr} speaks TLS but the connection was plain text: add --tls (TEMPORAL_TLS=true), ` +
        'and --tls-ca FILE when its certificate is not from a public CA',
    };
  return {
    permanent: false,
    message: `cannot reach Temporal at ${addr} over ${cfg.security} (${text})`,
  };
}
