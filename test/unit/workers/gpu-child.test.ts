import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childWorkerFlags, gpuChildLines } from '../../../workers/gpu-child.ts';

test('the child keeps connection, thread and timeout flags in both spellings, and drops what the parent sets', () => {
  const args = [
    '--queue',
    'all',
    '--address=temporal.example:7233',
    '--namespace',
    'research',
    '--tls',
    '--tls-ca',
    '/etc/ca.pem',
    '--task-queue',
    'gpu=gpu-a',
    '--task-queue=cpu=cpu-a',
    '--threads',
    '1',
    '--api-key-file=/run/key',
    '--one-process',
    '--gpu-processes',
    '2',
  ];
  assert.deepEqual(childWorkerFlags(args, {}), [
    '--namespace',
    'research',
    '--tls',
    '--tls-ca',
    '/etc/ca.pem',
    '--threads',
    '1',
    '--api-key-file=/run/key',
  ]);
});

test("metrics: the child's step metrics go over IPC, its runtime metrics one port above the parent's", () => {
  const args = ['--metrics-port', '9464', '--runtime-metrics-port=9465', '--metrics-host', '0.0.0.0'];
  assert.deepEqual(childWorkerFlags(args, { metrics: 9464, runtimeMetrics: 9465 }), [
    '--metrics-host',
    '0.0.0.0',
    '--metrics-to-parent',
    '--runtime-metrics-port',
    '9466',
  ]);
  assert.deepEqual(childWorkerFlags([], {}), []);
});

test("the child's output passes as it is, JSON lines included, but for its own polling line", () => {
  const json = '{"level":30,"msg":"step","run":"r1"}\n';
  const text = `worker: polling omni-zero-gpu, omni-zero-gpu-h-1-ab on 127.0.0.1:7233 (namespace default, plain text)\n${json}partial`;
  assert.equal(gpuChildLines(text), `${json}partial`);
  assert.equal(gpuChildLines(''), '');
});
