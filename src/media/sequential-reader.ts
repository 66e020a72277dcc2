// Reading records of one mounted cartridge, tuned for a tape stream: records mostly come one after another and
// have the size of the one before. Small records are served from a read-ahead window (one read for many records);
// a large record is read with its header in one read, straight into the buffer handed to the caller (no copy), or
// into a reused scratch buffer when it is compressed. Compressed payloads are checked and decompressed by a payload
// worker from the (shared-memory) window or scratch into a shared slab lent to the caller. Sealed records are opened as
// they are read, two ahead of the host. Every record's header CRC and payload CRC are checked (a payload CRC the
// envelope's tag vouches for: crypto/record-opener.ts); problems come back as values.
import { crc32c } from '../crc32c.js';
import { PayloadWorkers } from './payload-workers.js';
import { copyBytes } from './copy-bytes.js';
import { CRC_PROBLEM, decompressChecked } from './decompress-checked.js';
import { SharedMemoryPool } from './shared-memory-pool.js';
import { SlabLender, type Slab } from './slab-lender.js';
import type { RandomAccessFile } from '../storage/storage.js';
import { decodeRecordHeader, isAtRestRecord, isEncryptedRecord, needsDecompression, objectsIn, RECORD_HEADER_BYTES, RecordType, type DecodedHeader } from './record-header.js';
import type { RecordResult } from './record-reader.js';
import { CRC_MISMATCH, type EnvelopeKey, type RecordOpener } from './crypto/record-opener.js';

/** Records expected to be shorter than this go through the window (FORMAT.md "Reading"); longer ones are read
 * straight into the buffer lent to the caller, the next one ahead in the background. */
export const DIRECT_READ_BYTES = 32 * 1024;
export const WINDOW_BYTES = 1024 * 1024;
/** Payloads shorter than this are copied out of the window into a small fresh Buffer rather than a lent slab. */
const LEND_FROM_WINDOW_BYTES = 4096;
/** Read windows of unloaded cartridges, for the next ones. */
const windowMemory = new SharedMemoryPool(WINDOW_BYTES, 4);
/**
 * Sealed records read ahead of the host: two, so that one is read and opened while the host takes the other, and the
 * opening (60 us of cipher per 256 KiB, on the event loop) falls in the event loop's idle time between two READs
 * instead of delaying the next one. Clear records are read one ahead, as before.
 */
export const SEALED_READ_AHEAD = 2;

/** A record read ahead: where it is, what it was read for, and the record read after it, once this one settled. */
interface Ahead {
  readonly offset: number;
  readonly objectNumber: number;
  readonly endOffset: number;
  readonly generation: number;
  readonly hostKey: EnvelopeKey | undefined;
  readonly result: Promise<RecordResult>;
  settled?: RecordResult;
  next?: Ahead;
  /** Not wanted: nothing is read after it, and its memory goes back. */
  dropped: boolean;
}

export class SequentialReader {
  /** Shared memory, like the scratch, so that an LZ4 worker can decompress straight from it. */
  private readonly window = Buffer.from(windowMemory.take());
  private windowStart = 0;
  private windowFilled = 0;
  private scratch: Buffer = Buffer.alloc(0);
  /** Stored length and compression of the last record read: the guess for the next one. */
  private lastStoredLength = 0;
  private lastCompressed = false;
  /** The last record read was sealed: the next is read into shared memory, for a worker to open. */
  private lastSealed = false;
  /** The buffers lent to callers (see ReadOutcome.release); never the window nor the scratch. */
  private readonly slabs = new SlabLender();

  /** Bumped by invalidate(): a read ahead of an older generation is dropped. */
  private generation = 0;
  /** The oldest record read ahead and not yet taken; the others follow it through `next`. */
  private ahead: Ahead | undefined;

  constructor(
    private readonly file: RandomAccessFile,
    private readonly workers: PayloadWorkers = PayloadWorkers.shared(),
    /** Opens sealed records as they are read (FORMAT.md "Reading"); without it they are returned as stored. */
    private readonly opener?: RecordOpener,
  ) {}

  /**
   * The cartridge is unloaded: wait for a read ahead and drop it, and free the slabs nobody holds (a slab still lent
   * goes back to the collector when it is released).
   */
  async close(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = undefined;
    await this.drop(ahead);
    windowMemory.give(this.window.buffer);
    this.slabs.close();
  }

  /** Forget the window and the record read ahead: the file was cut or rewritten (every change but an append). */
  invalidate(): void {
    this.generation++;
    this.windowFilled = 0;
  }

