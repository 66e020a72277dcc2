// Test data for the media tests.

/** Deterministic bytes that LZ4 cannot shrink (xorshift32; every seed gives a different stream). */
export function noise(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
