/** Every `omni-zero` subcommand, one line each: a new command is one new file plus one line here. */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
