import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../../engine/checkpoint/float16.ts';
import {
  DTYPE_SIZE,
  type Dtype,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensorsFile,
  readSafetensorsHeader,
  type SafetensorsTensor,
  type TensorData,
  toFloat32,
  toInt32,
  writeSafetensorsFile,
} from '../../../engine/checkpoint/safetensors.ts';
import { requirePython, runPython } from '../../helpers/python.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-safetensors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Any well-formed Unicode string (fast-check's `unit: 'binary'` strings are ~40× slower to generate). */
const unicodeString = (maxLength = 30) =>
  fc
    .array(
      fc.oneof(
        fc.integer({ min: 0x20, max: 0x7e }),
        fc.integer({ min: 0, max: 0xd7ff }),
        fc.integer({ min: 0xe000, max: 0x10ffff })
      ),
      { maxLength }
    )
    .map((cps) => String.fromCodePoint(...cps));

const f32 = (shape: number[], values: number[]): SafetensorsTensor => ({
  dtype: 'F32',
  shape,
  data: Float32Array.from(values),
});

test('one F32 tensor serialises to the exact bytes of the reference crate (its test_serialization)', () => {
  // The reference's expected bytes: N = 64 (a 59-byte JSON header padded with 5 spaces... here exactly 64 with no
  // padding: {"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}} is 64 bytes), then 0..5 as f32 LE.
  const out = encodeSafetensors({ 'attn.0': f32([1, 2, 3], [0, 1, 2, 3, 4, 5]) });
  const expected = [
    64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34,
    70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95,
    111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64,
    0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
  ];
  assert.deepEqual([...out], expected);
});

test('a header whose JSON is not a multiple of 8 bytes is padded with spaces (reference test_serialization_forced_alignement)', () => {
  // '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}' is 65 bytes → padded with 7 spaces to 72.
  const out = encodeSafetensors({ attn0: f32([1, 1, 2, 3], [0, 1, 2, 3, 4, 5]) });
  assert.equal(out.readBigUInt64LE(0), 72n);
  assert.equal(out.subarray(8 + 65, 8 + 72).toString('latin1'), '       ');
  assert.equal(out.length, 8 + 72 + 24);
});

test('empty file with metadata matches the reference (test_empty): {"__metadata__":{"framework":"pt"}} + 5 spaces', () => {
  const out = encodeSafetensors({}, { framework: 'pt' });
  // 35 bytes of JSON → 40 after padding.
  assert.equal(out.readBigUInt64LE(0), 40n);
  assert.equal(out.subarray(8).toString('latin1'), '{"__metadata__":{"framework":"pt"}}     ');
  assert.deepEqual(decodeSafetensors(out).metadata, { framework: 'pt' });
});

test('tensors are laid out by descending dtype alignment, then by name', () => {
  const out = encodeSafetensors({
    b: { dtype: 'U8', shape: [3], data: Uint8Array.from([1, 2, 3]) },
    z: f32([1], [1]),
    a: f32([2], [1, 2]),
    i: { dtype: 'I64', shape: [1], data: BigInt64Array.from([7n]) },
  });
  const header = JSON.parse(out.subarray(8, 8 + Number(out.readBigUInt64LE(0))).toString());
  // I64 (8 bytes) first at [0,8), then F32 a [8,16) and z [16,20), then U8 b [20,23).
  assert.deepEqual(Object.keys(header), ['i', 'a', 'z', 'b']);
  assert.deepEqual(header.a.data_offsets, [8, 16]);
  assert.deepEqual(header.b.data_offsets, [20, 23]);
});

