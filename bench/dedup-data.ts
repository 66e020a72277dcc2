// Deterministic data for the dedup benchmarks: a seeded generator (no downloads), compressible text-like blocks and
// incompressible ones.
import { createHash } from 'node:crypto';

/** A xorshift32 stream seeded by `seed`: fast, deterministic, and enough for test data. */
export function seededBytes(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < length; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

const WORDS = ['backup', 'tape', 'volume', 'record', 'server', 'index', 'catalog', 'the', 'of', 'and', 'retention', 'drive', 'library', 'block', 'file', 'daily'];

/** Text-like bytes (words and numbers from a seeded stream): LZ4 takes them to about a third. */
export function compressibleBlock(seed: number, length: number): Buffer {
  const random = seededBytes(seed, length);
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const r = random[i % length] ?? 0;
    const word = `${WORDS[r & 15] ?? 'x'}${r > 200 ? ` ${r * 37}\n` : ' '}`;
    parts.push(word);
    size += word.length;
  }
  return Buffer.from(parts.join(''), 'latin1').subarray(0, length);
}

export function incompressibleBlock(seed: number, length: number): Buffer {
  return seededBytes(seed + 0x10000, length);
}

/** A short fingerprint of bytes, for checks in the benchmark. */
export function fingerprint(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}
