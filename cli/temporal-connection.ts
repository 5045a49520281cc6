/**
 * Where every Temporal client and worker of omni-zero gets its connection: address, namespace, TLS, mutual TLS and
 * API key. A command's flags win over what the `temporal` CLI itself reads — its environment variables, then its
 * config-file profiles (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) — loaded by the SDK's own loader so that one
 * setting serves both tools. With nothing set: plain text to the local dev server, as before any of this existed.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type ClientConfigProfile,
  type ClientConfigTLS,
  type ConfigDataSource,
  loadClientConfigProfile,
  toClientOptions,
} from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { type Command, Option } from 'commander';

/** The connection flags of a command that talks to Temporal (commander's names for them). */
export interface ConnectionFlags {
  /** `--address`: host:port of the Temporal frontend. */
  address?: string;
  /** `--namespace`. */
  namespace?: string;
  /** `--tls`: TLS with the system CAs, when no TLS file is given. */
  tls?: boolean;
  /** `--tls-cert`: client certificate file (PEM) for mutual TLS. */
  tlsCert?: string;
  /** `--tls-key`: the client certificate's private key file (PEM). */
  tlsKey?: string;
  /** `--tls-ca`: CA certificate file (PEM) the server's certificate must chain to. Default: the system CAs. */
  tlsCa?: string;
  /** `--tls-server-name`: the name to verify in the server's certificate, when the address does not carry it. */
  tlsServerName?: string;
  /** `--api-key`: sent as `authorization: Bearer <key>`. */
  apiKey?: string;
  /** `--api-key-file`: a file holding the API key (kept out of the process list and shell history). */
  apiKeyFile?: string;
}

/** The options Connection.connect (clients) and NativeConnection.connect (workers) both take. */
export type ConnectionOptions = Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'> & { address: string };

export interface TemporalConnectConfig {
  connectionOptions: ConnectionOptions;
  namespace: string;
  /** Plain text, TLS, mutual TLS, with an API key: for messages. */
  security: string;
  /** The server CA file, when one was given: named when verification against it fails. */
  caFile?: string;
}

/** The names older `temporal` CLIs and many scripts use; the current name wins when both are set. */
const ENV_ALIASES: Record<string, string> = {
  TEMPORAL_TLS_CERT: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
};

/** How a TLS file is named in messages: the flag, then the variable of the `temporal` CLI. */
const TLS_FILES = {
  clientCert: { what: 'client certificate', flag: '--tls-cert', env: 'TEMPORAL_TLS_CLIENT_CERT_PATH' },
  clientKey: { what: 'client key', flag: '--tls-key', env: 'TEMPORAL_TLS_CLIENT_KEY_PATH' },
  serverCACert: { what: 'server CA certificate', flag: '--tls-ca', env: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH' },
} as const;

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  for (const [old, current] of Object.entries(ENV_ALIASES)) if (out[old] !== undefined) out[current] ??= out[old];
  return out;
}

/** The `temporal` CLI's profile: config file (if any) overlaid with its environment variables. */
export function cliProfile(env: NodeJS.ProcessEnv = process.env): ClientConfigProfile {
  try {
    return loadClientConfigProfile({ overrideEnvVars: definedEnv(env) });
  } catch (err) {
    const file = env.TEMPORAL_CONFIG_FILE ?? '~/.config/temporalio/temporal.toml';
    // The SDK's loader fails on a file without any profile with a bare TypeError.
    const why = err instanceof TypeError ? 'it has no [profile.NAME] table' : (err as Error).message;
    throw new Error(`cannot use the Temporal config file ${file}: ${why}`);
  }
}

/**
 * The environment of a process that must reach a local dev server in plain text whatever the user's `temporal`
 * settings (the demo's own workers, tests and benchmarks on the server they started): none of the `temporal` CLI's
 * variables, and a config file that does not exist (the loader reads a missing file as no profile).
 */
export function localServerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept = Object.entries(env).filter(([k]) => !k.startsWith('TEMPORAL_'));
  const noFile = path.join(os.tmpdir(), 'omni-zero-no-temporal-profile', 'temporal.toml');
  return { ...Object.fromEntries(kept), TEMPORAL_CONFIG_FILE: noFile };
}

/** Plain-text options for a local dev server this process started or found (see {@link localServerEnv}). */
export function localConnectionOptions(address: string): ConnectionOptions {
  return temporalConnectConfig({ address }, localServerEnv()).connectionOptions;
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'a directory',
};

/** A file's text, or an error naming the file, what it is for and where it was set (`origin`). */
function readNamedFile(file: string, what: string, origin: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`cannot read the ${what} file ${file} (${origin}): ${READ_ERRORS[e.code ?? ''] ?? e.message}`);
  }
}

function readSource(source: ConfigDataSource, what: string, origin: string): ConfigDataSource {
  if (!('path' in source)) return source;
  const text = readNamedFile(source.path, what, origin);
  if (!text.includes('-----BEGIN '))
    throw new Error(`the ${what} file ${source.path} (${origin}) is not PEM: no -----BEGIN line`);
  return { data: text };
}

