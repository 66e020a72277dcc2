// Segments of one file fetched from the store. Its invariant: at most one GET per segment is in flight or awaiting
// installation, so a read and the read-ahead of the same segment share one; and every cut or replacement of the
// file starts a new generation, so that bytes fetched before it are never installed after it.
import { StorageError } from '../storage.js';
import { withBackoff } from './backoff.js';

/** Segments fetched ahead of a read from the store: two GETs in flight stream faster than one (FORMAT.md). */
export const READ_AHEAD_SEGMENTS = 2;

export class SegmentFetcher {
  private readonly fetching = new Map<number, Promise<Buffer>>();
  private currentGeneration = 0;

  constructor(
    /** GET of one segment: undefined when the store has no such object. */
    private readonly get: (index: number) => Promise<Buffer | undefined>,
    /** The file's path, for messages. */
    private readonly path: string,
    private readonly attempts: number,
  ) {}

  get generation(): number {
    return this.currentGeneration;
  }

  /** A cut or a replacement: fetches in flight belong to the old file. */
  newGeneration(): void {
    this.currentGeneration++;
    this.fetching.clear();
  }

  /** A GET of segment `index` is in flight or its bytes wait to be installed. */
  has(index: number): boolean {
    return this.fetching.has(index);
  }

  /** The segment's bytes, sharing a GET already in flight; kept until done() so that nobody GETs it again meanwhile. */
  fetch(index: number): Promise<Buffer> {
    const pending = this.fetching.get(index);
    if (pending !== undefined) return pending;
    const promise = withBackoff(() => this.get(index), { attempts: this.attempts }).then((data) => {
      if (data === undefined) throw new StorageError(`Cannot read ${this.path}: its segment ${index} is missing from the object store`, 'EIO');
      return data;
    });
    this.fetching.set(index, promise);
    // A failed GET is forgotten at once: the next read tries again.
    void promise.catch(() => {
      if (this.fetching.get(index) === promise) this.fetching.delete(index);
    });
    return promise;
  }

  /** The fetched bytes of segment `index` are in the cache now, or were dropped. */
  done(index: number): void {
    this.fetching.delete(index);
  }

  /**
   * Fetch the segments after `index` not `skipped` nor in flight, and hand each to `keep` with the generation it was
   * fetched in (keep checks it again in its own turn: a cut may come while it waits). Failures only go to `failed`.
   */
  readAhead(
    index: number,
    skipped: (index: number) => boolean,
    keep: (index: number, data: Buffer, generation: number) => Promise<void>,
    failed: (index: number, error: unknown) => void,
  ): void {
    for (let ahead = index + 1; ahead <= index + READ_AHEAD_SEGMENTS; ahead++) {
      if (skipped(ahead) || this.has(ahead)) continue;
      const generation = this.generation;
      const work = this.fetch(ahead).then(async (data) => {
        try {
          await keep(ahead, data, generation);
        } finally {
          if (generation === this.generation) this.done(ahead);
        }
      });
      void work.catch((error: unknown) => failed(ahead, error));
    }
  }
}
