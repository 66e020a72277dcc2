// Two connected in-memory Duplex streams, optionally re-chunking what flows towards the target, so a connection
// can be fed one byte at a time or in random pieces.
import { Duplex } from 'node:stream';

export function duplexPair(rechunk: (chunk: Buffer) => Buffer[] = (c) => [c]): { initiator: Duplex; target: Duplex } {
  // The two ends refer to each other; `ends` is filled right after both exist.
  const ends: { initiator?: Duplex; target?: Duplex } = {};
  const initiator = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      for (const piece of rechunk(chunk)) ends.target?.push(piece);
      done();
    },
    final(done) {
      ends.target?.push(null);
      done();
    },
    destroy(err, done) {
      ends.target?.destroy();
      done(err);
    },
  });
  const target = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      ends.initiator?.push(chunk);
      done();
    },
    final(done) {
      ends.initiator?.push(null);
      done();
    },
    destroy(err, done) {
      ends.initiator?.destroy();
      done(err);
    },
  });
  ends.initiator = initiator;
  ends.target = target;
  return { initiator, target };
}

/** Split into 1-byte chunks. */
export function bytewise(chunk: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < chunk.length; i++) out.push(chunk.subarray(i, i + 1));
  return out;
}

/** Split at pseudo-random points from a seed (deterministic). */
export function randomSplits(seed: number): (chunk: Buffer) => Buffer[] {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  return (chunk) => {
    const out: Buffer[] = [];
    for (let at = 0; at < chunk.length; ) {
      const n = 1 + (next() % 700);
      out.push(chunk.subarray(at, at + n));
      at += n;
    }
    return out;
  };
}
