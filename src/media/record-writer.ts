// The buffered appender (FORMAT.md "Writing"): the drive's data buffer. Records (header and payload) are copied into
// staging chunks; a chunk goes to the file in the background while the host sends the next records, so at queue
// depth 1 the network and the disk work at the same time. append() returns once the record is copied (buffered
// mode: the record is in the drive's buffer); drain() and sync() wait for the file. A background write that fails
// is reported by the next append, drain or sync, naming the first record that did not reach the file.
import { releaseMemoryNow } from '../release-memory.js';
import type { RandomAccessFile } from '../storage/storage.js';
import { encodeRecordHeader, RECORD_HEADER_BYTES, type RecordHeader } from './record-header.js';

/** Size of one staging chunk. */
export const STAGING_CHUNK_BYTES = 1024 * 1024;
/** Chunks per writer: at most this many bytes of acknowledged records wait for the file. */
export const STAGING_CHUNKS = 4;
/** When the file is idle, a chunk holding at least this much goes out before it is full. */
export const EAGER_WRITE_BYTES = 128 * 1024;
/** A partly filled chunk goes out at most this long after its first record. */
export const IDLE_WRITE_MS = 50;
/**
 * After this many bytes reach the file, an fdatasync starts in the background, so the disk writes while the host
 * streams and the flush at the end (WRITE FILEMARKS) has only the tail left to wait for. It also bounds the data a
 * power cut can take to about this much per cartridge beyond the staged chunks.
 */
export const BACKGROUND_SYNC_BYTES = 32 * 1024 * 1024;

/** The first record a failed write dropped: it and every record after it are not on the medium. */
export interface LostRecords {
  readonly objectNumber: number;
  readonly offset: number;
}

/**
 * A write or a sync of the data file failed. `lost` names the first record dropped from the stream; a failed sync
 * drops nothing (`lost` undefined): what it covered is reported, not rolled back.
 */
export class WriteFailure extends Error {
  constructor(
    readonly lost: LostRecords | undefined,
    readonly error: unknown,
  ) {
    super(lost === undefined ? 'sync failed' : `write failed at object ${lost.objectNumber}`);
    this.name = 'WriteFailure';
  }
}

interface Chunk {
  readonly buffer: Buffer;
  used: number;
  /** The record whose bytes start this chunk (it may have begun in an earlier one), and that record's offset. */
  firstObject: number;
  firstObjectOffset: number;
}

export class RecordWriter {
  private readonly spare: Buffer[] = [];
  private allocated = 0;
  /** The chunk records are copied into. */
  private filling: Chunk | undefined;
  /** Full (or eagerly submitted) chunks waiting for the file, oldest first; the in-flight ones are at the front. */
  private readonly queued: Chunk[] = [];
  private inFlight: Promise<void> | undefined;
  /** Bytes in `queued` and `filling`. */
  private stagedBytes = 0;
  /** Every byte before this offset is in the file. */
  private written: number;
  /** A failed write may have left bytes past `written`; they are cut before the next write. */
  private dirtyTail = false;
  /** A background write failed; reported (once) by the next call. */
  private failure: WriteFailure | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The background fdatasync running, and the bytes written since the last one started. */
  private syncing: Promise<void> | undefined;
  private unsyncedBytes = 0;
  /** The record being copied and its offset (for chunks that start inside it). */
  private currentObject = 0;
  private currentObjectOffset = 0;

  constructor(
    private readonly file: RandomAccessFile,
    endOffset: number,
  ) {
    this.written = endOffset;
  }

  /** Offset just past the last appended record. */
  get end(): number {
    return this.written + this.stagedBytes;
  }

  /** Records are staged or being written: the file does not hold everything yet. */
  get hasBuffered(): boolean {
    return this.stagedBytes > 0 || this.failure !== undefined;
  }

  /**
   * Append one record (copied: `payload` is not kept). Throws WriteFailure, for this record or for earlier ones whose
   * background write failed; the records it names are gone (the caller rolls its index back).
   */
  async append(header: RecordHeader, payload: Buffer | undefined): Promise<void> {
    this.throwFailure();
    this.currentObject = header.objectNumber;
    this.currentObjectOffset = this.end;
    const chunk = this.filling ?? (await this.takeChunk());
    if (chunk.buffer.length - chunk.used >= RECORD_HEADER_BYTES) {
      encodeRecordHeader(header, chunk.buffer, chunk.used);
      this.advance(chunk, RECORD_HEADER_BYTES);
    } else {
      const bytes = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
      encodeRecordHeader(header, bytes);
      await this.put(bytes);
    }
    if (payload !== undefined && payload.length > 0) await this.put(payload);
    if (this.inFlight === undefined && this.filling !== undefined && this.filling.used >= EAGER_WRITE_BYTES) {
      this.submit();
    } else if (this.filling !== undefined) {
      this.armIdleTimer();
    }
  }

  /** Hand every staged record to the file (no sync). Throws WriteFailure. */
  async drain(): Promise<void> {
    if (this.filling !== undefined && this.filling.used > 0) this.submit();
    while (this.inFlight !== undefined) await this.inFlight;
    this.throwFailure();
  }

  /** Drain, then make everything durable. */
  async sync(): Promise<void> {
    await this.drain();
    if (this.syncing !== undefined) await this.syncing;
    this.throwFailure();
    try {
      this.unsyncedBytes = 0;
      await this.file.sync();
    } catch (error) {
      // After a failed fsync the kernel may have dropped the dirty pages: nothing since the last good sync is
      // trustworthy, but we cannot tell what is; report it and let the caller decide.
      throw new WriteFailure(undefined, error);
    }
  }

