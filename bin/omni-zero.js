#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so a fresh clone needs no build step. On a Node older than package.json's
// `engines` it first runs itself again under the pinned Node LTS (infra/node-runtime.mjs, docs/node-runtime.md).
import { relaunchOnSupportedNode } from '../infra/node-runtime.mjs';

if (!relaunchOnSupportedNode({ log: (msg) => process.stderr.write(`omni-zero: ${msg}\n`) })) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
