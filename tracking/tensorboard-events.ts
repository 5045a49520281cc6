/**
 * TensorBoard event files: scalar summaries as `Event` protos (tensorflow/core/util/event.proto, the fields TensorBoard
 * reads for scalars) encoded by protobufjs, framed as TFRecords (length, masked CRC-32C of the length, data, masked
 * CRC-32C of the data), the format `tf.summary` writes and TensorBoard's event reader checks. The encodings come from
 * maintained libraries (protobufjs, @node-rs/crc32's hardware CRC-32C); no maintained JavaScript event writer runs
 * without the native TensorFlow backend (tfjs-node's `summaryFileWriter` needs it, and I/O and wasm workers track too).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    Event: {
      fields: {
        wallTime: { type: 'double', id: 1 },
        step: { type: 'int64', id: 2 },
        fileVersion: { type: 'string', id: 3 },
        summary: { type: 'Summary', id: 5 },
      },
    },
    Summary: {
      fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
      // simple_value sits in a oneof (as in summary.proto), which gives it presence: a 0 is written, not dropped.
      nested: {
        Value: {
          oneofs: { value: { oneof: ['simpleValue'] } },
          fields: { tag: { type: 'string', id: 1 }, simpleValue: { type: 'float', id: 2 } },
        },
      },
    },
  },
});
const EventType = root.lookupType('Event');

/** TFRecord's masked CRC: rotate right by 15 and add a constant (tensorflow/core/lib/hash/crc32c.h). */
function maskedCrc(bytes: Uint8Array): number {
  const c = crc32c(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

export function tfRecord(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc(data), 0);
  return Buffer.concat([header, data, footer]);
}

function event(fields: Record<string, unknown>): Uint8Array {
  return EventType.encode(EventType.fromObject(fields)).finish();
}

/**
 * Appends scalars to one event file of `dir` per writer (TensorBoard reads every `events.out.tfevents.*` file of a
 * folder as one run, so several worker processes each keep their own file).
 */
export class EventFileWriter {
  readonly file: string;
  private started: Promise<void> | null = null;

  constructor(readonly dir: string) {
    const now = Date.now();
    this.file = path.join(
      dir,
      `events.out.tfevents.${Math.floor(now / 1000)}.${os.hostname()}.${process.pid}.${now % 1000}`
    );
  }

  /** One Event per call holding every scalar at `step`. */
  async scalars(step: number, values: { tag: string; value: number }[], wallTimeMs = Date.now()): Promise<void> {
    this.started ??= mkdir(this.dir, { recursive: true }).then(() =>
      appendFile(this.file, tfRecord(event({ wallTime: wallTimeMs / 1000, fileVersion: 'brain.Event:2' })))
    );
    try {
      await this.started;
    } catch (err) {
      this.started = null;
      throw err;
    }
    const summary = { value: values.map((v) => ({ tag: v.tag, simpleValue: v.value })) };
    await appendFile(this.file, tfRecord(event({ wallTime: wallTimeMs / 1000, step, summary })));
  }
}