const ELEMENT: Record<Dtype, fc.Arbitrary<number | bigint>> = {
  BOOL: fc.integer({ min: 0, max: 1 }),
  U8: fc.integer({ min: 0, max: 255 }),
  I8: fc.integer({ min: -128, max: 127 }),
  F8_E5M2: fc.integer({ min: 0, max: 255 }),
  F8_E4M3: fc.integer({ min: 0, max: 255 }),
  I16: fc.integer({ min: -32768, max: 32767 }),
  U16: fc.integer({ min: 0, max: 65535 }),
  F16: fc.integer({ min: 0, max: 65535 }),
  BF16: fc.integer({ min: 0, max: 65535 }),
  I32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  U32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  F32: fc.float({ noNaN: true }),
  F64: fc.double({ noNaN: true }),
  I64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  U64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
};
const ARRAYS: Record<Dtype, { from(v: ArrayLike<any>): TensorData }> = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  F8_E5M2: Uint8Array,
  F8_E4M3: Uint8Array,
  I16: Int16Array,
  U16: Uint16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  F32: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
};

const tensorArb: fc.Arbitrary<SafetensorsTensor> = fc
  .record({
    dtype: fc.constantFrom(...(Object.keys(DTYPE_SIZE) as Dtype[])),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  })
  .chain(({ dtype, shape }) =>
    fc
      .array(ELEMENT[dtype], {
        minLength: shape.reduce((a, b) => a * b, 1),
        maxLength: shape.reduce((a, b) => a * b, 1),
      })
      .map((values) => ({ dtype, shape, data: ARRAYS[dtype].from(values) }))
  );

test('property: encode → decode gives back every tensor and the metadata; data starts 8-byte aligned', () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        unicodeString().filter((s) => s !== '' && s !== '__metadata__'),
        tensorArb,
        {
          maxKeys: 6,
        }
      ),
      fc.option(fc.dictionary(fc.string(), unicodeString()), { nil: undefined }),
      (tensors, metadata) => {
        const bytes = encodeSafetensors(tensors, metadata);
        const headerLength = Number(bytes.readBigUInt64LE(0));
        assert.equal(headerLength % 8, 0);
        const back = decodeSafetensors(bytes);
        assert.deepEqual(back.metadata, { ...metadata });
        assert.deepEqual(new Set(back.tensors.keys()), new Set(Object.keys(tensors)));
        for (const [name, t] of Object.entries(tensors)) {
          const got = back.tensors.get(name)!;
          assert.equal(got.dtype, t.dtype);
          assert.deepEqual(got.shape, t.shape);
          assert.deepEqual(got.data, t.data);
        }
      }
    ),
    { numRuns: 150 }
  );
});

test('corrupt files fail with a message that says what is wrong', () => {
  const good = encodeSafetensors({ w: f32([2, 2], [1, 2, 3, 4]) });
  assert.throws(() => decodeSafetensors(good.subarray(0, 5)), /only 5 bytes/);
  assert.throws(() => decodeSafetensors(good.subarray(0, good.length - 4)), /truncated or has trailing bytes/);
  assert.throws(() => decodeSafetensors(Buffer.concat([good, Buffer.from([0])])), /truncated or has trailing bytes/);
  const huge = Buffer.from(good);
  huge.writeBigUInt64LE(2n ** 40n, 0);
  assert.throws(() => decodeSafetensors(huge), /exceeds 100000000 bytes/);
  const past = Buffer.from(good);
  past.writeBigUInt64LE(1000n, 0);
  assert.throws(() => decodeSafetensors(past), /runs past the end/);
  const notJson = Buffer.from(good);
  notJson.write('x', 8);
  assert.throws(() => decodeSafetensors(notJson), /not valid UTF-8 JSON/);

  const withHeader = (header: object, dataBytes: number) => {
    const text = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(text.length));
    return Buffer.concat([len, text, Buffer.alloc(dataBytes)]);
  };
  assert.throws(
    () => decodeSafetensors(withHeader({ w: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12)),
    /data_offsets \[4, 12\] but the previous tensor ends at 0/
  );
  assert.throws(
    () => decodeSafetensors(withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8)),
    /F32 \[3\] = 12 bytes but its data_offsets span 8/
  );
  assert.throws(
    () => decodeSafetensors(withHeader({ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1)),
    /unsupported dtype "Q4"/
  );
});

