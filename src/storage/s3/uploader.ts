// Takes what the cache holds to the store in the background, one file at a time in the order they asked, retrying
// with backoff while the store is down (the cache absorbs writes meanwhile; cache-space.ts decides when a write can
// no longer wait). It is the one owner of upload ordering: a file's segments go up in ascending order.
// Uploads wait while writes stream in and the cache has room (FORMAT.md "Upload timing"): on a machine of few
// cores, a PUT's CPU (the SDK's and the store's, when the store is local) is taken from the writer.
import { EventEmitter, once } from 'node:events';
import type { Logger } from '../../log.js';
import { StorageError } from '../storage.js';
import type { BackoffOptions } from './backoff.js';
import type { CachedFile } from './cached-file.js';

/** Uploads start once no write came for this long (or at once when the cache fills or someone waits for them). */
export const QUIET_MS = 1_000;
/** How often a deferred uploader looks again at the cache's fill while writes go on. */
const DEFER_POLL_MS = 100;

export class Uploader {
  private readonly queue = new Set<CachedFile>();
  private running: Promise<void> | undefined;
  private stopping = false;
  private downReason: string | undefined;
  /** The file whose upload runs now. */
  private current: CachedFile | undefined;
  private readonly events = new EventEmitter();
  private readonly backoff: BackoffOptions;
  private lastWriteAt = -Infinity;
  /** Callers waiting for uploads (drain, idle): no deferral while any waits. */
  private urgent = 0;

  constructor(
    private readonly log: Logger,
    /** Told whenever the store goes down or comes back (writers waiting for room look again). */
    private readonly onStateChange: () => void,
    /** The cache is filling up (three quarters of it dirty, or a writer waits for room): uploads may not wait. */
    private readonly cachePressed: () => boolean = () => true,
    private readonly quietMs = QUIET_MS,
  ) {
    this.backoff = {
      attempts: Infinity,
      firstDelayMs: 200,
      maxDelayMs: 5_000,
      stopped: () => this.stopping,
      onRetry: (error, attempt, delayMs) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (this.downReason === undefined) this.log.warn({ reason }, 'object store unreachable; retrying uploads with backoff, the cache absorbs writes');
        else this.log.debug({ reason, attempt, delayMs }, 'object store still unreachable');
        this.downReason = `the object store is unreachable (${reason})`;
        this.onStateChange();
        this.events.emit('progress');
      },
      onSuccess: () => {
        if (this.downReason !== undefined) this.log.info('object store reachable again; uploads resume');
        this.downReason = undefined;
        this.onStateChange();
      },
    };
    this.events.setMaxListeners(0);
  }

  /** Why uploads fail right now, or undefined. */
  get down(): string | undefined {
    return this.downReason;
  }

  /** A write landed in the cache: uploads wait until writes pause (or the cache presses). */
  noteWrite(): void {
    this.lastWriteAt = performance.now();
  }

  request(file: CachedFile): void {
    if (this.stopping) return;
    this.queue.add(file);
    this.kick();
  }

  private kick(): void {
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
      this.events.emit('progress');
      // A request that came while the loop was finding nothing to do.
      if (!this.stopping && [...this.queue].some((f) => f.hasUploadWork())) this.kick();
    });
  }

  /** Resolves when nothing is left to upload (or the uploader stopped). */
  async idle(): Promise<void> {
    await this.urgently(async () => {
      while (this.running !== undefined) await once(this.events, 'progress');
    });
  }

  /** Wait until `files` are all in the store; throws EIO at once while the store is down. */
  async drain(files: readonly CachedFile[], what: string): Promise<void> {
    await this.urgently(async () => {
      for (;;) {
        if (files.every((f) => f.removed || f.isClean())) return;
        if (this.downReason !== undefined) throw new StorageError(`Cannot ${what}: ${this.downReason}`, 'EIO');
        for (const f of files) this.request(f);
        await once(this.events, 'progress');
      }
    });
  }

  private async urgently(wait: () => Promise<void>): Promise<void> {
    this.urgent++;
    this.events.emit('wake');
    try {
      await wait();
    } finally {
      this.urgent--;
    }
  }

  /** Until uploads are due: writes paused for QUIET_MS, the cache presses, someone waits for them, or a stop. */
  private async due(): Promise<void> {
    for (;;) {
      if (this.stopping || this.urgent > 0 || this.cachePressed()) return;
      const quietMs = performance.now() - this.lastWriteAt;
      if (quietMs >= this.quietMs) return;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.events.off('wake', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(DEFER_POLL_MS, this.quietMs - quietMs));
        this.events.on('wake', done);
      });
    }
  }

  /** Wait until the uploader is not in the middle of `file` (before removing its objects). */
  async settle(file: CachedFile): Promise<void> {
    while (this.current === file) await once(this.events, 'progress');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.events.emit('wake');
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      await this.due();
      if (this.stopping) return;
      const file = [...this.queue].find((f) => f.hasUploadWork());
      if (file === undefined) {
        this.queue.clear();
        return;
      }
      this.queue.delete(file);
      this.current = file;
      try {
        await file.upload(this.backoff);
      } catch (error) {
        // Only a stop or an error retrying cannot fix (a 403, a full local disk) gets here. It counts as the store
        // being down, so that writers waiting for room fail instead of waiting forever; the file is tried again.
        if (!this.stopping) {
          const reason = error instanceof Error ? error.message : String(error);
          this.log.error({ path: file.path, reason }, 'upload to the object store failed');
          this.downReason = `uploads fail (${reason})`;
          this.onStateChange();
          this.queue.add(file);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      } finally {
        this.current = undefined;
        this.events.emit('progress');
      }
    }
  }
}
