// One file of the S3 storage as the process sees it (FORMAT.md "Object store"): its length, the segments held in
// the local cache (dirty ones not yet uploaded), and its journal, the local record that makes flushed data durable
// before it reaches the store. The file is authoritative once loaded: every change goes through it, and the
// uploader (uploader.ts) brings the store up to date behind it.
import { SerialQueue } from '../../serial-queue.js';
import type { Logger } from '../../log.js';
import { StorageError } from '../storage.js';
import type { LocalStorage } from '../local-storage.js';
import { withBackoff, type BackoffOptions } from './backoff.js';
import type { CacheSpace } from './cache-space.js';
import { CachedSegment } from './cached-segment.js';
import { JOURNAL_NAME, encodeJournal } from './journal.js';
import type { ObjectStore, PutRetention } from './object-store.js';
import { layoutFromListing, parseSegmentName, segmentCount, segmentKey } from './segment-layout.js';
import { sliceBuffers } from './slice-buffers.js';

/** Segments fetched ahead of a read from the store: two GETs in flight stream faster than one (FORMAT.md). */
const READ_AHEAD_SEGMENTS = 2;

export interface CachedFileContext {
  readonly store: ObjectStore;
  readonly local: LocalStorage;
  readonly space: CacheSpace;
  readonly segmentBytes: number;
  readonly log: Logger;
  /** Attempts for a read that must go to the store (then MEDIUM ERROR upstream). */
  readonly readAttempts: number;
  keyOf(path: string): string;
  retention(): PutRetention | undefined;
  requestUpload(file: CachedFile): void;
  nextLocalName(index: number): string;
}

export class CachedFile {
  readonly segments = new Map<number, CachedSegment>();
  private readonly fetching = new Map<number, Promise<Buffer>>();
  /** Segment acquisition (fetch + install), cuts and replacements: one at a time per file. */
  private readonly acquireQueue = new SerialQueue();
  private readonly journalQueue = new SerialQueue();
  private journalStale = false;
  /** Bumped by every cut and replacement: a read-ahead fetched before one is stale. */
  private generation = 0;
  removed = false;

  constructor(
    readonly path: string,
    private readonly ctx: CachedFileContext,
    public length: number,
    /** The store may hold segments past the end (a cut not yet applied there, or garbage of a crash). */
    public trimPending: boolean,
  ) {}

  /** The file as the store holds it, or undefined when it has no segment 0. */
  static async load(path: string, ctx: CachedFileContext): Promise<CachedFile | undefined> {
    const key = ctx.keyOf(path);
    const objects = await withBackoff(() => ctx.store.listAll(`${key}/`), { attempts: ctx.readAttempts });
    const sizes = new Map<number, number>();
    for (const o of objects) {
      const index = parseSegmentName(o.key.slice(key.length + 1));
      if (index !== undefined) sizes.set(index, o.size);
    }
    const layout = layoutFromListing(sizes, ctx.segmentBytes);
    if (layout === undefined) return undefined;
    const file = new CachedFile(path, ctx, layout.length, layout.garbage.length > 0);
    if (file.trimPending) ctx.requestUpload(file);
    return file;
  }

  get folder(): string {
    return `files/${this.path}`;
  }

  get key(): string {
    return this.ctx.keyOf(this.path);
  }

  private get segmentBytes(): number {
    return this.ctx.segmentBytes;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const end = Math.min(this.length, position + length);
    let at = position;
    while (at < end) {
      const index = Math.floor(at / this.segmentBytes);
      const inSegment = at - index * this.segmentBytes;
      const count = Math.min(end - at, this.segmentBytes - inSegment);
      const source = await this.acquire(index, 'read');
      if (source instanceof CachedSegment) {
        try {
          const got = await source.handle.read(buffer, offset + at - position, count, inSegment);
          if (got < count) throw new StorageError(`Cannot read ${this.path} at ${at}: its cached segment ${index} is short`, 'EIO');
        } finally {
          source.unpin();
        }
      } else {
        if (source.length < inSegment + count) throw new StorageError(`Cannot read ${this.path} at ${at}: segment ${index} in the store is short`, 'EIO');
        source.copy(buffer, offset + at - position, inSegment, inSegment + count);
      }
      at += count;
    }
    return Math.max(0, end - position);
  }

