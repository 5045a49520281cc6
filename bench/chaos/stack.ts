/**
 * The drill's own stack, every piece a real process it can kill: a Temporal dev server on a SQLite file, MinIO on a
 * data folder, the judge, and one `omni-zero worker` process per role (main, GPU, CPU, I/O). Each fault of the plan
 * is one method here; each leaves the stack whole again when it returns (a killed process is restarted on the same
 * port, database, data folder or queues).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { type S3Server, startS3Server } from '../../infra/s3-server.ts';
import { canConnect, type DevServer, freePort, startDevServer } from '../../infra/temporal-dev.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';
import type { WorkerRole } from '../../workers/task-queues.ts';
import { spawnWorker, type WorkerProcess } from '../../workers/worker-process.ts';
import { type ChaosJudge, startChaosJudge } from './judge.ts';

export const CHAOS_BUCKET = 'chaos';
const ROLES: WorkerRole[] = ['main', 'gpu', 'cpu', 'io'];

export interface ChaosStack {
  client: Client;
  queues: Record<WorkerRole, string>;
  judge: ChaosJudge;
  /** `s3://chaos/runs`: where the runs keep their things. */
  storage: string;
  /** A store on the drill's MinIO under `prefix` (for reading a run's objects). */
  store(prefix: string): S3BlobStore;
  /** SIGKILL of one role's worker, then a new worker process on the same queues; resolves when it polls. */
  killWorker(role: WorkerRole): Promise<void>;
  /** SIGKILL of the dev server, then a new one on the same port and SQLite file. */
  killServer(): Promise<void>;
  /** Stops MinIO (SIGTERM), waits `ms`, starts it again on the same port and data folder. */
  s3Outage(ms: number): Promise<void>;
  /** Workers that exited without being killed by the drill (should stay empty). */
  unexpectedExits(): string[];
  stop(): Promise<void>;
}

export async function startChaosStack(dir: string, log: (line: string) => void): Promise<ChaosStack> {
  mkdirSync(dir, { recursive: true });
  const dbFile = path.join(dir, 'temporal.sqlite');
  const port = await freePort();
  // What started so far, stopped again if a later piece fails to start (a half-built stack must not outlive the drill).
  const started: (() => Promise<unknown>)[] = [];
  let server: DevServer = await startDevServer({ dbFile, port, uiPort: false });
  started.push(() => server.stop());
  const dataDir = path.join(dir, 's3-data');
  let s3: S3Server;
  try {
    s3 = await startS3Server({ dataDir });
  } catch (err) {
    await server.stop();
    throw err;
  }
  started.push(() => s3.stop());
  const s3Port = s3.port;
  // The bench process reads the runs' objects too (the AWS SDK's default chain, our endpoint variables).
  Object.assign(process.env, s3.env);
  const store = (prefix: string) => new S3BlobStore(CHAOS_BUCKET, prefix, { endpoint: s3.endpoint });

  const queues = Object.fromEntries(ROLES.map((r) => [r, `chaos-${r}-${process.pid}`])) as Record<WorkerRole, string>;
  // One backend everywhere: "identical weights" is a claim about one backend's arithmetic.
  const env = {
    ...s3.env,
    OMNI_ZERO_BACKEND: process.env.OMNI_ZERO_BACKEND || 'tensorflow',
    OMNI_ZERO_LOG_LEVEL: 'WARN',
  };
  const workers = new Map<WorkerRole, WorkerProcess>();
  const killedByDrill = new Set<number>();
  const startWorker = async (role: WorkerRole) => {
    workers.set(role, await spawnWorker({ roles: [role], queues, address: server.address, env }));
  };
  started.push(() => Promise.all([...workers.values()].map((w) => w.kill('SIGKILL'))));
  let connection: Connection;
  let judge: ChaosJudge;
  try {
    judge = await startChaosJudge();
    started.push(() => judge.close());
    await store('').ensureBucket();
    connection = await Connection.connect({ address: server.address });
    started.push(() => connection.close());
    await Promise.all(ROLES.map(startWorker));
  } catch (err) {
    for (const stop of started.reverse()) await stop().catch(() => {});
    throw err;
  }
  const client = new Client({ connection });
  log(`stack up: temporal ${server.address}, s3 ${s3.endpoint}, judge ${judge.baseURL}, workers ${ROLES}`);

  return {
    client,
    queues,
    judge,
    storage: `s3://${CHAOS_BUCKET}/runs`,
    store,
    async killWorker(role) {
      const victim = workers.get(role)!;
      killedByDrill.add(victim.pid);
      await victim.kill('SIGKILL');
      await startWorker(role);
    },
    async killServer() {
      process.kill(server.pid, 'SIGKILL');
      await waitUntilClosed(port);
      server = await startDevServer({ dbFile, port, uiPort: false });
    },
    async s3Outage(ms) {
      await s3.stop();
      await new Promise((r) => setTimeout(r, ms));
      s3 = await startS3Server({ dataDir, port: s3Port });
    },
    unexpectedExits: () =>
      [...workers.entries()]
        .filter(([, w]) => w.child.exitCode !== null && !killedByDrill.has(w.pid))
        .map(([role, w]) => `${role} worker ${w.pid} exited (${w.child.exitCode}):\n${w.output().slice(-2000)}`),
    async stop() {
      for (const w of workers.values()) await w.kill('SIGKILL');
      await connection.close();
      await judge.close();
      await s3.stop();
      await server.stop();
    },
  };
}

/** A SIGKILLed server's port is free once the process is gone; a restart before that fails to bind. */
async function waitUntilClosed(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (await canConnect(port)) {
    if (Date.now() > deadline) throw new Error(`port ${port} still answers 30 s after the server was killed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