test('writing refuses a tensor whose data does not match its dtype or shape', () => {
  assert.throws(
    () => encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: Float64Array.from([1, 2]) } }),
    /is F32 but its data is a Float64Array; pass a Float32Array/
  );
  assert.throws(() => encodeSafetensors({ w: f32([2, 2], [1, 2, 3]) }), /shape \[2,2\] \(4 elements\) but 3 values/);
  assert.throws(() => encodeSafetensors({ __metadata__: f32([1], [1]) }), /reserved/);
});

test('F16 and BF16 conversions match hand-computed bit patterns', () => {
  // F16: 1.0 = 0 01111 0000000000 = 0x3c00; -2 = 0xc000; 65504 is the largest half (0x7bff); 65520 is halfway to
  // 65536 and rounds (to even) up to inf 0x7c00; 2^-24 is the smallest subnormal 0x0001; 2^-25 is halfway to 0 and
  // rounds to even (0); 1 + 2^-11 is halfway between 1 and 1 + 2^-10 and rounds to even (1.0 = 0x3c00);
  // 1 + 3·2^-11 rounds up to 1 + 2^-9 = 0x3c02.
  const values = Float32Array.from([1, -2, 65504, 65520, 2 ** -24, 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11]);
  assert.deepEqual([...f32ToF16(values)], [0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x3c00, 0x3c02]);
  assert.deepEqual(
    [...f16ToF32(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0xfc00]))],
    [1, -2, 65504, 2 ** -24, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
  );
  assert.ok(Number.isNaN(f16ToF32(Uint16Array.from([0x7e00]))[0]));
  // BF16 is the top 16 bits: 1.0 = 0x3f80, -2 = 0xc000; 1 + 2^-8 (bits 0x3f808000) is halfway and rounds to even 0x3f80;
  // 1 + 3·2^-8 (0x3f818000) rounds up to 0x3f82.
  assert.deepEqual(
    [...f32ToBf16(Float32Array.from([1, -2, 1 + 2 ** -8, 1 + 3 * 2 ** -8]))],
    [0x3f80, 0xc000, 0x3f80, 0x3f82]
  );
  assert.deepEqual([...bf16ToF32(Uint16Array.from([0x3f80, 0xc000, 0x4049]))], [1, -2, 3.140625]);
});

test('exhaustive: every non-NaN F16 and BF16 bit pattern survives widening to float32 and rounding back', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const isNan16 = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
  const isNanBf = (b: number) => (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
  const f16Back = f32ToF16(f16ToF32(all));
  const bfBack = f32ToBf16(bf16ToF32(all));
  for (let i = 0; i < 65536; i++) {
    if (!isNan16(i)) assert.equal(f16Back[i], i, `F16 0x${i.toString(16)}`);
    else assert.ok(isNan16(f16Back[i]), `F16 NaN 0x${i.toString(16)} stays NaN`);
    if (!isNanBf(i)) assert.equal(bfBack[i], i, `BF16 0x${i.toString(16)}`);
    else assert.ok(isNanBf(bfBack[i]), `BF16 NaN 0x${i.toString(16)} stays NaN`);
  }
});

test('toFloat32 widens half types and toInt32 narrows 64-bit ints, refusing what does not fit', () => {
  assert.deepEqual([...toFloat32({ dtype: 'BF16', shape: [1], data: Uint16Array.from([0x3f80]) })], [1]);
  assert.deepEqual([...toInt32({ dtype: 'I64', shape: [2], data: BigInt64Array.from([-5n, 7n]) })], [-5, 7]);
  assert.throws(
    () => toInt32({ dtype: 'I64', shape: [1], data: BigInt64Array.from([2n ** 40n]) }, 'pos'),
    /'pos'.*int32/
  );
  assert.throws(() => toFloat32({ dtype: 'I32', shape: [1], data: Int32Array.from([1]) }, 'ids'), /'ids' is I32/);
});

