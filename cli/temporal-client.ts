/**
 * Connects the CLI's Temporal client with the connection every command shares (temporal-connection.ts); a failure
 * becomes what to fix (connect-failure.ts).
 */
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../workers/data-converter.ts';
import { explainConnectFailure } from './connect-failure.ts';
import { type ConnectionFlags, temporalConnectConfig } from './temporal-connection.ts';

// grpc-js sends the address's host as the TLS server name even when it is an IP, and Node then warns on each
// connection (DEP0123: RFC 6066 allows no IP in SNI). The certificate is still checked against that IP, so on the
// CLI's stderr the warning is only noise next to the real messages.
const emitWarning = process.emitWarning;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const code = (r: unknown) => (typeof r === 'object' && r !== null ? (r as { code?: string }).code : r);
  if (rest.some((r) => code(r) === 'DEP0123')) return;
  (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
}) as typeof process.emitWarning;

/** The schema's default namespace: a config that leaves it so defers to --namespace and TEMPORAL_NAMESPACE. */
const DEFAULT_NAMESPACE = 'default';

/**
 * `configNamespace` is a config file's `orchestration.namespace`: it wins over the environment and profile when it
 * names one, `--namespace` wins over it.
 */
export async function connectClient(flags: ConnectionFlags = {}, configNamespace?: string) {
  const namespaceFlag = flags.namespace ?? (configNamespace !== DEFAULT_NAMESPACE ? configNamespace : undefined);
  const cfg = temporalConnectConfig({ ...flags, namespace: namespaceFlag });
  // Before connecting: a malformed codec key stops the command before it touches the server.
  const dataConverter = dataConverterFromEnv();
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...cfg.connectionOptions, connectTimeout: '5s' });
  } catch (err) {
    const failure = await explainConnectFailure(err, cfg);
    throw new Error(
      failure.permanent
        ? failure.message
        : `${failure.message}; start one with 'omni-zero server start' or set TEMPORAL_ADDRESS`
    );
  }
  const { namespace } = cfg;
  return {
    client: new Client({ connection, namespace, dataConverter }),
    connection,
    address: cfg.connectionOptions.address,
    namespace,
  };
}

/** Link to a workflow in the Web UI. */
export function uiLink(uiBase: string, workflowId: string, namespace = 'default'): string {
  return `${uiBase}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
