// Reusable data-out buffers for one session. A tape stream sends the same WRITE size again and again; a fresh
// multi-hundred-KiB Buffer per command is external memory to V8, which answers with full mark-compact collections.
// Slabs are powers of two from MIN_POOLED_BYTES on; a buffer handed out is a view of exactly the length asked for.
// A buffer goes back only through release(), which the session calls once the device has finished with the
// command (its promise settled) or it never reached the device; a buffer never released is simply collected.

/** Smaller buffers come from Node's own allocator (its 8 KiB pool or a small ArrayBuffer). */
export const MIN_POOLED_BYTES = 64 * 1024;
/** Larger buffers are allocated and dropped each time (rare: above MaxBurstLength-sized tape records). */
export const MAX_POOLED_BYTES = 16 * 1024 * 1024;
/** Free slabs kept per session, in bytes: bounds the memory an idle session holds. */
export const MAX_FREE_BYTES = 8 * 1024 * 1024;

function slabSize(length: number): number {
  return 2 ** Math.ceil(Math.log2(length));
}

import { releaseMemoryNow } from '../release-memory.js';

export class BufferPool {
  /** Free slabs by size. */
  private readonly free = new Map<number, ArrayBuffer[]>();
  private freeBytes = 0;
  private disposed = false;
  /** Slabs handed out and not yet released: release() ignores anything else, and a second release. */
  private readonly lent = new Set<ArrayBuffer>();

  /** A buffer of exactly `length` bytes, contents undefined. */
  acquire(length: number): Buffer {
    if (length < MIN_POOLED_BYTES || length > MAX_POOLED_BYTES) return Buffer.allocUnsafe(length);
    const size = slabSize(length);
    let slab = this.free.get(size)?.pop();
    if (slab === undefined) slab = new ArrayBuffer(size);
    else this.freeBytes -= size;
    this.lent.add(slab);
    return Buffer.from(slab, 0, length);
  }

  /** Give back a buffer from acquire(); the caller must not use it afterwards. Anything else is ignored. */
  release(buffer: Buffer | undefined): void {
    if (buffer === undefined || buffer.byteOffset !== 0) return;
    const slab = buffer.buffer;
    if (!(slab instanceof ArrayBuffer) || !this.lent.delete(slab) || this.disposed) return;
    if (this.freeBytes + slab.byteLength > MAX_FREE_BYTES) return;
    let list = this.free.get(slab.byteLength);
    if (list === undefined) this.free.set(slab.byteLength, (list = []));
    list.push(slab);
    this.freeBytes += slab.byteLength;
  }

  /** The session is over: free the slabs held now; slabs still lent are dropped when they come back. */
  dispose(): void {
    this.disposed = true;
    for (const list of this.free.values()) for (const slab of list.splice(0)) releaseMemoryNow(slab);
    this.freeBytes = 0;
  }

  /** Bytes of free slabs held (for tests). */
  get heldBytes(): number {
    return this.freeBytes;
  }
}