test('files: header-only read, selective read, and atomic write', async () => {
  const file = path.join(dir, 'sel.safetensors');
  await writeSafetensorsFile(file, { a: f32([2], [1, 2]), b: f32([1], [3]) }, { format: 'pt' });
  const header = await readSafetensorsHeader(file);
  assert.deepEqual([...header.entries.keys()], ['a', 'b']);
  assert.equal(header.dataStart % 8, 0);
  const { tensors, metadata } = await readSafetensorsFile(file, ['b']);
  assert.deepEqual([...tensors.keys()], ['b']);
  assert.deepEqual([...tensors.get('b')!.data], [3]);
  assert.deepEqual(metadata, { format: 'pt' });
  await assert.rejects(readSafetensorsFile(file, ['nope']), /has no tensor 'nope'/);
  assert.deepEqual(readFileSync(file), encodeSafetensors({ a: f32([2], [1, 2]), b: f32([1], [3]) }, { format: 'pt' }));
});

const PY_READ = `
import json, sys
import numpy as np
from safetensors import deserialize, safe_open
path = sys.argv[1]
out = {}
# deserialize() is the reference parser: it validates offsets and returns raw bytes for every dtype (numpy has no bf16).
for name, t in deserialize(open(path, 'rb').read()):
    raw = bytes(t['data'])
    if t['dtype'] == 'BF16':
        vals = (np.frombuffer(raw, dtype='<u2').astype('<u4') << 16).view('<f4')
    else:
        vals = None
    out[name] = {'dtype': t['dtype'], 'shape': list(t['shape']), 'bf16': None if vals is None else vals.tolist()}
meta = None
if all(t['dtype'] != 'BF16' for t in out.values()):
    with safe_open(path, framework='np') as f:
        meta = f.metadata()
        for name in f.keys():
            out[name]['values'] = f.get_tensor(name).ravel().tolist()
print(json.dumps({'tensors': out, 'metadata': meta}))
`;

test('Python safetensors reads what we write: same names, dtypes, shapes, values and metadata', async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  const file = path.join(dir, 'ts-written.safetensors');
  const w = Float32Array.from([0.5, -1.25, 3e-8, 1e30, -0, 7]);
  await writeSafetensorsFile(
    file,
    {
      'model.layers.0.mlp.up_proj.weight': { dtype: 'F32', shape: [2, 3], data: w },
      half: { dtype: 'F16', shape: [3], data: f32ToF16(Float32Array.from([1, -2, 0.0999755859375])) },
      step: { dtype: 'I64', shape: [], data: BigInt64Array.from([42n]) },
      ids: { dtype: 'I32', shape: [4], data: Int32Array.from([0, -1, 2 ** 31 - 1, 5]) },
    },
    { format: 'pt', note: 'héllo "quoted"' }
  );
  const got = JSON.parse(runPython(python, PY_READ, [file]));
  assert.deepEqual(got.metadata, { format: 'pt', note: 'héllo "quoted"' });
  const ts = got.tensors;
  assert.deepEqual(ts['model.layers.0.mlp.up_proj.weight'], {
    dtype: 'F32',
    shape: [2, 3],
    bf16: null,
    values: [...w],
  });
  assert.deepEqual(ts.half.values, [1, -2, 0.0999755859375]);
  assert.equal(ts.half.dtype, 'F16');
  assert.deepEqual(ts.step, { dtype: 'I64', shape: [], bf16: null, values: [42] });
  assert.deepEqual(ts.ids.values, [0, -1, 2 ** 31 - 1, 5]);

  // numpy has no bfloat16, so safe_open(framework='np') refuses such files; the reference parser reads them.
  const bfFile = path.join(dir, 'ts-written-bf16.safetensors');
  await writeSafetensorsFile(bfFile, {
    brain: { dtype: 'BF16', shape: [2], data: f32ToBf16(Float32Array.from([1, 3.140625])) },
  });
  const bf = JSON.parse(runPython(python, PY_READ, [bfFile]));
  assert.deepEqual(bf.tensors.brain, { dtype: 'BF16', shape: [2], bf16: [1, 3.140625] });
});

