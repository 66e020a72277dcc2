// Reading record headers back (recovery and the index walk): one header at an offset, a payload's CRC, and a scan
// window. Problems come back as values; the callers decide whether they mean "end of stream" (recovery) or
// "medium error" (positioning). Whole records are read by sequential-reader.ts.
import { crc32c } from '../crc32c.js';
import { StorageError, type RandomAccessFile } from '../storage/storage.js';
import { decodeRecordHeader, objectsIn, RECORD_HEADER_BYTES, type DecodedHeader, type HeaderProblem } from './record-header.js';
import type { OpenedRecord } from './crypto/record-opener.js';

export type HeaderResult = DecodedHeader | HeaderProblem | 'short';

export async function readHeaderAt(file: RandomAccessFile, offset: number): Promise<HeaderResult> {
  const bytes = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  const got = await file.read(bytes, 0, RECORD_HEADER_BYTES, offset);
  if (got < RECORD_HEADER_BYTES) return 'short';
  return decodeRecordHeader(bytes);
}

/** Bytes per read when streaming a payload's CRC, and the window of a recovery scan. */
const CHUNK_BYTES = 1024 * 1024;
const PROBE_BYTES = 4096;

/** CRC32C of `length` bytes at `position`, streamed; undefined when the file ends first. */
export async function crcOfRange(file: RandomAccessFile, position: number, length: number, scratch?: Buffer): Promise<number | undefined> {
  const buffer = scratch ?? Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(length, 1)));
  let crc = 0;
  let done = 0;
  while (done < length) {
    const want = Math.min(buffer.length, length - done);
    const got = await file.read(buffer, 0, want, position + done);
    if (got < want) return undefined;
    crc = crc32c(buffer.subarray(0, got), crc);
    done += got;
  }
  return crc >>> 0;
}

export type RecordResult =
  /** `opened`: the record's envelopes opened as it was read (crypto/record-opener.ts); `data` is then its `data`. */
  | { readonly header: DecodedHeader; readonly data: Buffer; readonly storedBytes: number; readonly release?: () => void; readonly opened?: OpenedRecord }
  | { readonly problem: string };

/** Sequential header reads through a large window, for recovery scans of many small records. */
export class ScanWindow {
  private readonly buffer: Buffer;
  private start = 0;
  private filled = 0;

  constructor(
    private readonly file: RandomAccessFile,
    private readonly fileLength: number,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.max(RECORD_HEADER_BYTES, Math.min(CHUNK_BYTES, fileLength)));
  }

  /** The header at `offset` when the window already holds it (no await on the hot path of a scan). */
  buffered(offset: number): HeaderResult | undefined {
    if (offset + RECORD_HEADER_BYTES > this.fileLength) return 'short';
    if (offset < this.start || offset + RECORD_HEADER_BYTES > this.start + this.filled) return undefined;
    return decodeRecordHeader(this.buffer, offset - this.start);
  }

  async header(offset: number): Promise<HeaderResult> {
    if (offset + RECORD_HEADER_BYTES > this.fileLength) return 'short';
    const windowEnd = this.start + this.filled;
    if (offset < this.start || offset + RECORD_HEADER_BYTES > windowEnd) {
      // Small records: read a large window and find many headers in it. Large records (the next header lies
      // beyond the window): read a little, so a header walk does not read the payloads it skips.
      const want = offset > windowEnd ? PROBE_BYTES : this.buffer.length;
      this.start = offset;
      this.filled = await this.file.read(this.buffer, 0, Math.min(want, this.fileLength - offset), offset);
      if (this.filled < RECORD_HEADER_BYTES) return 'short';
    }
    return decodeRecordHeader(this.buffer, offset - this.start);
  }
}

/** The record holding an object: its first object, its offset and its header. */
export interface RecordAt {
  readonly first: number;
  readonly offset: number;
  readonly header: DecodedHeader;
}

/**
 * Walk the headers from the record boundary `from` (first object and offset) to the record holding object `target`.
 * A header that cannot be read, or that names another object than the walk expects, is a problem (with its object).
 */
export async function findRecord(file: RandomAccessFile, from: { readonly objectNumber: number; readonly offset: number }, target: number): Promise<RecordAt | { readonly problem: string; readonly objectNumber: number }> {
  let { objectNumber: at, offset } = from;
  for (;;) {
    const header = await readHeaderAt(file, offset).catch((error: unknown) => {
      if (error instanceof StorageError) return 'unreadable';
      throw error;
    });
    if (typeof header === 'string') return { problem: `the header of object ${at} at ${offset} is unreadable (${header})`, objectNumber: at };
    if (header.objectNumber !== at) return { problem: `the record at ${offset} names object ${header.objectNumber}, not ${at}`, objectNumber: at };
    const objects = objectsIn(header);
    if (at + objects > target) return { first: at, offset, header };
    at += objects;
    offset += RECORD_HEADER_BYTES + header.storedLength;
  }
}

/** Where object `objectNumber` is: in the record at `offset`, whose first object is `first` and which holds `objects`. */
export interface Location {
  readonly objectNumber: number;
  readonly offset: number;
  readonly first: number;
  readonly objects: number;
}

/** The object after `at` (whose record stores `storedBytes` of payload): in the same run, or the next record. */
export function locationAfter(at: Location, storedBytes: number): Location {
  const next = at.objectNumber + 1;
  return next < at.first + at.objects ? { ...at, objectNumber: next } : { objectNumber: next, offset: at.offset + RECORD_HEADER_BYTES + storedBytes, first: next, objects: 1 };
}
