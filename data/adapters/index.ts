/** Dataset adapters by the names the config lists (schemas/experiment/tasks.ts DATASET_ADAPTERS): one file + one line. */
import type { DATASET_ADAPTERS } from '../../schemas/experiment/tasks.ts';
import { DataInputError } from '../errors.ts';
import { codeR1 } from './code-r1.ts';
import { omni } from './omni.ts';
import { openr1Math } from './openr1-math.ts';
import { sharegpt } from './sharegpt.ts';
import { supergpqa } from './supergpqa.ts';
import type { DatasetAdapter } from './types.ts';
import { webinstruct } from './webinstruct.ts';

export type DatasetAdapterName = (typeof DATASET_ADAPTERS)[number];

export const ADAPTERS: Record<DatasetAdapterName, DatasetAdapter> = {
  webinstruct,
  'openr1-math': openr1Math,
  'code-r1': codeR1,
  supergpqa,
  sharegpt,
  omni,
};

export function adapterByName(name: string): DatasetAdapter {
  const a = (ADAPTERS as Record<string, DatasetAdapter>)[name];
  if (a === undefined) {
    throw new DataInputError('adapter', `unknown adapter '${name}'; known: ${Object.keys(ADAPTERS).join(', ')}`);
  }
  return a;
}

export {
  type AdapterContext,
  AdapterError,
  type AdaptOutcome,
  type DatasetAdapter,
  type ShareGptRules,
} from './types.ts';