  /**
   * The record at `offset`, expected to be object `objectNumber`; nothing is read at or past `endOffset`. Once it
   * is read, the next record is read ahead (a tape drive's read-ahead buffer): at queue depth 1 the host's next READ
   * then finds it read, checked and decompressed while this one was on its way. `hostKey`: the drive's key for host
   * envelopes, which this read and the one ahead open with (a read ahead opened with another key is read again).
   */
  async read(offset: number, objectNumber: number, endOffset: number, hostKey?: EnvelopeKey): Promise<RecordResult> {
    const ahead = this.ahead;
    this.ahead = undefined;
    let result: RecordResult | undefined;
    if (ahead !== undefined) {
      const wanted = ahead.generation === this.generation && ahead.offset === offset && ahead.objectNumber === objectNumber && ahead.hostKey === hostKey;
      // Marked before it settles, so that nothing is read after it.
      if (!wanted) ahead.dropped = true;
      try {
        const early = await ahead.result;
        if (wanted) result = early;
        else if ('release' in early) early.release?.();
      } catch (error) {
        if (wanted) throw error;
      }
      // What was read after it comes next, or goes (before anything else is read: one read at a time).
      if (wanted) this.ahead = ahead.next;
      else await this.drop(ahead.next);
      // A read ahead that overlapped a change may have refilled the window with old bytes.
      if (ahead.generation !== this.generation) this.windowFilled = 0;
    }
    result ??= await this.readNow(offset, objectNumber, endOffset, hostKey);
    if ('problem' in result) return result;
    if (this.ahead === undefined) this.readAhead(offset + RECORD_HEADER_BYTES + result.storedBytes, objectNumber + objectsIn(result.header), endOffset, hostKey);
    else this.topUp();
    return result;
  }

  /** Read the record at `offset` ahead: after `after` (which settled), or as the first one ahead. */
  private readAhead(offset: number, objectNumber: number, endOffset: number, hostKey: EnvelopeKey | undefined, after?: Ahead): void {
    if (offset >= endOffset) return;
    const result = this.readNow(offset, objectNumber, endOffset, hostKey);
    const ahead: Ahead = { offset, objectNumber, endOffset, generation: this.generation, hostKey, result, dropped: false };
    if (after === undefined) this.ahead = ahead;
    else after.next = ahead;
    // Settled, a sealed record lets the next one be read (reported if the record is read, dropped otherwise).
    if (!this.lastSealed) result.catch(() => undefined);
    else {
      result.then((settled) => {
        ahead.settled = settled;
        this.topUp();
      }, () => undefined);
    }
  }

  /**
   * Read one more sealed record ahead, after the last one read ahead, when that one has settled and fewer than
   * SEALED_READ_AHEAD are waiting for the host. Reads stay one at a time: the next starts when the last settled.
   */
  private topUp(): void {
    let last = this.ahead;
    if (last === undefined) return;
    let waiting = 1;
    while (last.next !== undefined) {
      last = last.next;
      waiting++;
    }
    const settled = last.settled;
    if (waiting >= SEALED_READ_AHEAD || settled === undefined || 'problem' in settled || last.dropped || last.generation !== this.generation || !this.sealed(settled.header)) return;
    this.readAhead(last.offset + RECORD_HEADER_BYTES + settled.storedBytes, last.objectNumber + objectsIn(settled.header), last.endOffset, last.hostKey, last);
  }

  /** Records read ahead and not wanted: each is waited for (one read at a time) and its memory given back. */
  private async drop(ahead: Ahead | undefined): Promise<void> {
    for (let at = ahead; at !== undefined; at = at.next) {
      at.dropped = true;
      const early = await at.result.catch(() => undefined);
      if (early !== undefined && 'release' in early) early.release?.();
    }
  }

