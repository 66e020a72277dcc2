// When to spend LZ4 on a block (FORMAT.md "Compression"). Compressing costs about 0.6 CPU s/GB even when the result
// is thrown away, so, like an LTO drive that falls back to pass-through, a medium that has just seen a block not
// shrink first tries a small sample of the next blocks and compresses a whole block only when its sample shrinks.
// Which blocks are stored compressed is never visible to the host: only the stored size differs.
import { compressSync } from 'lz4-napi';

/** Blocks shorter than this are stored as they are: LZ4 cannot win enough on them to pay for the call. */
export const MIN_COMPRESS_BYTES = 1024;
/** Bytes of a block tried while the stream looks incompressible. */
export const SAMPLE_BYTES = 4096;
/** A block (or sample) "shrinks" when its compressed form is at most this fraction of it. */
const SHRINK_RATIO = 0.97;

/** While samples keep failing, up to this many blocks in a row are stored without even a sample. */
export const MAX_UNSAMPLED_BLOCKS = 8;

export class CompressionPolicy {
  /** The last block tried did not shrink: try samples first. */
  private incompressible = false;
  /** Blocks left to store without a sample, and how many the next failed sample skips (doubling up to the maximum). */
  private unsampled = 0;
  private backoff = 0;

  /** Whether compressing `block` is worth a try (it is long enough, and its sample shrinks after a block that did not). */
  worthTrying(block: Buffer): boolean {
    if (block.length < MIN_COMPRESS_BYTES) return false;
    if (this.incompressible && block.length > 2 * SAMPLE_BYTES) {
      if (this.unsampled > 0) {
        this.unsampled--;
        return false;
      }
      // The middle of the block: headers at the start of a record say little about the rest of it.
      const start = (block.length - SAMPLE_BYTES) >>> 1;
      const sample = block.subarray(start, start + SAMPLE_BYTES);
      if (compressSync(sample).length > SAMPLE_BYTES * SHRINK_RATIO) {
        // A stream of incompressible data (encrypted, already compressed): sample less and less often.
        this.backoff = Math.min(MAX_UNSAMPLED_BLOCKS, Math.max(1, this.backoff * 2));
        this.unsampled = this.backoff;
        return false;
      }
    }
    return true;
  }

  /** A block of `blockBytes` was tried and compressed to `compressedBytes` (elsewhere, e.g. on a worker). */
  observe(blockBytes: number, compressedBytes: number): void {
    this.incompressible = compressedBytes > blockBytes * SHRINK_RATIO;
    if (!this.incompressible) this.backoff = this.unsampled = 0;
  }
}
