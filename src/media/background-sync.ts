// The writer's fdatasync in the background (FORMAT.md "Writing"): started every BACKGROUND_SYNC_BYTES that reach the
// file, so the disk writes while the host streams and a flush has only the tail left to wait for. A failure is kept
// for the writer to report on its next call as a failed sync of its own: it is never retried as if the data were safe.
import type { RandomAccessFile } from '../storage/storage.js';

/** After this many bytes reach the file, an fdatasync starts in the background (it also bounds what a power cut can
 * take). */
export const BACKGROUND_SYNC_BYTES = 32 * 1024 * 1024;

export class BackgroundSync {
  private running: Promise<void> | undefined;
  /** Bytes that reached the file since the last sync started, background or not. */
  private unsynced = 0;
  /** A background fdatasync failed; the writer clears it once it has reported it. */
  failed: { readonly error: unknown } | undefined;

  constructor(private readonly file: RandomAccessFile) {}

  /** `bytes` more reached the file: start an fdatasync, without waiting, once BACKGROUND_SYNC_BYTES have. */
  wrote(bytes: number): void {
    this.unsynced += bytes;
    if (this.unsynced < BACKGROUND_SYNC_BYTES || this.running !== undefined) return;
    this.unsynced = 0;
    this.running = this.file.sync().then(
      () => undefined,
      (error: unknown) => {
        this.failed ??= { error };
      },
    ).finally(() => (this.running = undefined));
  }

  /** A sync of the writer's own starts: wait for the running one; nothing written so far counts towards the next. */
  async settle(): Promise<void> {
    if (this.running !== undefined) await this.running;
    this.unsynced = 0;
  }
}
