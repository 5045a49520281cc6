/**
 * The long-lived local stack the demo and `omni-zero server` manage: the Temporal dev server on its usual ports
 * (7233, Web UI 8233) with its SQLite file under .omni-zero/, left running after the command exits so the Web UI
 * stays browsable. A pid file lets later commands find and stop it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RUN_DIR } from './paths.mjs';
import { canConnect, startDevServer } from './temporal-dev.ts';

export const DEV_PORT = Number(process.env.OMNI_ZERO_TEMPORAL_PORT ?? 7233);
export const DEV_UI_PORT = Number(process.env.OMNI_ZERO_TEMPORAL_UI_PORT ?? DEV_PORT + 1000);
const pidFile = path.join(RUN_DIR, 'temporal.pid');

export interface StackStatus {
  temporal: { address: string; uiUrl: string; running: boolean; pid: number | null; managed: boolean };
}

function readPid(): number | null {
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

export async function stackStatus(): Promise<StackStatus> {
  const pid = readPid();
  return {
    temporal: {
      address: `127.0.0.1:${DEV_PORT}`,
      uiUrl: `http://127.0.0.1:${DEV_UI_PORT}`,
      running: await canConnect(DEV_PORT),
      pid,
      managed: pid !== null,
    },
  };
}

/** Starts the dev server unless one already answers on the port; returns where it is. */
export async function ensureTemporal(log: (msg: string) => void = () => {}): Promise<StackStatus['temporal']> {
  const status = (await stackStatus()).temporal;
  if (status.running) return status;
  log(`starting Temporal dev server on ${status.address} (Web UI ${status.uiUrl})`);
  const server = await startDevServer({
    port: DEV_PORT,
    uiPort: DEV_UI_PORT,
    dbFile: path.join(RUN_DIR, 'temporal.sqlite'),
    detached: true,
  });
  writeFileSync(pidFile, String(server.pid));
  return { ...status, running: true, pid: server.pid, managed: true };
}

export async function stopTemporal(): Promise<boolean> {
  const pid = readPid();
  if (pid === null) return false;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && (await canConnect(DEV_PORT)); i++) await new Promise((r) => setTimeout(r, 100));
  rmSync(pidFile, { force: true });
  return true;
}
