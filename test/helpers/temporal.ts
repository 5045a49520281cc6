/**
 * The real Temporal dev server for tests: the one `npm test` started (TEMPORAL_ADDRESS), or, when a test file is run
 * on its own, a fresh one started here from the pinned binary. Never a download.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { localConnectionOptions } from '../../cli/temporal-connection.ts';
import { type DevServer, startDevServer } from '../../infra/temporal-dev.ts';
import { dataConverterFromEnv } from '../../workers/data-converter.ts';
import { installRuntime } from '../../workers/runtime.ts';

export interface TemporalTestEnv {
  address: string;
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  uiUrl: string | null;
  teardown(): Promise<void>;
}

export async function temporalTestEnv(): Promise<TemporalTestEnv> {
  installRuntime('WARN');
  let server: DevServer | null = null;
  let address = process.env.TEMPORAL_ADDRESS;
  let uiUrl = process.env.OMNI_ZERO_TEMPORAL_UI ?? null;
  if (!address) {
    server = await startDevServer({ dbFile: `/tmp/omni-zero-test-${process.pid}.sqlite` });
    address = server.address;
    uiUrl = server.uiUrl;
  }
  const connection = await Connection.connect(localConnectionOptions(address));
  const nativeConnection = await NativeConnection.connect(localConnectionOptions(address));
  // As the workers of createWorkers: with OMNI_ZERO_CODEC_KEYS set, the tests that use this client run encrypted.
  const client = new Client({ connection, dataConverter: dataConverterFromEnv() });
  return {
    address,
    client,
    connection,
    nativeConnection,
    uiUrl,
    async teardown() {
      await nativeConnection.close();
      await connection.close();
      await server?.stop();
    },
  };
}

/** A task queue no other test uses, so parallel test files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
