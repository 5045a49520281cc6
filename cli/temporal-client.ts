/** Connects the CLI to Temporal: `--address`, else TEMPORAL_ADDRESS, else the local dev server's port. */
import { Client, Connection } from '@temporalio/client';
import { dataConverterFromEnv } from '../workers/data-converter.ts';

export function temporalAddress(flag?: string): string {
  return flag ?? process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${process.env.OMNI_ZERO_TEMPORAL_PORT ?? 7233}`;
}

export async function connectClient(address?: string, namespace = process.env.TEMPORAL_NAMESPACE ?? 'default') {
  // Before connecting: a malformed codec key stops the command before it touches the server.
  const dataConverter = dataConverterFromEnv();
  const addr = temporalAddress(address);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: addr, connectTimeout: '5s' });
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${addr} (${(err as Error).message}); start one with 'omni-zero server start' or set TEMPORAL_ADDRESS`
    );
  }
  return { client: new Client({ connection, namespace, dataConverter }), connection, address: addr, namespace };
}

/** Link to a workflow in the Web UI. */
export function uiLink(uiBase: string, workflowId: string, namespace = 'default'): string {
  return `${uiBase}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