  async write(buffers: readonly Buffer[], position: number): Promise<void> {
    if (position > this.length) throw new StorageError(`Cannot write ${this.path} at ${position}: past its end (${this.length})`, 'EINVAL');
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    let done = 0;
    while (done < total) {
      const at = position + done;
      const index = Math.floor(at / this.segmentBytes);
      const inSegment = at - index * this.segmentBytes;
      const count = Math.min(total - done, this.segmentBytes - inSegment);
      const segment = await this.acquire(index, 'write');
      if (!(segment instanceof CachedSegment)) throw new Error('a write always gets a cached segment');
      try {
        await segment.handle.write(sliceBuffers(buffers, done, count), inSegment);
        segment.size = Math.max(segment.size, inSegment + count);
        segment.dirty = true;
        segment.modified++;
        segment.lastUsed = this.ctx.space.tick();
      } finally {
        segment.unpin();
      }
      done += count;
      this.length = Math.max(this.length, at + count);
      this.journalStale = true;
      if (segment.size === this.segmentBytes) this.ctx.requestUpload(this);
    }
  }

  /** Cut the file to `length` (never longer): later segments leave the cache now and the store at the next upload. */
  async truncate(length: number): Promise<void> {
    if (length > this.length) throw new StorageError(`Cannot truncate ${this.path} to ${length}: it holds only ${this.length} bytes`, 'EINVAL');
    await this.acquireQueue.run(async () => {
      this.generation++;
      this.fetching.clear();
      const keep = segmentCount(length, this.segmentBytes);
      for (const segment of [...this.segments.values()]) if (segment.index >= keep) await this.dropSegment(segment);
      if (length % this.segmentBytes !== 0 || length === 0) {
        const index = Math.floor(length / this.segmentBytes);
        const segment = await this.acquireNow(index, 'write');
        if (!(segment instanceof CachedSegment)) throw new Error('a write always gets a cached segment');
        try {
          await segment.handle.truncate(length - index * this.segmentBytes);
          segment.size = length - index * this.segmentBytes;
          segment.dirty = true;
          segment.modified++;
        } finally {
          segment.unpin();
        }
      }
      this.length = length;
      this.trimPending = true;
      this.journalStale = true;
    });
  }

  /** Make every write so far durable in the cache's journal; the uploader takes it to the store from there. */
  async sync(): Promise<void> {
    for (const segment of [...this.segments.values()]) {
      if (!segment.dirty || segment.modified === segment.syncedModified) continue;
      const modified = segment.modified;
      await segment.handle.sync();
      segment.syncedModified = modified;
    }
    await this.writeJournal();
    this.ctx.requestUpload(this);
  }

  /** writeFileAtomic: new local segments, synced, then one journal replacement switches the file to them. */
  async replace(data: Buffer): Promise<void> {
    await this.acquireQueue.run(async () => {
      this.generation++;
      this.fetching.clear();
      const count = segmentCount(data.length, this.segmentBytes);
      const fresh: CachedSegment[] = [];
      try {
        for (let index = 0; index < count; index++) {
          const part = data.subarray(index * this.segmentBytes, Math.min(data.length, (index + 1) * this.segmentBytes));
          const segment = await this.install(index, part, true);
          if (segment === undefined) throw new Error('a write always gets a cached segment');
          fresh.push(segment);
          await segment.handle.sync();
          segment.dirty = true;
          segment.unpin();
        }
      } catch (error) {
        for (const segment of fresh) await this.discard(segment);
        throw error;
      }
      const old = [...this.segments.values()];
      this.segments.clear();
      for (const segment of fresh) this.segments.set(segment.index, segment);
      this.length = data.length;
      this.trimPending = true;
      this.journalStale = true;
      await this.writeJournal();
      for (const segment of old) await this.discard(segment);
    });
    this.ctx.requestUpload(this);
  }

  /**
   * Bring the store up to date: remove segments past the end, then upload dirty segments in ascending order, each
   * one full or flushed (a tail still being written would be uploaded again at every write). Stops at the first
   * segment it must leave, so the store keeps a prefix of the file.
   */
  async upload(backoff: BackoffOptions): Promise<void> {
    if (this.removed) return;
    if (this.trimPending) await this.trim(backoff);
    const dirty = [...this.segments.values()].filter((s) => s.dirty).sort((a, b) => a.index - b.index);
    for (const segment of dirty) {
      if (this.removed || this.segments.get(segment.index) !== segment || !segment.dirty) continue;
      if (segment.size < this.segmentBytes && segment.modified !== segment.syncedModified) break;
      await this.uploadSegment(segment, backoff);
    }
    if (this.isClean()) await this.removeJournal();
  }

