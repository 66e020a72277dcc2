// The buffered appender (FORMAT.md "Writing"): the drive's data buffer. Records (header and payload) are copied into
// staging chunks; a chunk goes to the file in the background while the host sends the next records, so at queue
// depth 1 the network and the disk work at the same time. append() returns once the record is copied (buffered
// mode: the record is in the drive's buffer); drain() and sync() wait for the file. A background write that fails
// is reported by the next append, drain or sync, naming the first record that did not reach the file.
import type { RandomAccessFile } from '../storage/storage.js';
import { BackgroundSync } from './background-sync.js';
import { encodeRecordHeader, objectsIn, RECORD_HEADER_BYTES, type RecordHeader } from './record-header.js';
import { StagingChunks, STAGING_CHUNK_BYTES, type Chunk } from './staging-chunks.js';
import { WriteFailure, type LostRecords } from './write-failure.js';

/** When the file is idle, a chunk holding at least this much goes out before it is full. */
export const EAGER_WRITE_BYTES = 128 * 1024;
/** A partly filled chunk goes out at most this long after its first record. */
export const IDLE_WRITE_MS = 50;

export class RecordWriter {
  private readonly chunks = new StagingChunks();
  /** The chunk records are copied into. */
  private filling: Chunk | undefined;
  /** Full (or eagerly submitted) chunks waiting for the file, oldest first; the in-flight ones are at the front. */
  private readonly queued: Chunk[] = [];
  private inFlight: Promise<void> | undefined;
  /** Bytes in `queued` and `filling`. */
  private stagedBytes = 0;
  /** Every byte before this offset is in the file. */
  private written: number;
  /** A failed write or truncate may have left bytes past `written`; they are cut before the next write, drain or sync. */
  private dirtyTail = false;
  /** A background write failed; reported (once) by the next call. */
  private failure: WriteFailure | undefined;
  /** The first record not covered by a successful sync(): every byte before it is durable. */
  private durable: LostRecords;
  /** The object number of the next record appended. */
  private nextObject: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly background: BackgroundSync;
  /** The record being copied and its offset (for chunks that start inside it). */
  private currentObject = 0;
  private currentObjectOffset = 0;

  /** The file holds a stream of `endObject` objects ending at `endOffset`, durable (it was recovered and synced). */
  constructor(
    private readonly file: RandomAccessFile,
    endOffset: number,
    endObject: number,
  ) {
    this.written = endOffset;
    this.durable = { objectNumber: endObject, offset: endOffset };
    this.nextObject = endObject;
    this.background = new BackgroundSync(file);
  }

  /** Offset just past the last appended record. */
  get end(): number {
    return this.written + this.stagedBytes;
  }

  /** Records are staged or being written: the file does not hold everything yet. */
  get hasBuffered(): boolean {
    return this.stagedBytes > 0 || this.failure !== undefined || this.background.failed !== undefined;
  }

  /**
   * Append one record (copied: `payload` is not kept). Throws WriteFailure, for this record or for earlier ones whose
   * background write failed; the records it names are gone (the caller rolls its index back).
   */
  async append(header: RecordHeader, payload: Buffer | undefined): Promise<void> {
    this.throwFailure();
    if (this.background.failed !== undefined) await this.dropUnsynced(this.background.failed.error);
    this.currentObject = header.objectNumber;
    this.nextObject = header.objectNumber + objectsIn(header);
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
    this.appended();
  }

  /**
   * Append one data record whose payload `fill` writes straight into the staging chunk, then returns its CRC32C (the
   * header's payloadCrc, which `header` leaves open): a sealed record needs no memory of its own and no copy. The
   * record is kept whole in one chunk (a chunk with too little room left goes to the file as it is); one longer than a
   * chunk is filled into memory of its own and copied. If `fill` throws, nothing is appended and that is thrown;
   * otherwise as append().
   */
  async appendFilled(header: Omit<RecordHeader, 'payloadCrc'>, fill: (into: Buffer) => number): Promise<void> {
    const bytes = RECORD_HEADER_BYTES + header.storedLength;
    if (bytes > STAGING_CHUNK_BYTES) {
      const payload = Buffer.allocUnsafe(header.storedLength);
      const payloadCrc = fill(payload);
      await this.append({ ...header, payloadCrc }, payload);
      return;
    }
    this.throwFailure();
    if (this.background.failed !== undefined) await this.dropUnsynced(this.background.failed.error);
    if (this.filling !== undefined && this.filling.buffer.length - this.filling.used < bytes) this.submit();
    this.currentObject = header.objectNumber;
    this.currentObjectOffset = this.end;
    const chunk = this.filling ?? (await this.takeChunk());
    const at = chunk.used;
    const payloadCrc = fill(chunk.buffer.subarray(at + RECORD_HEADER_BYTES, at + bytes));
    encodeRecordHeader({ ...header, payloadCrc }, chunk.buffer, at);
    this.nextObject = header.objectNumber + 1;
    this.advance(chunk, bytes);
    this.appended();
  }

