/** `omni-zero schema`: prints the experiment config's JSON Schema (the committed schemas/experiment.schema.json). */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { experimentJsonSchemaText } from '../../schemas/json-schema.ts';

export function register(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of experiment configs (for editors: yaml-language-server, VS Code)')
    .option('--out <file>', 'write it to a file instead, e.g. schemas/experiment.schema.json')
    .action(async (options: { out?: string }) => {
      const text = experimentJsonSchemaText();
      if (options.out === undefined) process.stdout.write(text);
      else await writeFile(options.out, text);
    });
}