const PY_WRITE = `
import sys
import numpy as np
from safetensors import TensorSpec, serialize_file
from safetensors.numpy import save_file
out = sys.argv[1]
rng = np.random.default_rng(0)
tensors = {
  'w': np.array([[0.5, -1.25, 3.0], [1e-3, 2e5, -7.0]], dtype=np.float32),
  'h': np.array([1.0, -2.0, 65504.0, 2**-24], dtype=np.float16),
  'd': np.array([0.1], dtype=np.float64),
  'n': np.array([-3, 2**40], dtype=np.int64),
  'b': np.array([1, 0, 1], dtype=np.uint8),
}
save_file(tensors, out + '.np.safetensors', metadata={'format': 'pt'})
# numpy has no bfloat16: the reference's own serialize_file takes raw bytes for it.
bf = (np.array([1.0, -2.5, 3.140625], dtype=np.float32).view(np.uint32) >> 16).astype('<u2')
spec = TensorSpec(dtype='bfloat16', shape=[3], data_ptr=bf.ctypes.data, data_len=bf.nbytes)
serialize_file({'bf': spec}, out + '.bf16.safetensors', metadata=None)
`;

test('we read what Python safetensors writes (F32, F16, F64, I64, U8, BF16) and write the same bytes back', async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  const base = path.join(dir, 'py-written');
  runPython(python, PY_WRITE, [base]);
  const { tensors, metadata } = await readSafetensorsFile(`${base}.np.safetensors`);
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual(tensors.get('w')!.shape, [2, 3]);
  assert.deepEqual([...toFloat32(tensors.get('w')!)], [...Float32Array.from([0.5, -1.25, 3, 1e-3, 2e5, -7])]);
  assert.deepEqual([...toFloat32(tensors.get('h')!)], [1, -2, 65504, 2 ** -24]);
  assert.deepEqual([...toFloat32(tensors.get('d')!)], [Math.fround(0.1)]);
  assert.deepEqual([...(tensors.get('n')!.data as BigInt64Array)], [-3n, 2n ** 40n]);
  assert.deepEqual([...tensors.get('b')!.data], [1, 0, 1]);
  // Re-encoding what we read with the same single metadata key reproduces Python's file byte for byte.
  assert.deepEqual(encodeSafetensors(tensors, metadata), readFileSync(`${base}.np.safetensors`));

  const bf = await readSafetensorsFile(`${base}.bf16.safetensors`);
  assert.equal(bf.tensors.get('bf')!.dtype, 'BF16');
  assert.deepEqual([...toFloat32(bf.tensors.get('bf')!)], [1, -2.5, 3.140625]);
  assert.deepEqual(encodeSafetensors(bf.tensors), readFileSync(`${base}.bf16.safetensors`));
});

test('F16 rounding agrees with numpy on random and edge values', async (t) => {
  const python = await requirePython(t);
  if (!python) return;
  const values = fc.sample(fc.float({ noNaN: true }), { numRuns: 2000, seed: 7 });
  values.push(65519.998, 65520, 2 ** -25, 2 ** -25 * 1.0001, 3 * 2 ** -26, 2 ** -24, -0);
  // Raw float32 bytes, not JSON: JSON turns -0 into 0 and ±inf into null.
  const input = path.join(dir, 'f16-in.f32');
  writeFileSync(input, new Uint8Array(Float32Array.from(values).buffer));
  const script = `
import json, sys
import numpy as np
v = np.fromfile(sys.argv[1], dtype='<f4')
with np.errstate(over='ignore'):
    print(json.dumps(v.astype(np.float16).view(np.uint16).tolist()))
`;
  const expected: number[] = JSON.parse(runPython(python, script, [input]));
  assert.deepEqual([...f32ToF16(Float32Array.from(values))], expected);
});

test('a metadata key named __proto__ survives the round trip (found by the property test, seed 792619309)', () => {
  const metadata = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string>;
  const back = decodeSafetensors(encodeSafetensors(new Map(), metadata)).metadata;
  assert.deepEqual(Object.keys(back), ['__proto__', 'a']);
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
});
