// The segments of one file held in the local cache. Its invariant: a segment is in the set only while its local
// file exists and is admitted to the cache's size limit (cache-space.ts); it leaves the set, the limit and the disk
// together (evicted, cut off, replaced, or its file removed).
import type { LocalStorage } from '../local-storage.js';
import type { CacheSpace } from './cache-space.js';
import { CachedSegment } from './cached-segment.js';

export interface SegmentSetContext {
  readonly local: LocalStorage;
  readonly space: CacheSpace;
  nextLocalName(index: number): string;
}

export class SegmentSet {
  private readonly map = new Map<number, CachedSegment>();
  /** The folder was made once: a mkdir per 16 MiB segment showed in the write path's profile. */
  private folderMade = false;

  constructor(
    private readonly ctx: SegmentSetContext,
    /** The file's folder in the cache. */
    private readonly folder: string,
  ) {}

  get(index: number): CachedSegment | undefined {
    return this.map.get(index);
  }

  has(index: number): boolean {
    return this.map.has(index);
  }

  values(): IterableIterator<CachedSegment> {
    return this.map.values();
  }

  /** The dirty segments in ascending order (what the journal names and the uploader takes). */
  dirty(): CachedSegment[] {
    return [...this.map.values()].filter((s) => s.dirty).sort((a, b) => a.index - b.index);
  }

  /**
   * A new local file for segment `index` holding `data`, pinned and admitted to the cache, not yet in the set (add()
   * puts it there). `wait`: a write, which waits for room; a read gets undefined when the cache has none.
   */
  async create(index: number, data: Buffer, wait: boolean): Promise<CachedSegment | undefined> {
    if (!this.folderMade) await this.ctx.local.makeFolder(this.folder);
    this.folderMade = true;
    const localName = this.ctx.nextLocalName(index);
    const handle = await this.ctx.local.open(`${this.folder}/${localName}`, { create: true });
    const segment = new CachedSegment(index, localName, handle, data.length, (s) => this.drop(s));
    segment.lastUsed = this.ctx.space.tick();
    let admitted = false;
    try {
      admitted = await this.ctx.space.admit(segment, wait);
      if (admitted && data.length > 0) await handle.write([data], 0);
    } catch (error) {
      await this.discard(segment);
      throw error;
    }
    if (!admitted) {
      await this.discard(segment);
      return undefined;
    }
    return segment;
  }

  add(segment: CachedSegment): void {
    this.map.set(segment.index, segment);
  }

  /** The set becomes `fresh` (created, synced); returns the segments it held, for discard() once nothing names them. */
  swap(fresh: readonly CachedSegment[]): CachedSegment[] {
    const old = [...this.map.values()];
    this.map.clear();
    for (const segment of fresh) this.add(segment);
    return old;
  }

  /** Evicted or cut off: out of the set at once, then its local file goes. */
  async drop(segment: CachedSegment): Promise<void> {
    if (this.map.get(segment.index) === segment) this.map.delete(segment.index);
    await this.discard(segment);
  }

  /** A segment create() made and nobody will add(): out of the cache and off the disk. */
  async discard(segment: CachedSegment): Promise<void> {
    this.ctx.space.forget(segment);
    await segment.handle.close().catch(() => undefined);
    await this.ctx.local.removeFile(`${this.folder}/${segment.localName}`);
  }

  /** Close every local file and leave the cache's count (the files stay on disk: the journal may name them). */
  async release(): Promise<void> {
    for (const segment of [...this.map.values()]) {
      this.map.delete(segment.index);
      this.ctx.space.forget(segment);
      await segment.handle.close().catch(() => undefined);
    }
  }
}
