// tfjs-node 4.22.0 (the newest release) calls `util.isNullOrUndefined`, which Node 23 removed, and `util.isArray`,
// which Node 22 deprecates at runtime: on Node 24 its first tensor op throws
// `(0 , util_1.isNullOrUndefined) is not a function`. Upstream fixed this in tensorflow/tfjs#8425 (merged, never
// released); the build makes the same replacement in the copy it owns.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Every call site in 4.22.0's dist, per file: a different count means another release, so nothing is guessed. */
const EXPECTED = { 'nodejs_kernel_backend.js': 4, 'kernels/TopK.js': 2 };

const REPLACEMENTS = [
  [/\(0, util_1\.isNullOrUndefined\)\(([A-Za-z_$][\w$]*)\)/g, '($1 == null)'],
  [/\(0, util_1\.isArray\)\(([A-Za-z_$][\w$]*)\)/g, 'Array.isArray($1)'],
];

/** Rewrites the removed and deprecated `util` calls in tfjs-node's dist; throws when the call sites are not as known. */
export function patchRemovedUtilCalls(pkgDir) {
  for (const [file, want] of Object.entries(EXPECTED)) {
    const full = path.join(pkgDir, 'dist', file);
    let text = readFileSync(full, 'utf8');
    let n = 0;
    for (const [pattern, replacement] of REPLACEMENTS) {
      text = text.replace(pattern, (...m) => {
        n++;
        return replacement.replace('$1', m[1]);
      });
    }
    if (n !== want)
      throw new Error(`dist/${file}: ${n} util.is* calls, expected ${want} (a tfjs-node other than 4.22.0?)`);
    if (/util_1\.is[A-Z]/.test(text)) throw new Error(`dist/${file}: a util.is* call is left after patching`);
    writeFileSync(full, text);
  }
}
