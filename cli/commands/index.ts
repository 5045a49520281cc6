/**
 * Every `omni-zero` subcommand: a new command is one new file exporting `register(program)` plus one entry here,
 * naming the top-level command(s) it registers. Modules load lazily — only the one the command line names (all of
 * them for `--help`) — so start-up stays fast and one broken module cannot take the other commands down with it.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;
export interface CommandModule {
  /** Top-level command names the module registers. */
  names: string[];
  load: () => Promise<{ register: RegisterCommand }>;
}

// biome-ignore format: one command per line, so additions never collide
export const commandModules: CommandModule[] = [
  { names: ['server'], load: () => import('./server.ts') },
  { names: ['run'], load: () => import('./run.ts') },
  { names: ['pause', 'resume', 'stop', 'adjust'], load: () => import('./steer.ts') },
  { names: ['status'], load: () => import('./status.ts') },
  { names: ['watch'], load: () => import('./watch.ts') },
  { names: ['ls'], load: () => import('./ls.ts') },
  { names: ['demo'], load: () => import('./demo.ts') },
  { names: ['worker'], load: () => import('./worker.ts') },
  { names: ['validate'], load: () => import('./validate.ts') },
  { names: ['schema'], load: () => import('./schema.ts') },
  { names: ['sandbox'], load: () => import('./sandbox.ts') },
  { names: ['length-penalty'], load: () => import('./length-penalty.ts') },
  { names: ['pretrain'], load: () => import('./pretrain.ts') },
  { names: ['verify'], load: () => import('./verify.ts') },
  { names: ['data'], load: () => import('./data.ts') },
  { names: ['report'], load: () => import('./report.ts') },
  { names: ['schedule'], load: () => import('./schedule.ts') },
  { names: ['pretrain-base'], load: () => import('./pretrain-base.ts') },
  { names: ['sweep'], load: () => import('./sweep.ts') },
  { names: ['setup'], load: () => import('./setup.ts') },
  { names: ['codec-server'], load: () => import('./codec-server.ts') },
];