  /** Forget everything from `offset` on (an overwrite or erase). Drains first. */
  async cut(offset: number): Promise<void> {
    await this.drain();
    if (offset >= this.written) return;
    // The new end holds even if the truncate fails: the next write cuts the file first (dirtyTail).
    this.written = offset;
    this.dirtyTail = true;
    await this.file.truncate(offset);
    this.dirtyTail = false;
  }

  /** Stop the idle timer and free the chunks (the medium is closing and has drained; they are no one else's). */
  close(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.stagedBytes > 0 || this.inFlight !== undefined) return; // not drained: leave them to the collector
    for (const buffer of this.spare.splice(0)) releaseMemoryNow(buffer.buffer);
    this.allocated = 0;
  }

  private throwFailure(): void {
    const failure = this.failure;
    if (failure === undefined) return;
    this.failure = undefined;
    throw failure;
  }

  /** Copy `bytes` into the chunks, queueing each one that fills up. */
  private async put(bytes: Buffer): Promise<void> {
    let from = 0;
    while (from < bytes.length) {
      const chunk = this.filling ?? (await this.takeChunk());
      const n = bytes.copy(chunk.buffer, chunk.used, from);
      from += n;
      this.advance(chunk, n);
    }
  }

  private advance(chunk: Chunk, bytes: number): void {
    chunk.used += bytes;
    this.stagedBytes += bytes;
    if (chunk.used === chunk.buffer.length) this.submit();
  }

  /** A chunk to copy into: a spare one, a new one while under the limit, else the first one the file gives back. */
  private async takeChunk(): Promise<Chunk> {
    for (;;) {
      this.throwFailure();
      let buffer = this.spare.pop();
      if (buffer === undefined && this.allocated < STAGING_CHUNKS) {
        buffer = Buffer.allocUnsafeSlow(STAGING_CHUNK_BYTES);
        this.allocated++;
      }
      if (buffer !== undefined) {
        this.filling = { buffer, used: 0, firstObject: this.currentObject, firstObjectOffset: this.currentObjectOffset };
        return this.filling;
      }
      await this.inFlight; // every chunk is queued, so a write is running
    }
  }

  /** Queue the filling chunk for the file and start a write if none is running. */
  private submit(): void {
    const chunk = this.filling;
    if (chunk === undefined || chunk.used === 0) return;
    this.filling = undefined;
    this.queued.push(chunk);
    this.startWrite();
  }

  private onIdle(): void {
    this.idleTimer = undefined;
    if (this.filling === undefined) return;
    if (this.inFlight === undefined) this.submit();
    else this.armIdleTimer(); // the running write may leave the chunk below the eager size: look again later
  }

  private armIdleTimer(): void {
    if (this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(() => this.onIdle(), IDLE_WRITE_MS);
    this.idleTimer.unref();
  }

  /** Write every queued chunk in one gathered write; when it ends, start the next. Never rejects. */
  private startWrite(): void {
    if (this.inFlight !== undefined || this.queued.length === 0) return;
    const chunks = this.queued.slice();
    this.inFlight = this.writeChunks(chunks).finally(() => {
      this.inFlight = undefined;
      if (this.failure === undefined) {
        this.startWrite();
        // Records that arrived during the write go out now rather than wait for the chunk to fill.
        if (this.inFlight === undefined && this.filling !== undefined && this.filling.used >= EAGER_WRITE_BYTES) this.submit();
      }
    });
  }

  private async writeChunks(chunks: readonly Chunk[]): Promise<void> {
    const start = this.written;
    let total = 0;
    for (const c of chunks) total += c.used;
    try {
      if (this.dirtyTail) {
        await this.file.truncate(start);
        this.dirtyTail = false;
      }
      await this.file.write(chunks.map((c) => c.buffer.subarray(0, c.used)), start);
    } catch (error) {
      // Everything staged from the failed chunk on is lost, with the record it starts inside: drop it, cut the file
      // back to the start of that record so the stream ends at the last good one, and report it on the next call.
      const { firstObject, firstObjectOffset } = chunks[0];
      this.failure = new WriteFailure({ objectNumber: firstObject, offset: firstObjectOffset }, error);
      this.written = firstObjectOffset;
      for (const c of this.queued) this.spare.push(c.buffer);
      this.queued.length = 0;
      if (this.filling !== undefined) this.spare.push(this.filling.buffer);
      this.filling = undefined;
      this.stagedBytes = 0;
      this.dirtyTail = true;
      await this.file.truncate(firstObjectOffset).then(
        () => (this.dirtyTail = false),
        () => undefined,
      );
      return;
    }
    this.written = start + total;
    this.stagedBytes -= total;
    this.queued.splice(0, chunks.length);
    for (const c of chunks) this.spare.push(c.buffer);
    this.unsyncedBytes += total;
    if (this.unsyncedBytes >= BACKGROUND_SYNC_BYTES && this.syncing === undefined) this.startBackgroundSync();
  }

  /** fdatasync without waiting; a failure is reported like a failed write (nothing since the last sync is sure). */
  private startBackgroundSync(): void {
    this.unsyncedBytes = 0;
    this.syncing = this.file.sync().then(
      () => undefined,
      (error: unknown) => {
        this.failure ??= new WriteFailure(undefined, error);
      },
    ).finally(() => (this.syncing = undefined));
  }
}
