// Reading records of one mounted cartridge, tuned for a tape stream: records mostly come one after another and
// have the size of the one before. Small records are served from a read-ahead window (one read for many records);
// a large record is read with its header in one read, straight into the buffer handed to the caller (no copy), or
// into a reused scratch buffer when it is compressed (the caller gets the decompressed copy). Every record's header
// CRC and payload CRC are checked exactly as readRecordAt does; problems come back as values.
import { crc32c } from '@node-rs/crc32';
import { uncompressSync } from 'lz4-napi';
import type { RandomAccessFile } from '../storage/storage.js';
import { decodeRecordHeader, RECORD_HEADER_BYTES, RecordFlag, RecordType, type DecodedHeader } from './record-header.js';
import type { RecordResult } from './record-reader.js';

/** Records expected to be shorter than this go through the window (FORMAT.md "Reading"). */
export const DIRECT_READ_BYTES = 128 * 1024;
export const WINDOW_BYTES = 1024 * 1024;
/** Read buffers kept for reuse per medium (a tape stream has one lent and one being filled at most). */
const FREE_SLABS = 4;

export class SequentialReader {
  private readonly window = Buffer.allocUnsafe(WINDOW_BYTES);
  private windowStart = 0;
  private windowFilled = 0;
  private scratch: Buffer = Buffer.alloc(0);
  /** Stored length and compression of the last record read: the guess for the next one. */
  private lastStoredLength = 0;
  private lastCompressed = false;
  /** Slabs returned by callers (see ReadOutcome.release), reused for uncompressed large records. */
  private readonly freeSlabs: ArrayBuffer[] = [];
  /** Every slab lend() made: only these are ever recycled (never Node's shared pool nor the scratch). */
  private readonly ours = new WeakSet<ArrayBuffer>();

  constructor(private readonly file: RandomAccessFile) {}

  /** Forget the window: the file was cut or rewritten (callers invalidate on every change but an append). */
  invalidate(): void {
    this.windowFilled = 0;
  }

  /** The record at `offset`, expected to be object `objectNumber`; nothing is read at or past `endOffset`. */
  async read(offset: number, objectNumber: number, endOffset: number): Promise<RecordResult> {
    if (this.lastStoredLength < DIRECT_READ_BYTES || this.windowHolds(offset, RECORD_HEADER_BYTES)) {
      // At most two window reads: a record that starts in the window but ends past it is read again from its
      // start when it fits in a window (a stream of small records then costs one read per window).
      for (let attempt = 0; attempt < 2; attempt++) {
        if (!this.windowHolds(offset, RECORD_HEADER_BYTES) || attempt > 0) {
          this.windowStart = offset;
          this.windowFilled = 0;
          this.windowFilled = await this.file.read(this.window, 0, Math.min(WINDOW_BYTES, endOffset - offset), offset);
          if (this.windowFilled < RECORD_HEADER_BYTES) return { problem: 'the record header is cut short' };
        }
        const at = offset - this.windowStart;
        const header = this.checkHeader(this.window, at, objectNumber);
        if ('problem' in header) return header;
        const total = RECORD_HEADER_BYTES + header.storedLength;
        if (this.windowHolds(offset, total)) {
          const view = this.window.subarray(at + RECORD_HEADER_BYTES, at + total);
          // The window is reused: an uncompressed payload is copied out, a compressed one decompresses from it.
          return this.finish(header, (header.flags & RecordFlag.COMPRESSED) === 0 ? Buffer.from(view) : view);
        }
        if (header.storedLength >= DIRECT_READ_BYTES || at === 0) {
          // A large record after small ones: read it whole at once (its header is read again with it).
          this.lastStoredLength = header.storedLength;
          this.lastCompressed = (header.flags & RecordFlag.COMPRESSED) !== 0;
          break;
        }
      }
    }
    return this.readDirect(offset, objectNumber, endOffset);
  }

  private windowHolds(offset: number, length: number): boolean {
    return offset >= this.windowStart && offset + length <= this.windowStart + this.windowFilled;
  }

