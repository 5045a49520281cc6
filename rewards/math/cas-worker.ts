/**
 * Source of the CAS worker thread (a CommonJS script: no top-level return), run with `eval: true` so no separate file has to ship next to the compiled
 * library and the worker starts without the TypeScript loader. It loads mathjs from the path the parent resolved
 * and answers one request at a time: `{ id, expression, rationalize }` → `{ id, zero, by }` or `{ id, error }`.
 * Each reply is posted on `port`, then `signal[0]` is set to 1 and notified (the parent blocks in `Atomics.wait`).
 * Measured reason it exists: `rationalize('(x+1)^30 - (x^2+2x+1)^15')` does not return within minutes.
 */
export const CAS_WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, signal, mathjsPath } = workerData;
function reply(message) {
  port.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
let math = null;
try {
  math = require(mathjsPath);
} catch (err) {
  reply({ ready: false, error: 'cannot load mathjs: ' + (err && err.message) });
}
function isZero(node) {
  return node.type === 'ConstantNode' && Number(node.value) === 0;
}
if (math) port.on('message', (request) => {
  let out;
  try {
    const node = math.parse(request.expression);
    if (isZero(math.simplify(node))) out = { id: request.id, zero: true, by: 'simplify' };
    else {
      out = { id: request.id, zero: false, by: 'simplify' };
      if (request.rationalize) {
        try {
          if (isZero(math.rationalize(node))) out = { id: request.id, zero: true, by: 'rationalize' };
        } catch {
          // rationalize throws on anything that is not a rational function: no proof either way
        }
      }
    }
  } catch (err) {
    out = { id: request.id, zero: false, error: String(err && err.message) };
  }
  reply(out);
});
if (math) reply({ ready: true });
`;
