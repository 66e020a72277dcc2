// The buffered appender (FORMAT.md "Writing"). Small records are copied into a write buffer and go out together
// in one write; a large record goes out at once as a gathered write of [buffer, header, caller's block], so the
// caller's block is never copied and never retained after append() resolves.
import type { RandomAccessFile } from '../storage/storage.js';
import { encodeRecordHeader, RECORD_HEADER_BYTES, type RecordHeader } from './record-header.js';

export const WRITE_BUFFER_BYTES = 1024 * 1024;
/** Payloads at least this long skip the copy into the write buffer. */
export const DIRECT_WRITE_BYTES = 128 * 1024;

/** A write failed: the records from `objectNumber` (at `offset`) on are not on the medium. */
export class WriteFailure extends Error {
  constructor(
    readonly objectNumber: number,
    readonly offset: number,
    readonly error: unknown,
  ) {
    super(`write failed at object ${objectNumber}`);
    this.name = 'WriteFailure';
  }
}

export class RecordWriter {
  private readonly buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private buffered = 0;
  /** Object number of the first record in the write buffer. */
  private bufferedFirstObject = 0;
  /** Every byte before this offset has been handed to the file. */
  private written: number;
  /** A failed write may have left bytes past `written`; they are cut before the next write. */
  private dirtyTail = false;

  constructor(
    private readonly file: RandomAccessFile,
    endOffset: number,
  ) {
    this.written = endOffset;
  }

  /** Offset just past the last appended record. */
  get end(): number {
    return this.written + this.buffered;
  }

  get hasBuffered(): boolean {
    return this.buffered > 0;
  }

  /** Append one record. Throws WriteFailure; the records it names are gone (the caller rolls its index back). */
  async append(header: RecordHeader, payload: Buffer | undefined): Promise<void> {
    const payloadBytes = payload?.length ?? 0;
    const total = RECORD_HEADER_BYTES + payloadBytes;
    if (payloadBytes < DIRECT_WRITE_BYTES) {
      if (this.buffered + total > this.buffer.length) await this.drain();
      if (this.buffered === 0) this.bufferedFirstObject = header.objectNumber;
      encodeRecordHeader(header, this.buffer, this.buffered);
      if (payload !== undefined) payload.copy(this.buffer, this.buffered + RECORD_HEADER_BYTES);
      this.buffered += total;
      return;
    }
    const headerBytes = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
    encodeRecordHeader(header, headerBytes);
    const first = this.buffered > 0 ? this.bufferedFirstObject : header.objectNumber;
    await this.writeOut([this.buffer.subarray(0, this.buffered), headerBytes, payload!], first, total);
  }

  /** Hand the write buffer to the file (no sync). */
  async drain(): Promise<void> {
    if (this.buffered === 0) return;
    await this.writeOut([this.buffer.subarray(0, this.buffered)], this.bufferedFirstObject, 0);
  }

  /** Drain, then make everything durable. */
  async sync(): Promise<void> {
    await this.drain();
    try {
      await this.file.sync();
    } catch (error) {
      // After a failed fsync the kernel may have dropped the dirty pages: nothing since the last good sync is
      // trustworthy, but we cannot tell what is; report it and let the caller decide.
      throw new WriteFailure(Number.NaN, this.written, error);
    }
  }

  /** Forget everything from `offset` on (an overwrite or erase): cut the write buffer or the file. */
  async cut(offset: number): Promise<void> {
    if (offset >= this.written) {
      this.buffered = Math.min(this.buffered, offset - this.written);
      return;
    }
    // The new end holds even if the truncate fails: the next write cuts the file first (dirtyTail).
    this.buffered = 0;
    this.written = offset;
    this.dirtyTail = true;
    await this.file.truncate(offset);
    this.dirtyTail = false;
  }

  private async writeOut(buffers: Buffer[], firstObject: number, extraBytes: number): Promise<void> {
    const start = this.written;
    const total = this.buffered + extraBytes;
    try {
      if (this.dirtyTail) {
        await this.file.truncate(start);
        this.dirtyTail = false;
      }
      await this.file.write(buffers, start);
    } catch (error) {
      this.buffered = 0;
      this.dirtyTail = true;
      // Cut whatever part of the failed write reached the file, so the stream ends at the last good record.
      await this.file.truncate(start).then(
        () => (this.dirtyTail = false),
        () => undefined,
      );
      throw new WriteFailure(firstObject, start, error);
    }
    this.written = start + total;
    this.buffered = 0;
  }
}
