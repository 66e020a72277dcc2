// One file of the S3 storage as the process sees it (FORMAT.md "Object store"): its length and the segments held
// in the local cache (dirty ones not yet uploaded). The file is authoritative once loaded: every change goes through
// it, and the uploader (uploader.ts) brings the store up to date behind it. Its own invariant: a read or write holds
// its segment pinned while it uses it, and fetching a segment, a cut and a replacement run one at a time
// (`acquireQueue`), so none of them sees the file half changed by another. The set of cached segments
// (segment-set.ts), the journal (file-journal.ts), the store's copy (file-upload.ts) and fetching
// (segment-fetcher.ts) own the others.
import { SerialQueue } from '../../serial-queue.js';
import type { Logger } from '../../log.js';
import { StorageError } from '../storage.js';
import { withBackoff, type BackoffOptions } from './backoff.js';
import { CachedSegment } from './cached-segment.js';
import { FileJournal } from './file-journal.js';
import { hasUploadWork, isClean, uploadFile, type UploadContext } from './file-upload.js';
import { SegmentFetcher } from './segment-fetcher.js';
import { SegmentSet, type SegmentSetContext } from './segment-set.js';
import { layoutFromListing, parseSegmentName, segmentCount, segmentKey } from './segment-layout.js';
import { sliceBuffers } from './slice-buffers.js';

export interface CachedFileContext extends UploadContext, SegmentSetContext {
  readonly log: Logger;
  /** Attempts for a read that must go to the store (then MEDIUM ERROR upstream). */
  readonly readAttempts: number;
  keyOf(path: string): string;
  requestUpload(file: CachedFile): void;
  /** A write landed in the cache (the uploader defers while writes stream in). */
  noteWrite(): void;
}

export class CachedFile {
  readonly segments: SegmentSet;
  /** Segment acquisition (fetch + install), cuts and replacements: one at a time per file. */
  private readonly acquireQueue = new SerialQueue();
  private readonly journal: FileJournal;
  private readonly fetcher: SegmentFetcher;
  removed = false;

  constructor(
    readonly path: string,
    private readonly ctx: CachedFileContext,
    public length: number,
    /** The store may hold segments past the end (a cut not yet applied there, or garbage of a crash). */
    public trimPending: boolean,
  ) {
    this.segments = new SegmentSet(ctx, this.folder);
    this.journal = new FileJournal(ctx.local, this.folder);
    this.fetcher = new SegmentFetcher((index) => ctx.store.get(segmentKey(this.key, index)), path, ctx.readAttempts);
  }

  /** Bumped by every cut and replacement: a read-ahead fetched before one is stale. */
  get generation(): number {
    return this.fetcher.generation;
  }

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
      this.journal.markStale();
      if (segment.size === this.segmentBytes) this.ctx.requestUpload(this);
    }
    this.ctx.noteWrite();
  }

  /** Cut the file to `length` (never longer): later segments leave the cache now and the store at the next upload. */
  async truncate(length: number): Promise<void> {
    if (length > this.length) throw new StorageError(`Cannot truncate ${this.path} to ${length}: it holds only ${this.length} bytes`, 'EINVAL');
    await this.acquireQueue.run(async () => {
      this.fetcher.newGeneration();
      const keep = segmentCount(length, this.segmentBytes);
      for (const segment of [...this.segments.values()]) if (segment.index >= keep) await this.segments.drop(segment);
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
      this.journal.markStale();
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
      this.fetcher.newGeneration();
      const count = segmentCount(data.length, this.segmentBytes);
      const fresh: CachedSegment[] = [];
      try {
        for (let index = 0; index < count; index++) {
          const part = data.subarray(index * this.segmentBytes, Math.min(data.length, (index + 1) * this.segmentBytes));
          const segment = await this.segments.create(index, part, true);
          if (segment === undefined) throw new Error('a write always gets a cached segment');
          fresh.push(segment);
          await segment.handle.sync();
          segment.dirty = true;
          segment.unpin();
        }
      } catch (error) {
        for (const segment of fresh) await this.segments.discard(segment);
        throw error;
      }
      const old = this.segments.swap(fresh);
      this.length = data.length;
      this.trimPending = true;
      this.journal.markStale();
      // The old segment files go only once the journal no longer names them.
      await this.writeJournal();
      for (const segment of old) await this.segments.discard(segment);
    });
    this.ctx.requestUpload(this);
  }

  /** Bring the store up to date (file-upload.ts); a file with nothing left dirty drops its journal. */
  async upload(backoff: BackoffOptions): Promise<void> {
    if (this.removed) return;
    await uploadFile(this, this.ctx, backoff);
    if (this.isClean() && !this.removed) await this.journal.remove(() => this.isClean());
  }

  isClean(): boolean {
    return isClean(this);
  }

  /** Has something the uploader can do now. */
  hasUploadWork(): boolean {
    return hasUploadWork(this, this.segmentBytes);
  }

  /** The file left the storage (removed or renamed away): drop its cache folder; the uploader skips it. */
  async dropLocal(): Promise<void> {
    this.removed = true;
    await this.segments.release();
    await this.journal.removeFolder();
  }

  /** The storage closes: release the local files' descriptors (the files and the journal stay for the next start). */
  closeLocal(): Promise<void> {
    return this.segments.release();
  }

  private writeJournal(): Promise<void> {
    return this.journal.write(() => ({
      path: this.path,
      length: this.length,
      trim: this.trimPending,
      segments: this.segments.dirty().map((s) => ({ index: s.index, file: s.localName })),
    }));
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
    const data = inStore ? await this.fetcher.fetch(index) : Buffer.alloc(0);
    let segment: CachedSegment | undefined;
    try {
      segment = await this.segments.create(index, data, purpose === 'write');
    } finally {
      this.fetcher.done(index);
    }
    if (segment !== undefined) this.segments.add(segment);
    if (purpose === 'read') this.readAheadFrom(index);
    return segment ?? data;
  }

  /** Fetch the next segments while the reader is busy with this one, like a drive's read-ahead; kept only if the cache has room. */
  private readAheadFrom(index: number): void {
    const beyond = (i: number): boolean => i * this.segmentBytes >= this.length || this.segments.has(i);
    this.fetcher.readAhead(
      index,
      beyond,
      (i, data, generation) =>
        this.acquireQueue.run(async () => {
          if (this.removed || generation !== this.generation || beyond(i)) return;
          const segment = await this.segments.create(i, data, false);
          if (segment === undefined) return;
          this.segments.add(segment);
          segment.unpin();
        }),
      (i, error) => this.ctx.log.debug({ path: this.path, segment: i, err: error }, 'read-ahead from the object store failed'),
    );
  }
}
