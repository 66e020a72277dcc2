// The memory of the drive's data buffer (FORMAT.md "Writing"): the writer's staging chunks, made when first needed, up
// to a fixed number, and kept for reuse while the cartridge is mounted. It knows nothing of records; the writer keeps
// the order of the records and of their writes.
import { releaseMemoryNow } from '../release-memory.js';

/** Size of one staging chunk. */
export const STAGING_CHUNK_BYTES = 1024 * 1024;
/** Chunks per writer: at most this many bytes of acknowledged records wait for the file. */
export const STAGING_CHUNKS = 4;

/** A staging chunk being filled or waiting for the file. */
export interface Chunk {
  readonly buffer: Buffer;
  used: number;
  /** The record whose bytes start this chunk (it may have begun in an earlier one), and that record's offset. */
  firstObject: number; firstObjectOffset: number;
}

export class StagingChunks {
  private readonly spare: Buffer[] = [];
  private allocated = 0;

  /** Memory for a chunk: a spare one, a new one while under STAGING_CHUNKS, else undefined (every chunk is in use). */
  take(): Buffer | undefined {
    const spare = this.spare.pop();
    if (spare !== undefined || this.allocated >= STAGING_CHUNKS) return spare;
    this.allocated++;
    return Buffer.allocUnsafeSlow(STAGING_CHUNK_BYTES);
  }

  /** A chunk's memory is free again (written to the file, or its records dropped). */
  give(buffer: Buffer): void {
    this.spare.push(buffer);
  }

  /** Free the memory of every chunk: each must have been given back, and none is used again. */
  release(): void {
    for (const buffer of this.spare.splice(0)) releaseMemoryNow(buffer.buffer);
    this.allocated = 0;
  }
}
