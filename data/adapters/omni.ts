/**
 * Our own layout: rows already in the dataset-row schema. `task` and `kind` may be left out (the config supplies
 * them); when given they must agree with the config, so a file meant for another task is caught.
 */
import { AdapterError, asObject, type DatasetAdapter } from './types.ts';

export const omni: DatasetAdapter = {
  name: 'omni',
  adapt(record, _line, ctx) {
    const o = asObject(record);
    if (o.kind !== undefined && o.kind !== ctx.kind) {
      throw new AdapterError('kind', `is '${String(o.kind)}' but task '${ctx.task}' is of kind '${ctx.kind}'`);
    }
    if (o.task !== undefined && o.task !== ctx.task) {
      throw new AdapterError('task', `is '${String(o.task)}' but this file is loaded for task '${ctx.task}'`);
    }
    // Whitespace-only text passes the schema's min(1) but is as useless as no text (other adapters reject it too).
    for (const field of ['id', 'prompt']) {
      const v = o[field];
      if (typeof v === 'string' && v !== '' && v.trim() === '')
        throw new AdapterError(field, 'must be a non-empty string');
    }
    // The schema check happens for every adapter's rows in the loader; this one only fills in the config's fields.
    return { rows: [{ ...o, task: ctx.task, kind: ctx.kind } as never] };
  },
};
