// The local cache's size limit (FORMAT.md "Object store"): every cached segment counts as a whole segment. A segment
// needing room first evicts the least recently used clean segment (it is in the store and can be fetched again); a
// write that finds only dirty segments waits for the uploader (backpressure), and fails only when the store is down
// too, since then nothing will free room.
import { StorageError } from '../storage.js';

/** What the cache needs to know of a cached segment to evict it. */
export interface Evictable {
  readonly dirty: boolean;
  readonly pins: number;
  readonly lastUsed: number;
  /** Drop the local copy (close and remove its file); the segment is then read from the store. */
  evict(): Promise<void>;
}

export class CacheSpace {
  private readonly segments = new Set<Evictable>();
  private waiters: (() => void)[] = [];
  private clock = 0;

  constructor(
    readonly capacityBytes: number,
    readonly segmentBytes: number,
    /** Why the store cannot take uploads right now, or undefined when it can. */
    private readonly storeDown: () => string | undefined,
  ) {
    if (capacityBytes < 4 * segmentBytes) throw new RangeError(`Cannot use a cache of ${capacityBytes} bytes: it must hold at least four segments (${4 * segmentBytes} bytes)`);
  }

  get usedBytes(): number {
    return this.segments.size * this.segmentBytes;
  }

  /** A monotonic tick for `lastUsed`. */
  tick(): number {
    return ++this.clock;
  }

  /**
   * Room for one more segment, registered as `segment`. `wait`: a write, which waits for uploads when only dirty
   * segments are left and throws EIO when the store is down; otherwise (a read) returns false at once.
   */
  async admit(segment: Evictable, wait: boolean): Promise<boolean> {
    let sawDown = false;
    for (;;) {
      if (this.usedBytes + this.segmentBytes <= this.capacityBytes) {
        this.segments.add(segment);
        return true;
      }
      const victim = this.leastRecentlyUsedClean();
      if (victim !== undefined) {
        this.segments.delete(victim);
        await victim.evict();
        continue;
      }
      if (!wait) return false;
      // Down: wait for the uploader's next attempt (at most its longest backoff), and fail only if that failed too,
      // so that a write right after the store came back does not fail on old news.
      const down = this.storeDown();
      if (down !== undefined && sawDown) {
        throw new StorageError(`Cannot write: the local cache is full (${this.capacityBytes} bytes) of data not yet uploaded, and ${down}`, 'EIO');
      }
      sawDown = down !== undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Three quarters of the cache hold data not yet uploaded, or a writer waits for room: uploads must not wait any
   * more. Not sooner: a burst that fits in the cache is best streamed with the CPU to itself (FORMAT.md "Upload
   * timing and cost"); the last quarter is the time the uploads get to start before writes would have to wait.
   */
  pressed(): boolean {
    if (this.waiters.length > 0) return true;
    let dirty = 0;
    for (const s of this.segments) if (s.dirty) dirty++;
    return 4 * dirty * this.segmentBytes >= 3 * this.capacityBytes;
  }

  /** The segment left the cache (evicted by its owner, cut off, or its file removed). */
  forget(segment: Evictable): void {
    this.segments.delete(segment);
    this.changed();
  }

  /** A segment became clean, or the store's state changed: waiting writers look again. */
  changed(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private leastRecentlyUsedClean(): Evictable | undefined {
    let best: Evictable | undefined;
    for (const s of this.segments) {
      if (s.dirty || s.pins > 0) continue;
      if (best === undefined || s.lastUsed < best.lastUsed) best = s;
    }
    return best;
  }
}