  /** Hand every staged record to the file (no sync) and redo a failed truncate, so a flush or close never leaves cut-off
   * records behind (FORMAT.md "Passes"). Throws WriteFailure or StorageError. */
  async drain(): Promise<void> {
    if (this.filling !== undefined && this.filling.used > 0) this.submit();
    while (this.inFlight !== undefined) await this.inFlight;
    this.throwFailure();
    if (this.background.failed !== undefined) await this.dropUnsynced(this.background.failed.error);
    await this.cutDirtyTail();
  }

  /**
   * Drain, then make everything durable. A failed fdatasync (this one or a background one) is never retried as if
   * the data were safe: the kernel may have dropped the dirty pages it covered. Everything written since the last
   * successful sync() is dropped instead, the file cut back there, and the WriteFailure names those records lost.
   */
  async sync(): Promise<void> {
    await this.drain();
    await this.background.settle();
    if (this.background.failed !== undefined) await this.dropUnsynced(this.background.failed.error);
    const reached: LostRecords = { objectNumber: this.nextObject, offset: this.written };
    try {
      await this.file.sync();
    } catch (error) {
      await this.dropUnsynced(error);
    }
    this.durable = reached;
  }

  /** Forget everything from `offset` (where object `objectNumber` starts) on: an overwrite or erase. Drains first. */
  async cut(offset: number, objectNumber: number): Promise<void> {
    await this.drain();
    if (offset >= this.written) return;
    this.nextObject = objectNumber;
    if (offset < this.durable.offset) this.durable = { objectNumber, offset };
    // The new end holds even if the truncate fails: the next write, drain or sync cuts the file first (dirtyTail).
    this.written = offset;
    this.dirtyTail = true;
    await this.file.truncate(offset);
    this.dirtyTail = false;
  }

  /** A failed write or cut may have left bytes past `written`: cut them before anything else reaches the file. */
  private async cutDirtyTail(): Promise<void> {
    if (!this.dirtyTail) return;
    await this.file.truncate(this.written);
    this.dirtyTail = false;
  }

  /** Stop the idle timer and free the chunks (the medium is closing and has drained; they are no one else's). */
  close(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.stagedBytes > 0 || this.inFlight !== undefined) return; // not drained: leave them to the collector
    this.chunks.release();
  }

  /** A sync failed (nothing in flight any more): drop everything after the last good one, and throw it as lost. */
  private async dropUnsynced(error: unknown): Promise<never> {
    while (this.inFlight !== undefined) await this.inFlight;
    this.background.failed = undefined;
    this.failure = undefined; // a failed write after the last good sync lost a subset of what this loses
    const lost = this.durable;
    await this.dropFrom(lost);
    throw new WriteFailure(lost, error);
  }

  /** Drop every staged record and the file from `lost` on, so the stream ends at the record before it. */
  private async dropFrom(lost: LostRecords): Promise<void> {
    for (const c of this.queued) this.chunks.give(c.buffer);
    this.queued.length = 0;
    if (this.filling !== undefined) this.chunks.give(this.filling.buffer);
    this.filling = undefined;
    this.stagedBytes = 0;
    this.nextObject = lost.objectNumber;
    this.written = lost.offset;
    // If this truncate fails, the next write cuts the file first.
    this.dirtyTail = true;
    await this.file.truncate(lost.offset).then(
      () => (this.dirtyTail = false),
      () => undefined,
    );
  }

  private throwFailure(): void {
    const failure = this.failure;
    if (failure === undefined) return;
    this.failure = undefined;
    throw failure;
  }

  /** A record is in the chunks: the filling chunk goes out early if the file is idle, else within IDLE_WRITE_MS. */
  private appended(): void {
    if (this.inFlight === undefined && this.filling !== undefined && this.filling.used >= EAGER_WRITE_BYTES) this.submit();
    else if (this.filling !== undefined) this.armIdleTimer();
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
      const buffer = this.chunks.take();
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
      await this.cutDirtyTail();
      await this.file.write(chunks.map((c) => c.buffer.subarray(0, c.used)), start);
    } catch (error) {
      // Everything staged from the failed chunk on is lost, with the record it starts inside: drop it, cut the file
      // back to the start of that record so the stream ends at the last good one, and report it on the next call.
      const lost = { objectNumber: chunks[0].firstObject, offset: chunks[0].firstObjectOffset };
      this.failure = new WriteFailure(lost, error);
      await this.dropFrom(lost);
      return;
    }
    this.written = start + total;
    this.stagedBytes -= total;
    this.queued.splice(0, chunks.length);
    for (const c of chunks) this.chunks.give(c.buffer);
    this.background.wrote(total);
  }
}
