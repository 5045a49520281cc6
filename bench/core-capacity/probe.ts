/**
 * One pinned process's share of the core-capacity probe (bench/core-capacity.ts): the decoding step's main kernel —
 * a [rows × d] @ [d × f] matmul of the fan-out bench's 6.3 M model — in a loop on the native backend with one
 * thread, for a fixed time. Prints `{"matmulsPerSec": …}`.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/backend.ts';

const [seconds = '3', rows = '64', d = '256', f = '768'] = process.argv.slice(2);
await initBackend();
const a = tf.randomUniform([Number(rows), Number(d)]);
const b = tf.randomUniform([Number(d), Number(f)]);
tf.matMul(a, b).dataSync(); // the first call loads kernels: not timed
const until = performance.now() + Number(seconds) * 1000;
let n = 0;
const started = performance.now();
while (performance.now() < until) {
  const c = tf.matMul(a, b);
  c.dataSync();
  c.dispose();
  n++;
}
console.log(JSON.stringify({ matmulsPerSec: n / ((performance.now() - started) / 1000) }));
