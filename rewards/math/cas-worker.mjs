// The CAS worker: runs mathjs `simplify` (and `rationalize` for polynomials) off the caller's thread so the caller
// can kill it at its deadline (measured: `rationalize('(x+1)^30 - (x^2+2x+1)^15')` does not return within minutes).
// Plain JavaScript so it starts without the TypeScript loader. Protocol: one request at a time on `port`; the reply
// is posted on `port`, then `signal[0]` is set to 1 and notified (the caller blocks in Atomics.wait).
import { workerData } from 'node:worker_threads';
import { parse, rationalize, simplify } from 'mathjs';

const { port, signal } = workerData;

function isZero(node) {
  return node.type === 'ConstantNode' && Number(node.value) === 0;
}

function proveZero(expression, tryRationalize) {
  const node = parse(expression);
  if (isZero(simplify(node))) return { zero: true, by: 'simplify' };
  if (tryRationalize) {
    try {
      if (isZero(rationalize(node))) return { zero: true, by: 'rationalize' };
    } catch {
      // rationalize throws on anything that is not a rational function: not a proof either way
    }
  }
  return { zero: false, by: 'simplify' };
}

port.on('message', (request) => {
  let reply;
  try {
    reply = { id: request.id, ...proveZero(request.expression, request.rationalize) };
  } catch (err) {
    reply = { id: request.id, zero: false, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
port.postMessage({ ready: true });
Atomics.store(signal, 0, 1);
Atomics.notify(signal, 0);
