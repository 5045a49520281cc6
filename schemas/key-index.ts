/**
 * Where each config key lives, from the generated JSON Schema: lets an unknown key that is right but in the wrong
 * section (`model.learningRate`) point at where it belongs (`grpo.learningRate`). Built once, on first use.
 */
import { experimentJsonSchema } from './json-schema.ts';

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
};

/** Lower-case without `_`/`-`, as did-you-mean compares names. */
const fold = (name: string) => name.toLowerCase().replace(/[-_\s]/g, '');

let index: Map<string, string[]> | undefined;

function walk(schema: JsonSchema, at: string, out: Map<string, string[]>): void {
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const path = at === '' ? key : `${at}.${key}`;
    const list = out.get(fold(key)) ?? [];
    if (!list.includes(path)) list.push(path);
    out.set(fold(key), list);
    walk(sub, path, out);
  }
  for (const sub of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) walk(sub, at, out);
  if (schema.items) walk(schema.items, `${at}[]`, out);
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${at}.<name>`, out);
}

/** Every path (`grpo.learningRate`, `schedule.stages[].learningRate`) where a key of this name is valid. */
export function pathsOfKey(key: string): string[] {
  if (index === undefined) {
    index = new Map();
    walk(experimentJsonSchema() as JsonSchema, '', index);
  }
  return index.get(fold(key)) ?? [];
}
