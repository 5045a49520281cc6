/** Every `omni-zero` subcommand, one line each: a new command is one new file plus one import and one entry here. */
import type { Command } from 'commander';
import { register as registerServer } from './server.ts';
import { register as registerWorker } from './worker.ts';
import { register as registerSandbox } from './sandbox.ts';

export type RegisterCommand = (program: Command) => void;

// biome-ignore format: one command per line, so additions never collide
export const commands: RegisterCommand[] = [
  registerServer,
  registerWorker,
  registerSandbox,
];
