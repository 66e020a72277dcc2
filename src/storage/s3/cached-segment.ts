// One segment of a file held in the local cache: a local file in the file's cache folder, beside its journal.
import type { RandomAccessFile } from '../storage.js';
import type { Evictable } from './cache-space.js';

export class CachedSegment implements Evictable {
  /** Changed since its last upload (or never uploaded): it must not be evicted, and the journal names it. */
  dirty = false;
  /** Readers, writers and the uploader using it right now: eviction skips a pinned segment. */
  pins = 1;
  lastUsed = 0;
  /** Counts writes, so the uploader knows whether what it uploaded is still the segment's content. */
  modified = 0;
  /** `modified` at the last fdatasync of the local file. */
  syncedModified = 0;

  constructor(
    readonly index: number,
    /** The local file's name inside the file's cache folder (unique in the process: never reused). */
    readonly localName: string,
    readonly handle: RandomAccessFile,
    /** Bytes in the local file. */
    public size: number,
    private readonly drop: (segment: CachedSegment) => Promise<void>,
  ) {}

  evict(): Promise<void> {
    return this.drop(this);
  }

  unpin(): void {
    this.pins--;
  }
}