  /** Header and payload in one read of the guessed size (two reads when the guess was short). */
  private async readDirect(offset: number, objectNumber: number, endOffset: number): Promise<RecordResult> {
    const want = Math.max(RECORD_HEADER_BYTES, Math.min(RECORD_HEADER_BYTES + this.lastStoredLength, endOffset - offset));
    const first = this.lastCompressed ? this.scratchOf(want) : this.lend(want);
    const got = await this.file.read(first, 0, want, offset);
    if (got < RECORD_HEADER_BYTES) return { problem: 'the record header is cut short' };
    const header = this.checkHeader(first, 0, objectNumber);
    if ('problem' in header) return header;
    const compressed = (header.flags & RecordFlag.COMPRESSED) !== 0;
    const total = RECORD_HEADER_BYTES + header.storedLength;
    let record = first;
    if (total > got) {
      // The guess was short: keep what arrived, read the rest behind it.
      record = compressed ? this.scratchOf(total, first, got) : this.lend(total);
      if (record !== first) first.copy(record, 0, 0, got);
      const rest = total - got;
      const more = await this.file.read(record, got, rest, offset + got);
      if (more < rest) return { problem: 'the record payload is cut short' };
    }
    let stored = record.subarray(RECORD_HEADER_BYTES, total);
    // An uncompressed payload is returned: never a view of the scratch, nor one pinning a much larger buffer.
    if (!compressed && (record === this.scratch || stored.length * 2 < record.length)) stored = Buffer.from(stored);
    const result = await this.finish(header, stored);
    // A slab of ours that the result does not point into is free again at once; the one holding a payload
    // returned as is goes back when the caller calls release().
    if (first !== record && first !== this.scratch) this.recycle(first.buffer as ArrayBuffer);
    if (record === this.scratch) return result;
    const slab = record.buffer as ArrayBuffer;
    if ('problem' in result || result.data.buffer !== slab) {
      this.recycle(slab);
      return result;
    }
    return { ...result, release: this.releaser(slab) };
  }

  private recycle(slab: ArrayBuffer): void {
    if (!this.ours.has(slab)) return;
    if (this.freeSlabs.length < FREE_SLABS && !this.freeSlabs.includes(slab)) this.freeSlabs.push(slab);
  }

  /** A buffer of `length` bytes, from a returned slab when one fits without wasting more than half of it. */
  private lend(length: number): Buffer {
    const at = this.freeSlabs.findIndex((slab) => slab.byteLength >= length && slab.byteLength <= 2 * length);
    const slab = at >= 0 ? this.freeSlabs.splice(at, 1)[0] : new ArrayBuffer(length);
    this.ours.add(slab);
    return Buffer.from(slab, 0, length);
  }

  /** Give `slab` back once, when the caller is done with the data read into it. */
  private releaser(slab: ArrayBuffer): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.recycle(slab);
    };
  }

  /** The scratch buffer, at least `length` bytes; `keep` bytes of `from` survive when it grows. */
  private scratchOf(length: number, from?: Buffer, keep = 0): Buffer {
    if (this.scratch.length < length) {
      const bigger = Buffer.allocUnsafe(Math.max(length, this.scratch.length * 2));
      if (from !== undefined) from.copy(bigger, 0, 0, keep);
      this.scratch = bigger;
    }
    return this.scratch;
  }

  private checkHeader(bytes: Buffer, at: number, objectNumber: number): DecodedHeader | { problem: string } {
    const header = decodeRecordHeader(bytes, at);
    if (typeof header === 'string') return { problem: `the record header is damaged (${header})` };
    if (header.objectNumber !== objectNumber) return { problem: `the record header names object ${header.objectNumber}` };
    return header;
  }

  /** Checks and decompression; the window and scratch are not reused before this settles (one read at a time). */
  private async finish(header: DecodedHeader, stored: Buffer): Promise<RecordResult> {
    const compressed = (header.flags & RecordFlag.COMPRESSED) !== 0;
    if (header.type === RecordType.DATA) {
      this.lastStoredLength = stored.length;
      this.lastCompressed = compressed;
    }
    if (crc32c(stored) >>> 0 !== header.payloadCrc) return { problem: 'the record payload fails its CRC' };
    if (!compressed) return { header, data: stored, storedBytes: stored.length };
    let data: Buffer;
    try {
      // Synchronous on purpose: lz4-napi's thread-pool variant gained no read speed in the 4-drive bench and its
      // per-thread allocations raised peak RSS by ~90 MiB (past the 256 MiB goal).
      data = uncompressSync(stored);
    } catch (error) {
      return { problem: `the compressed payload does not decompress (${error instanceof Error ? error.message : String(error)})` };
    }
    if (data.length !== header.logicalLength) return { problem: `the payload decompresses to ${data.length} bytes, not ${header.logicalLength}` };
    return { header, data, storedBytes: stored.length };
  }
}
