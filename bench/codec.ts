/**
 * `npm run bench -- codec`: the price of encrypted payloads. Per payload of the sizes that cross Temporal (a step's
 * summaries are a few hundred bytes, the design bound is 64 KB), the codec's encode + decode (AES-256-GCM, protobuf
 * wrap) against the SDK's own JSON conversion of the same value in the same run, and the bytes it adds.
 * Question answered: does turning the codec on move the orchestration overhead per step (docs/BENCHMARKS.md)?
 */
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { keyRingFromList } from '../encryption/index.ts';
import { EncryptionCodec } from '../workers/encryption-codec.ts';
import { machineInfo } from './machine.ts';

const ROUNDS = Number(process.argv[3] ?? 5);
const codec = new EncryptionCodec(keyRingFromList(`bench:${Buffer.alloc(32, 5).toString('base64')}`));

/** A step-summary-like object whose JSON is about `bytes` long. */
function summaryOfSize(bytes: number) {
  const metrics = Array.from({ length: Math.max(1, Math.round(bytes / 30)) }, (_, i) => [`metric_${i}`, i / 7]);
  return { step: 12, task: 'math', metrics: Object.fromEntries(metrics) };
}

/** Median over rounds of µs per call; each round runs `fn` until ≥ 100 ms have passed. */
async function timeUs(fn: () => Promise<unknown> | unknown): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let runs = 0;
    const start = process.hrtime.bigint();
    while (process.hrtime.bigint() - start < 100_000_000n) {
      await fn();
      runs++;
    }
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / runs);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

const wireBytes = (p: proto.temporal.api.common.v1.IPayload) =>
  proto.temporal.api.common.v1.Payload.encode(p).finish().length;

const cases = [];
for (const size of [300, 4096, 65536]) {
  const value = summaryOfSize(size);
  const plain = defaultPayloadConverter.toPayload(value);
  const [sealed] = await codec.encode([plain]);
  const jsonUs = await timeUs(() => defaultPayloadConverter.fromPayload(defaultPayloadConverter.toPayload(value)));
  const codecUs = await timeUs(async () => codec.decode(await codec.encode([plain])));
  cases.push({
    payloadBytes: wireBytes(plain),
    encryptedBytes: wireBytes(sealed),
    jsonRoundTripUs: Number(jsonUs.toFixed(2)),
    codecRoundTripUs: Number(codecUs.toFixed(2)),
    codecOverJson: Number((codecUs / jsonUs).toFixed(2)),
  });
}
console.log(JSON.stringify({ area: 'codec', machine: machineInfo(), rounds: ROUNDS, cases }, null, 2));
