/**
 * `npm run bench -- <area>`: runs bench/<area>.ts, which prints one JSON object on stdout. The machine and backend
 * are part of every result so figures in docs/BENCHMARKS.md can be compared honestly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const area = process.argv[2];
const here = path.dirname(fileURLToPath(import.meta.url));
if (!area || !/^[a-z-]+$/.test(area) || !existsSync(path.join(here, `${area}.ts`))) {
  console.error(`usage: npm run bench -- <area>   (a file bench/<area>.ts; got '${area ?? ''}')`);
  process.exit(1);
}
await import(path.join(here, `${area}.ts`));
