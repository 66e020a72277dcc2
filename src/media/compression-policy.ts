// When to spend LZ4 on a block (FORMAT.md "Compression"). Compressing costs about 0.6 CPU s/GB even when the result
// is thrown away, so, like an LTO drive that falls back to pass-through, a medium that has just seen a block not
// shrink first tries a small sample of the next blocks and compresses a whole block only when its sample shrinks.
// Which blocks are stored compressed is never visible to the host: only the stored size differs.
import { compress, compressSync } from 'lz4-napi';

/** Blocks shorter than this are stored as they are: LZ4 cannot win enough on them to pay for the call. */
export const MIN_COMPRESS_BYTES = 1024;
/** Bytes of a block tried while the stream looks incompressible. */
export const SAMPLE_BYTES = 4096;
/**
 * Blocks at least this long are compressed on the libuv thread pool: the event loop keeps serving the other drives'
 * network traffic meanwhile (the caller's block is not changed until the promise settles).
 */
export const THREAD_POOL_BYTES = 64 * 1024;
/** A block (or sample) "shrinks" when its compressed form is at most this fraction of it. */
const SHRINK_RATIO = 0.97;

export class CompressionPolicy {
  /** The last block tried did not shrink: try samples first. */
  private incompressible = false;

  /**
   * The compressed form of `block` when it is worth storing (shorter than the block), else undefined.
   * Never changes `block`.
   */
  async compress(block: Buffer): Promise<Buffer | undefined> {
    if (block.length < MIN_COMPRESS_BYTES) return undefined;
    if (this.incompressible && block.length > 2 * SAMPLE_BYTES) {
      // The middle of the block: headers at the start of a record say little about the rest of it.
      const start = (block.length - SAMPLE_BYTES) >>> 1;
      const sample = block.subarray(start, start + SAMPLE_BYTES);
      if (compressSync(sample).length > SAMPLE_BYTES * SHRINK_RATIO) return undefined;
    }
    const compressed = block.length >= THREAD_POOL_BYTES ? await compress(block) : compressSync(block);
    this.incompressible = compressed.length > block.length * SHRINK_RATIO;
    return compressed.length < block.length ? compressed : undefined;
  }
}