  isClean(): boolean {
    return !this.trimPending && [...this.segments.values()].every((s) => !s.dirty);
  }

  /** Has something the uploader can do now. */
  hasUploadWork(): boolean {
    if (this.removed) return false;
    if (this.trimPending) return true;
    return [...this.segments.values()].some((s) => s.dirty && (s.size === this.segmentBytes || s.modified === s.syncedModified));
  }

  /** The file left the storage (removed or renamed away): drop its cache folder; the uploader skips it. */
  async dropLocal(): Promise<void> {
    this.removed = true;
    for (const segment of [...this.segments.values()]) {
      this.segments.delete(segment.index);
      this.ctx.space.forget(segment);
      await segment.handle.close().catch(() => undefined);
    }
    await this.journalQueue.run(() => this.ctx.local.removeFolder(this.folder));
  }

  /** The storage closes: release the local files' descriptors (the files and the journal stay for the next start). */
  async closeLocal(): Promise<void> {
    for (const segment of [...this.segments.values()]) {
      this.segments.delete(segment.index);
      this.ctx.space.forget(segment);
      await segment.handle.close().catch(() => undefined);
    }
  }

  private async uploadSegment(segment: CachedSegment, backoff: BackoffOptions): Promise<void> {
    segment.pins++;
    try {
      const modified = segment.modified;
      const size = Math.min(segment.size, Math.max(0, this.length - segment.index * this.segmentBytes));
      const body = Buffer.allocUnsafe(size);
      let got: number;
      try {
        got = await segment.handle.read(body, 0, size, 0);
      } catch (error) {
        // Cut off (a truncate or a removal closed it) while the uploader read it: nothing to upload any more.
        if (this.segments.get(segment.index) !== segment) return;
        throw error;
      }
      if (got < size) throw new StorageError(`Cannot upload ${this.path}: its cached segment ${segment.index} is short`, 'EIO');
      await withBackoff(() => this.ctx.store.put(segmentKey(this.key, segment.index), body, this.ctx.retention()), backoff);
      if (segment.modified === modified) {
        segment.dirty = false;
        this.ctx.space.changed();
      }
    } finally {
      segment.unpin();
    }
  }

  private async trim(backoff: BackoffOptions): Promise<void> {
    // Cleared only when this trim is complete and no cut came meanwhile: drain() must not see a file as clean while
    // its removals are in flight.
    const generation = this.generation;
    try {
      const objects = await withBackoff(() => this.ctx.store.listAll(`${this.key}/`), backoff);
      const keep = segmentCount(this.length, this.segmentBytes);
      const doomed = objects
        .map((o) => parseSegmentName(o.key.slice(this.key.length + 1)))
        .filter((i): i is number => i !== undefined && i >= keep)
        .sort((a, b) => b - a);
      for (const index of doomed) await withBackoff(() => this.ctx.store.delete(segmentKey(this.key, index)), backoff);
    } catch (error) {
      this.trimPending = true;
      throw error;
    }
    if (generation === this.generation) this.trimPending = false;
  }

  private writeJournal(): Promise<void> {
    return this.journalQueue.run(async () => {
      if (!this.journalStale || this.removed) return;
      this.journalStale = false;
      const dirty = [...this.segments.values()].filter((s) => s.dirty).sort((a, b) => a.index - b.index);
      try {
        await this.ctx.local.makeFolder(this.folder);
        await this.ctx.local.writeFileAtomic(`${this.folder}/${JOURNAL_NAME}`, encodeJournal({ path: this.path, length: this.length, trim: this.trimPending, segments: dirty.map((s) => ({ index: s.index, file: s.localName })) }));
      } catch (error) {
        this.journalStale = true;
        throw error;
      }
    });
  }

  private removeJournal(): Promise<void> {
    return this.journalQueue.run(async () => {
      if (!this.isClean() || this.removed) return;
      await this.ctx.local.removeFile(`${this.folder}/${JOURNAL_NAME}`);
    });
  }

