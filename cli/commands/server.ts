/** `omni-zero server start|stop|status`: the local Temporal dev server (with its Web UI) that runs and demos use. */
import type { Command } from 'commander';
import { ensureTemporal, stackStatus, stopTemporal } from '../../infra/dev-stack.ts';

export function register(program: Command): void {
  const server = program
    .command('server')
    .description('manage the local Temporal dev server (SQLite under .omni-zero/)');
  server
    .command('start')
    .description('start it (no-op when already running) and print where it is')
    .action(async () => {
      const t = await ensureTemporal((m) => console.error(m));
      console.log(JSON.stringify({ address: t.address, ui: t.uiUrl, pid: t.pid }));
    });
  server
    .command('stop')
    .description('stop the server this project started')
    .action(async () => {
      console.log(JSON.stringify({ stopped: await stopTemporal() }));
    });
  server
    .command('status')
    .description('print whether it answers')
    .action(async () => {
      console.log(JSON.stringify(await stackStatus()));
    });
}
