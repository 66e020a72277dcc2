// Bringing the store's copy of one cached file up to date (FORMAT.md "Layout"). Its invariant: the store holds a
// prefix of the file at every moment. Segments past a cut are removed first (highest first), then dirty segments go
// up in ascending order, each one full or flushed (a tail still being written would be uploaded again at every
// write), stopping at the first one that must wait.
import { StorageError } from '../storage.js';
import { withBackoff, type BackoffOptions } from './backoff.js';
import type { CacheSpace } from './cache-space.js';
import type { CachedSegment } from './cached-segment.js';
import type { ObjectStore, PutRetention } from './object-store.js';
import { parseSegmentName, segmentCount, segmentKey } from './segment-layout.js';

/** The calls the cache makes to the store (ObjectStore; a recording one in unit tests). */
export type SegmentStore = Pick<ObjectStore, 'put' | 'get' | 'delete' | 'listAll'>;

export interface UploadContext {
  readonly store: SegmentStore;
  readonly space: CacheSpace;
  readonly segmentBytes: number;
  /** The Object Lock a segment of the file at `path` is stored with. */
  retention(path: string): PutRetention | undefined;
  /** A buffer of at least `size` bytes for one upload's body (uploads run one at a time, so one buffer serves all). */
  uploadBuffer(size: number): Buffer;
}

/** What the upload needs of a cached file (CachedFile). */
export interface UploadableFile {
  readonly path: string;
  readonly key: string;
  readonly length: number;
  readonly segments: { get(index: number): CachedSegment | undefined; values(): IterableIterator<CachedSegment>; dirty(): CachedSegment[] };
  readonly removed: boolean;
  /** Bumped by every cut and replacement. */
  readonly generation: number;
  /** The store may hold segments past the end. */
  trimPending: boolean;
}

export function isClean(file: UploadableFile): boolean {
  return !file.trimPending && [...file.segments.values()].every((s) => !s.dirty);
}

/** Has something the uploader can do now. */
export function hasUploadWork(file: UploadableFile, segmentBytes: number): boolean {
  if (file.removed) return false;
  if (file.trimPending) return true;
  return [...file.segments.values()].some((s) => s.dirty && (s.size === segmentBytes || s.modified === s.syncedModified));
}

export async function uploadFile(file: UploadableFile, ctx: UploadContext, backoff: BackoffOptions): Promise<void> {
  if (file.removed) return;
  if (file.trimPending) await trim(file, ctx, backoff);
  for (const segment of file.segments.dirty()) {
    if (file.removed || file.segments.get(segment.index) !== segment || !segment.dirty) continue;
    if (segment.size < ctx.segmentBytes && segment.modified !== segment.syncedModified) break;
    await uploadSegment(file, segment, ctx, backoff);
  }
}

async function uploadSegment(file: UploadableFile, segment: CachedSegment, ctx: UploadContext, backoff: BackoffOptions): Promise<void> {
  segment.pins++;
  try {
    const modified = segment.modified;
    const size = Math.min(segment.size, Math.max(0, file.length - segment.index * ctx.segmentBytes));
    const body = ctx.uploadBuffer(size).subarray(0, size);
    let got: number;
    try {
      got = await segment.handle.read(body, 0, size, 0);
    } catch (error) {
      // Cut off (a truncate or a removal closed it) while the uploader read it: nothing to upload any more.
      if (file.segments.get(segment.index) !== segment) return;
      throw error;
    }
    if (got < size) throw new StorageError(`Cannot upload ${file.path}: its cached segment ${segment.index} is short`, 'EIO');
    await withBackoff(() => ctx.store.put(segmentKey(file.key, segment.index), body, ctx.retention(file.path)), backoff);
    if (segment.modified === modified) {
      segment.dirty = false;
      ctx.space.changed();
    }
  } finally {
    segment.unpin();
  }
}

async function trim(file: UploadableFile, ctx: UploadContext, backoff: BackoffOptions): Promise<void> {
  // Cleared only when this trim is complete and no cut came meanwhile: drain() must not see a file as clean while
  // its removals are in flight.
  const generation = file.generation;
  try {
    const objects = await withBackoff(() => ctx.store.listAll(`${file.key}/`), backoff);
    const keep = segmentCount(file.length, ctx.segmentBytes);
    const doomed = objects
      .map((o) => parseSegmentName(o.key.slice(file.key.length + 1)))
      .filter((i): i is number => i !== undefined && i >= keep)
      .sort((a, b) => b - a);
    for (const index of doomed) await withBackoff(() => ctx.store.delete(segmentKey(file.key, index)), backoff);
  } catch (error) {
    file.trimPending = true;
    throw error;
  }
  if (generation === file.generation) file.trimPending = false;
}
