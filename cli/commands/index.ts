/** Every `omni-zero` subcommand, one line each: a new command is one new file plus one import and one entry here. */
import type { Command } from 'commander';
import { register as registerData } from './data.ts';
import { register as registerDemo } from './demo.ts';
import { register as registerLengthPenalty } from './length-penalty.ts';
import { register as registerPretrain } from './pretrain.ts';
import { register as registerReport } from './report.ts';
import { register as registerRun } from './run.ts';
import { register as registerSandbox } from './sandbox.ts';
import { register as registerSchedule } from './schedule.ts';
import { register as registerSchema } from './schema.ts';
import { register as registerServer } from './server.ts';
import { register as registerSteer } from './steer.ts';
import { register as registerValidate } from './validate.ts';
import { register as registerVerify } from './verify.ts';
import { register as registerWorker } from './worker.ts';

export type RegisterCommand = (program: Command) => void;

// biome-ignore format: one command per line, so additions never collide
export const commands: RegisterCommand[] = [
  registerServer,
  registerRun,
  registerSteer,
  registerDemo,
  registerWorker,
  registerValidate,
  registerSchema,
  registerSandbox,
  registerLengthPenalty,
  registerPretrain,
  registerVerify,
  registerData,
  registerReport,
  registerSchedule,
];