  private async readNow(offset: number, objectNumber: number, endOffset: number, hostKey: EnvelopeKey | undefined): Promise<RecordResult> {
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
          if (needsDecompression(header)) return this.finish(header, view);
          if (view.length < LEND_FROM_WINDOW_BYTES) return this.finish(header, Buffer.from(view));
          const copy = this.sealed(header) ? this.slabs.lendShared(view.length) : this.slabs.lend(view.length);
          copyBytes(view, copy);
          return this.lentResult(copy.buffer, await this.finish(header, copy, hostKey));
        }
        if (header.storedLength >= DIRECT_READ_BYTES || at === 0) {
          // A large record after small ones: read it whole at once (its header is read again with it).
          this.lastStoredLength = header.storedLength;
          this.lastCompressed = needsDecompression(header);
          break;
        }
      }
    }
    return this.readDirect(offset, objectNumber, endOffset, hostKey);
  }

  private windowHolds(offset: number, length: number): boolean {
    return offset >= this.windowStart && offset + length <= this.windowStart + this.windowFilled;
  }

  /** Header and payload in one read of the guessed size (two reads when the guess was short). */
  private async readDirect(offset: number, objectNumber: number, endOffset: number, hostKey: EnvelopeKey | undefined): Promise<RecordResult> {
    const want = Math.max(RECORD_HEADER_BYTES, Math.min(RECORD_HEADER_BYTES + this.lastStoredLength, endOffset - offset));
    // Shared memory when the record is likely sealed, so that a worker can open it.
    const first = this.lastCompressed ? this.scratchOf(want) : this.lastSealed || hostKey !== undefined || this.opener?.atRest === true ? this.slabs.lendShared(want) : this.slabs.lend(want);
    const got = await this.file.read(first, 0, want, offset);
    if (got < RECORD_HEADER_BYTES) return { problem: 'the record header is cut short' };
    const header = this.checkHeader(first, 0, objectNumber);
    if ('problem' in header) return header;
    const compressed = needsDecompression(header);
    const total = RECORD_HEADER_BYTES + header.storedLength;
    let record = first;
    if (total > got) {
      // The guess was short: keep what arrived, read the rest behind it.
      record = compressed ? this.scratchOf(total, first, got) : this.sealed(header) ? this.slabs.lendShared(total) : this.slabs.lend(total);
      if (record !== first) first.copy(record, 0, 0, got);
      const rest = total - got;
      const more = await this.file.read(record, got, rest, offset + got);
      if (more < rest) return { problem: 'the record payload is cut short' };
    }
    let stored = record.subarray(RECORD_HEADER_BYTES, total);
    // An uncompressed payload is returned: never a view of the scratch, nor one pinning a much larger buffer.
    if (!compressed && (record === this.scratch || stored.length * 2 < record.length)) stored = Buffer.from(stored);
    const result = await this.finish(header, stored, hostKey);
    if (first !== record && first !== this.scratch) this.slabs.recycle(first.buffer);
    if (record === this.scratch) return result;
    return this.lentResult(record.buffer, result);
  }

  /**
   * `result` of the record read into `slab`: the slab is free again at once when the result does not point into it,
   * and goes back with the result's release() (with the slabs of what was opened from it) when it does.
   */
  private lentResult(slab: Slab, result: RecordResult): RecordResult {
    if ('problem' in result || result.data.buffer !== slab) {
      this.slabs.recycle(slab);
      return result;
    }
    const own = this.slabs.releaser(slab);
    const more = result.release;
    return { ...result, release: more === undefined ? own : () => { own(); more(); } };
  }

  private sealed(header: DecodedHeader): boolean {
    return this.opener !== undefined && (isAtRestRecord(header) || isEncryptedRecord(header));
  }

  /** The scratch buffer, at least `length` bytes; `keep` bytes of `from` survive when it grows. */
  private scratchOf(length: number, from?: Buffer, keep = 0): Buffer {
    if (this.scratch.length < length) {
      const bigger = Buffer.from(new SharedArrayBuffer(Math.max(length, this.scratch.length * 2)));
      if (from !== undefined) copyBytes(from.subarray(0, keep), bigger);
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
  private async finish(header: DecodedHeader, stored: Buffer, hostKey?: EnvelopeKey): Promise<RecordResult> {
    const compressed = needsDecompression(header);
    if (header.type === RecordType.DATA) {
      this.lastStoredLength = stored.length;
      this.lastCompressed = compressed;
      this.lastSealed = this.sealed(header);
    }
    if (this.opener !== undefined && stored.buffer instanceof SharedArrayBuffer && this.sealed(header)) {
      const opened = await this.opener.open(header, stored, this.slabs, hostKey);
      if (opened === CRC_MISMATCH) return { problem: CRC_PROBLEM };
      if (opened !== undefined) {
        const slabs = opened.slabs.map((slab) => this.slabs.releaser(slab));
        return { header, data: opened.data, storedBytes: stored.length, opened, ...(slabs.length === 0 ? {} : { release: () => slabs.forEach((r) => r()) }) };
      }
    }
    if (!compressed) return crc32c(stored) === header.payloadCrc ? { header, data: stored, storedBytes: stored.length } : { problem: CRC_PROBLEM };
    const out = this.slabs.lendShared(header.logicalLength);
    const decoded = await decompressChecked(this.workers, stored, out, header.payloadCrc);
    if (typeof decoded === 'string' || decoded !== header.logicalLength) {
      this.slabs.recycle(out.buffer);
      if (decoded === CRC_PROBLEM) return { problem: CRC_PROBLEM };
      return { problem: typeof decoded === 'string' ? `the compressed payload does not decompress (${decoded})` : `the payload decompresses to ${decoded} bytes, not ${header.logicalLength}` };
    }
    return { header, data: out, storedBytes: stored.length, release: this.slabs.releaser(out.buffer) };
  }
}