  /** The segment, pinned, from the cache or fetched from the store; a read may get the bare bytes when the cache has no room. */
  private acquire(index: number, purpose: 'read' | 'write'): Promise<CachedSegment | Buffer> {
    const cached = this.segments.get(index);
    if (cached !== undefined) {
      cached.pins++;
      cached.lastUsed = this.ctx.space.tick();
      if (purpose === 'read') this.readAheadFrom(index);
      return Promise.resolve(cached);
    }
    return this.acquireQueue.run(() => this.acquireNow(index, purpose));
  }

  private async acquireNow(index: number, purpose: 'read' | 'write'): Promise<CachedSegment | Buffer> {
    const cached = this.segments.get(index);
    if (cached !== undefined) {
      cached.pins++;
      cached.lastUsed = this.ctx.space.tick();
      return cached;
    }
    const inStore = index * this.segmentBytes < this.length;
    const data = inStore ? await this.fetch(index) : Buffer.alloc(0);
    let segment: CachedSegment | undefined;
    try {
      segment = await this.install(index, data, purpose === 'write');
    } finally {
      this.fetched(index);
    }
    if (segment !== undefined) this.segments.set(index, segment);
    if (purpose === 'read') this.readAheadFrom(index);
    return segment ?? data;
  }

  private fetch(index: number): Promise<Buffer> {
    const pending = this.fetching.get(index);
    if (pending !== undefined) return pending;
    const promise = withBackoff(() => this.ctx.store.get(segmentKey(this.key, index)), { attempts: this.ctx.readAttempts }).then((data) => {
      if (data === undefined) throw new StorageError(`Cannot read ${this.path}: its segment ${index} is missing from the object store`, 'EIO');
      return data;
    });
    this.fetching.set(index, promise);
    // Kept after it resolves, until the bytes are installed (fetched()): a read or read-ahead meanwhile must not GET
    // the segment again.
    const forget = (): void => {
      if (this.fetching.get(index) === promise) this.fetching.delete(index);
    };
    void promise.catch(forget);
    return promise;
  }

  /** The fetched bytes of segment `index` are in the cache now, or were dropped. */
  private fetched(index: number): void {
    this.fetching.delete(index);
  }

  private readAheadFrom(index: number): void {
    for (let ahead = 1; ahead <= READ_AHEAD_SEGMENTS; ahead++) this.readAhead(index + ahead);
  }

  /** Fetch the next segment while the reader is busy with this one, like a drive's read-ahead; kept only if the cache has room. */
  private readAhead(index: number): void {
    if (index * this.segmentBytes >= this.length || this.segments.has(index) || this.fetching.has(index)) return;
    const generation = this.generation;
    const work = this.fetch(index).then((data) =>
      this.acquireQueue.run(async () => {
        try {
          if (this.removed || generation !== this.generation || this.segments.has(index) || index * this.segmentBytes >= this.length) return;
          const segment = await this.install(index, data, false);
          if (segment === undefined) return;
          this.segments.set(index, segment);
          segment.unpin();
        } finally {
          if (generation === this.generation) this.fetched(index);
        }
      }),
    );
    void work.catch((error: unknown) => this.ctx.log.debug({ path: this.path, segment: index, err: error }, 'read-ahead from the object store failed'));
  }

  /** A new local file for segment `index` holding `data`, pinned and admitted to the cache (not yet in `segments`). */
  private async install(index: number, data: Buffer, wait: boolean): Promise<CachedSegment | undefined> {
    await this.ctx.local.makeFolder(this.folder);
    const localName = this.ctx.nextLocalName(index);
    const handle = await this.ctx.local.open(`${this.folder}/${localName}`, { create: true });
    const segment = new CachedSegment(index, localName, handle, data.length, (s) => this.dropSegment(s));
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

  /** Evicted or cut off: out of `segments` at once, then its local file goes. */
  private async dropSegment(segment: CachedSegment): Promise<void> {
    if (this.segments.get(segment.index) === segment) this.segments.delete(segment.index);
    await this.discard(segment);
  }

  private async discard(segment: CachedSegment): Promise<void> {
    this.ctx.space.forget(segment);
    await segment.handle.close().catch(() => undefined);
    await this.ctx.local.removeFile(`${this.folder}/${segment.localName}`);
  }
}
