// After `tsc`, copies the non-TypeScript files the compiled library loads at run time (the sandbox's Python harness,
// worker-thread boot scripts, infra's plain-JS modules and version pins) into dist/, at the same relative paths.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.mjs';

const FOLDERS = [
  'schemas',
  'workflows',
  'activities',
  'workers',
  'rl',
  'rewards',
  'engine',
  'data',
  'storage',
  'cli',
  'report',
  'infra',
];
const ASSET = /\.(py|mjs|json|d\.mts)$/;
const OUT = process.argv[2] ?? path.join(ROOT, 'dist');
let copied = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (ASSET.test(name)) {
      cpSync(p, path.join(OUT, path.relative(ROOT, p)));
      copied++;
    }
  }
}
for (const f of FOLDERS) if (existsSync(path.join(ROOT, f))) walk(path.join(ROOT, f));
console.log(`copied ${copied} run-time assets into ${path.relative(ROOT, OUT) || OUT}`);
