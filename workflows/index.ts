/** Every workflow type the workers register (the bundle's entry point). */
export { experiment } from './experiment.ts';
export { mergeRun } from './merge-run.ts';
export { pretrainRun } from './pretrain-run.ts';
export { rftRun } from './rft-run.ts';
export { stage } from './stage.ts';
export { sweep } from './sweep.ts';
