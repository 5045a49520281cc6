/** The experiment config as JSON Schema (draft 2020-12), for editors (yaml-language-server) and `omni-zero schema`. */
import { z } from 'zod';
import { experimentSchema } from './experiment.ts';

/** Input side: fields with defaults are optional, as a person writes them. */
export function experimentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(experimentSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
}

/** The file committed as schemas/experiment.schema.json (2-space JSON plus newline); a test keeps it in step. */
export function experimentJsonSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}
