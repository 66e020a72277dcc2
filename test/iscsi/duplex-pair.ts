// Two connected in-memory Duplex streams, optionally re-chunking what flows towards the target, so a connection
// can be fed one byte at a time or in random pieces. Like TCP, a side that does not read pushes back: a write
// completes only once the other side's readable buffer is under its high-water mark, so bytes queue up in the
// writer's writableLength (which is what the target's output bound watches).
import { Duplex } from 'node:stream';

/** One end: what it writes goes, re-chunked, into the peer's readable side. */
class End {
  readonly stream: Duplex;
  peer: End | undefined;
  /** The peer's write callback, held while this side's readable buffer is full. */
  private waiting: (() => void) | undefined;

  constructor(rechunk: (chunk: Buffer) => Buffer[]) {
    this.stream = new Duplex({
      read: () => {
        const w = this.waiting;
        this.waiting = undefined;
        w?.();
      },
      write: (chunk: Buffer, _enc, done) => {
        if (this.peer) this.peer.deliver(rechunk(chunk), done);
        else done();
      },
      final: (done) => {
        this.peer?.stream.push(null);
        done();
      },
      destroy: (err, done) => {
        this.peer?.stream.destroy();
        done(err);
      },
    });
  }

  /** Bytes from the peer; `done` (the peer's write completing) once this side has room again. */
  deliver(pieces: Buffer[], done: () => void): void {
    let room = true;
    for (const piece of pieces) room = this.stream.push(piece);
    if (room) done();
    else this.waiting = done;
  }
}

export function duplexPair(rechunk: (chunk: Buffer) => Buffer[] = (c) => [c]): { initiator: Duplex; target: Duplex } {
  const initiator = new End(rechunk);
  const target = new End((c) => [c]);
  initiator.peer = target;
  target.peer = initiator;
  return { initiator: initiator.stream, target: target.stream };
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
