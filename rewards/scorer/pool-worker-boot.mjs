// Worker entry in plain JS: registers tsx when the pool runs from TypeScript sources (no build step), then loads the
// real worker. Workers do not inherit loader hooks registered at runtime by bin/omni-zero.js.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
