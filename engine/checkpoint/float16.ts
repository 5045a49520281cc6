/**
 * IEEE half (F16) and bfloat16 (BF16) bit patterns to and from float32. Hugging Face checkpoints are mostly BF16;
 * tfjs computes in float32, so these run once at load (and at save when a smaller file is asked for).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** F16 bits → float32 (exact: every half value is a float32). */
export function f16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) out[i] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) out[i] = mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[i] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** BF16 bits → float32 (exact: BF16 is the top half of a float32). */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = bits[i] << 16;
  return new Float32Array(wide.buffer);
}

/** float32 → F16 bits, rounding to nearest even as numpy's `astype(float16)` does; overflow gives ±inf. */
export function f32ToF16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const b = u32[0];
    const sign = (b >>> 16) & 0x8000;
    const exp = (b >>> 23) & 0xff;
    const mant = b & 0x7fffff;
    if (exp === 0xff) {
      // numpy keeps the top payload bits of a NaN and never lets a NaN become inf.
      const nan = 0x7c00 + (mant >>> 13);
      out[i] = sign | (mant === 0 ? 0x7c00 : nan === 0x7c00 ? 0x7c01 : nan);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      // Subnormal half: m · 2^-24 with m = (1.mant) · 2^(e-14); below 2^-25 everything rounds to zero.
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      const full = mant | 0x800000;
      const shift = 14 - e;
      let m = full >>> shift;
      const rem = full & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && m & 1)) m++;
      out[i] = sign | m;
    } else {
      let h = (e << 10) | (mant >>> 13);
      const rem = mant & 0x1fff;
      // A carry out of the mantissa correctly bumps the exponent (and the largest values to inf).
      if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
      out[i] = sign | h;
    }
  }
  return out;
}

/** float32 → BF16 bits, rounding to nearest even (as PyTorch's `.to(torch.bfloat16)`); NaN stays a quiet NaN. */
export function f32ToBf16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const b = u32[0];
    if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) {
      out[i] = (b >>> 16) | 0x40;
      continue;
    }
    out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}
