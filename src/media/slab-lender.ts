// The read buffers of one mounted cartridge (FORMAT.md "Reading"): a record is read or decompressed into a slab lent
// to the caller, who gives it back (release) once the host has it, so a tape stream reuses a few buffers instead of
// allocating one per record. The invariant it owns: only slabs it lent are ever taken back, each at most once per
// lending, and at most FREE_SLABS plain and FREE_SHARED_SLABS shared ones are kept; after close() nothing more is
// kept (a slab still lent goes to the collector when released).
import { releaseMemoryNow } from '../release-memory.js';
import type { SharedSlabs } from './crypto/record-opener.js';

/** Read buffers kept for reuse per medium (a tape stream has one lent and one being filled at most). */
export const FREE_SLABS = 4;
/**
 * Shared ones kept: a sealed stream has up to three records out (one lent, SEALED_READ_AHEAD read ahead), each in the
 * slab it was read into and the one it was opened into.
 */
export const FREE_SHARED_SLABS = 8;

export type Slab = ArrayBuffer | SharedArrayBuffer;

export class SlabLender implements SharedSlabs {
  /** Slabs given back: plain ones for payloads read or copied, shared ones for what a worker writes into. */
  private readonly freeSlabs: ArrayBuffer[] = [];
  private readonly freeSharedSlabs: SharedArrayBuffer[] = [];
  /** Every slab lent: only these are ever recycled (never Node's shared pool nor a caller's buffer). */
  private readonly ours = new WeakSet<Slab>();
  private closed = false;

  /** A buffer of `length` bytes, from a returned slab when one fits without wasting more than half of it. */
  lend(length: number): Buffer {
    return this.lendFrom(this.freeSlabs, () => new ArrayBuffer(length), length);
  }

  /** Like lend(), in shared memory (what an LZ4 worker decompresses into, and the opener opens into). */
  lendShared(length: number): Buffer {
    return this.lendFrom(this.freeSharedSlabs, () => new SharedArrayBuffer(Math.max(length, 1)), length);
  }

  /** Give a slab back to its free list; a slab this lender did not lend, or one already there, is ignored. */
  recycle(slab: ArrayBufferLike): void {
    if (!this.ours.has(slab) || this.closed) return;
    const shared = slab instanceof SharedArrayBuffer;
    const free: Slab[] = shared ? this.freeSharedSlabs : this.freeSlabs;
    if (free.length < (shared ? FREE_SHARED_SLABS : FREE_SLABS) && !free.includes(slab)) free.push(slab);
  }

  /** A release function that gives `slab` back once, however often it is called. */
  releaser(slab: ArrayBufferLike): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.recycle(slab);
    };
  }

  /** Slabs kept for reuse now (plain, shared). */
  get kept(): { readonly plain: number; readonly shared: number } {
    return { plain: this.freeSlabs.length, shared: this.freeSharedSlabs.length };
  }

  /** The cartridge is unloaded: free the kept slabs, keep nothing from now on. */
  close(): void {
    this.closed = true;
    for (const slab of this.freeSlabs.splice(0)) releaseMemoryNow(slab);
    this.freeSharedSlabs.length = 0;
  }

  private lendFrom<T extends Slab>(free: T[], create: () => T, length: number): Buffer {
    const at = free.findIndex((slab) => slab.byteLength >= length && slab.byteLength <= 2 * length);
    const slab = at >= 0 ? free.splice(at, 1)[0] : create();
    this.ours.add(slab);
    return Buffer.from(slab, 0, length);
  }
}