function withFlags(tls: ClientConfigTLS | undefined, f: ConnectionFlags): ClientConfigTLS | undefined {
  const fromFlags: ClientConfigTLS = {
    ...(f.tls ? { disabled: false } : {}),
    ...(f.tlsCert !== undefined ? { clientCert: { path: f.tlsCert } } : {}),
    ...(f.tlsKey !== undefined ? { clientKey: { path: f.tlsKey } } : {}),
    ...(f.tlsCa !== undefined ? { serverCACert: { path: f.tlsCa } } : {}),
    ...(f.tlsServerName !== undefined ? { serverName: f.tlsServerName } : {}),
  };
  return tls || Object.keys(fromFlags).length > 0 ? { ...tls, ...fromFlags } : undefined;
}

/** Every file read here, so a missing or unreadable one is named before any connection is tried. */
function readTlsFiles(tls: ClientConfigTLS): ClientConfigTLS {
  const hasCert = tls.clientCert !== undefined;
  if (hasCert !== (tls.clientKey !== undefined)) {
    const [given, missing] = hasCert
      ? [TLS_FILES.clientCert, TLS_FILES.clientKey]
      : [TLS_FILES.clientKey, TLS_FILES.clientCert];
    throw new Error(
      `mutual TLS needs both a client certificate and its key: a ${given.what} is set but no ${missing.what}; ` +
        `give ${missing.flag} FILE (or set ${missing.env})`
    );
  }
  const out: ClientConfigTLS = { ...tls };
  for (const field of ['clientCert', 'clientKey', 'serverCACert'] as const) {
    const { what, flag, env } = TLS_FILES[field];
    const source = tls[field];
    if (source) out[field] = readSource(source, what, `${flag}, ${env}`);
  }
  return out;
}

function readApiKey(flags: ConnectionFlags, profileKey: string | undefined): string | undefined {
  if (flags.apiKeyFile === undefined) return flags.apiKey ?? profileKey;
  const key = readNamedFile(flags.apiKeyFile, 'API key', '--api-key-file').trim();
  if (key === '') throw new Error(`the API key file ${flags.apiKeyFile} (--api-key-file) is empty`);
  return key;
}

function describe(tls: unknown, profile: ClientConfigProfile): string {
  if (!tls) return profile.apiKey !== undefined ? 'plain text with an API key' : 'plain text';
  const mutual = profile.tls?.clientCert !== undefined ? 'mutual TLS' : 'TLS';
  return profile.apiKey !== undefined ? `${mutual} with an API key` : mutual;
}

/**
 * The connection every client and worker uses: flags over the `temporal` CLI's environment variables over its
 * config-file profile; address default 127.0.0.1:$OMNI_ZERO_TEMPORAL_PORT (7233), namespace default `default`.
 * TLS is on when asked for, when any TLS file or server name is set, or with an API key.
 */
export function temporalConnectConfig(
  flags: ConnectionFlags = {},
  env: NodeJS.ProcessEnv = process.env
): TemporalConnectConfig {
  if (flags.apiKey !== undefined && flags.apiKeyFile !== undefined)
    throw new Error('give the API key once: --api-key or --api-key-file, not both');
  const base = cliProfile(env);
  const tls = withFlags(base.tls, flags);
  const profile: ClientConfigProfile = {
    ...base,
    address: flags.address ?? base.address ?? `127.0.0.1:${env.OMNI_ZERO_TEMPORAL_PORT ?? 7233}`,
    namespace: flags.namespace ?? base.namespace ?? 'default',
    apiKey: readApiKey(flags, base.apiKey),
    tls: tls && readTlsFiles(tls),
  };
  const { connectionOptions } = toClientOptions(profile);
  const caPath =
    flags.tlsCa ?? (base.tls?.serverCACert && 'path' in base.tls.serverCACert ? base.tls.serverCACert.path : undefined);
  return {
    connectionOptions: { ...connectionOptions, address: profile.address! },
    namespace: profile.namespace!,
    security: describe(connectionOptions.tls, profile),
    ...(caPath !== undefined ? { caFile: caPath } : {}),
  };
}

const GROUP = 'Temporal connection (flags win over the temporal CLI variables and profiles):';

/** Adds the connection flags to a command that talks to Temporal. */
export function withConnectionFlags(cmd: Command): Command {
  const flags: [string, string][] = [
    ['--address <host:port>', 'Temporal frontend (TEMPORAL_ADDRESS; default 127.0.0.1:7233)'],
    ['--namespace <ns>', "Temporal namespace (TEMPORAL_NAMESPACE; default: the config file's, else default)"],
    ['--tls', 'connect with TLS (TEMPORAL_TLS=true); implied by any TLS file, server name or API key'],
    [
      '--tls-ca <file>',
      'CA certificate the server must chain to (TEMPORAL_TLS_SERVER_CA_CERT_PATH; default: system CAs)',
    ],
    ['--tls-cert <file>', 'client certificate for mutual TLS (TEMPORAL_TLS_CLIENT_CERT_PATH)'],
    ['--tls-key <file>', "the client certificate's private key (TEMPORAL_TLS_CLIENT_KEY_PATH)"],
    ['--tls-server-name <name>', "name to verify in the server's certificate (TEMPORAL_TLS_SERVER_NAME)"],
    ['--api-key-file <file>', 'file holding an API key, e.g. Temporal Cloud (TEMPORAL_API_KEY holds the key itself)'],
    ['--api-key <key>', 'API key (shows in the process list: prefer --api-key-file or TEMPORAL_API_KEY)'],
  ];
  for (const [f, d] of flags) cmd.addOption(new Option(f, d).helpGroup(GROUP));
  return cmd;
}
