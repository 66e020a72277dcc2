// FORMAT.md "Recovery": rebuild the index at open from the checkpoint (when it still matches the data file) and
// the records after it, and find where the valid stream ends so a torn tail can be cut.
import type { RandomAccessFile } from '../storage/storage.js';
import { decodeCheckpoint, type Checkpoint } from './index-checkpoint.js';
import { checkFileHeader, FILE_HEADER_BYTES } from './file-header.js';
import { INDEX_STRIDE, ObjectIndex } from './object-index.js';
import { crcOfRange, readHeaderAt, ScanWindow } from './record-reader.js';
import { RECORD_HEADER_BYTES, RecordType } from './record-header.js';
import { MediaFormatError } from './tape-medium.js';

/** What became of the index checkpoint: used, absent (a blank cartridge has none until it is closed), or refused. */
export type CheckpointState = { readonly kind: 'used' } | { readonly kind: 'missing' } | { readonly kind: 'unusable'; readonly reason: string };

export interface Recovery {
  readonly index: ObjectIndex;
  /** Highest pass among the checkpoint and the surviving records. */
  readonly pass: number;
  /** Unless it was used, the whole file was walked. */
  readonly checkpoint: CheckpointState;
  /** Records found after the checkpoint (or in the whole file when it was rebuilt). */
  readonly scannedRecords: number;
  /** Bytes after the last valid record, to be cut, and why the stream ended there. */
  readonly tail: { readonly offset: number; readonly bytes: number; readonly reason: string } | undefined;
}

/** Check that the checkpoint's last stretch of records is still in the file exactly where it says. */
async function checkpointProblem(file: RandomAccessFile, checkpoint: Checkpoint, fileLength: number): Promise<string | undefined> {
  if (checkpoint.endOffset > fileLength) return `it ends at ${checkpoint.endOffset} but the data file has ${fileLength} bytes`;
  if (checkpoint.objectCount === 0) return checkpoint.endOffset === FILE_HEADER_BYTES ? undefined : 'it is empty but does not end at the file header';
  const lastAnchor = checkpoint.anchors.length - 1;
  let objectNumber = lastAnchor * INDEX_STRIDE;
  let offset = checkpoint.anchors[lastAnchor];
  let previousPass = 0;
  for (; objectNumber < checkpoint.objectCount; objectNumber++) {
    const header = await readHeaderAt(file, offset);
    if (typeof header === 'string') return `object ${objectNumber} at ${offset} has a bad header (${header})`;
    if (header.objectNumber !== objectNumber) return `the record at ${offset} is object ${header.objectNumber}, not ${objectNumber}`;
    if (header.pass > checkpoint.pass || header.pass < previousPass) return `object ${objectNumber} was written after the checkpoint`;
    const isMark = header.type === RecordType.FILEMARK;
    const ordinal = lowerBound(checkpoint.filemarks, objectNumber);
    if (isMark !== (ordinal < checkpoint.filemarks.length && checkpoint.filemarks[ordinal] === objectNumber)) {
      return `object ${objectNumber} is ${isMark ? '' : 'not '}a filemark, unlike the checkpoint says`;
    }
    previousPass = header.pass;
    offset += RECORD_HEADER_BYTES + header.storedLength;
  }
  return offset === checkpoint.endOffset ? undefined : `its last record ends at ${offset}, not ${checkpoint.endOffset}`;
}

function lowerBound(values: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

async function lastPassOf(file: RandomAccessFile, index: ObjectIndex): Promise<number> {
  if (index.objectCount === 0) return 0;
  const anchor = index.anchorFor(index.objectCount - 1);
  let offset = anchor.offset;
  let pass = 0;
  for (let n = anchor.objectNumber; n < index.objectCount; n++) {
    const header = await readHeaderAt(file, offset);
    if (typeof header === 'string') throw new MediaFormatError(`Cannot recover: object ${n} changed during recovery`, n);
    pass = header.pass;
    offset += RECORD_HEADER_BYTES + header.storedLength;
  }
  return pass;
}

/** Offset of the last object in the index (walk from its anchor). */
async function lastRecordOffset(file: RandomAccessFile, index: ObjectIndex): Promise<number> {
  const last = index.objectCount - 1;
  let { objectNumber, offset } = index.anchorFor(last);
  for (; objectNumber < last; objectNumber++) {
    const header = await readHeaderAt(file, offset);
    if (typeof header === 'string') throw new MediaFormatError(`Cannot recover: object ${objectNumber} changed during recovery`, objectNumber);
    offset += RECORD_HEADER_BYTES + header.storedLength;
  }
  return offset;
}

export async function recoverIndex(file: RandomAccessFile, checkpointBytes: Buffer | undefined): Promise<Recovery> {
  const fileLength = await file.length();
  const fileHeader = Buffer.alloc(FILE_HEADER_BYTES);
  await file.read(fileHeader, 0, FILE_HEADER_BYTES, 0);
  const headerProblem = checkFileHeader(fileHeader.subarray(0, Math.min(fileLength, FILE_HEADER_BYTES)));
  if (headerProblem !== undefined) throw new MediaFormatError(`Cannot open the cartridge: ${headerProblem}`, 0);

  let index = ObjectIndex.empty(FILE_HEADER_BYTES);
  let state: CheckpointState = { kind: 'missing' };
  let checkpointPass = 0;
  if (checkpointBytes !== undefined) {
    const checkpoint = decodeCheckpoint(checkpointBytes);
    const problem = typeof checkpoint === 'string' ? checkpoint : await checkpointProblem(file, checkpoint, fileLength);
    if (typeof checkpoint !== 'string' && problem === undefined) {
      index = new ObjectIndex(checkpoint);
      checkpointPass = checkpoint.pass;
      state = { kind: 'used' };
    } else {
      state = { kind: 'unusable', reason: problem ?? 'unknown' };
    }
  }

  // Rule 1: walk the headers after the checkpoint; the first one that does not continue the stream ends it.
  let pass = await lastPassOf(file, index);
  const window = new ScanWindow(file, fileLength);
  let scanned = 0;
  let reason: string | undefined;
  while (index.endOffset < fileLength) {
    const offset = index.endOffset;
    const expected = index.objectCount;
    const header = window.buffered(offset) ?? (await window.header(offset));
    if (header === 'short') reason = `object ${expected} has a partial header`;
    else if (typeof header === 'string') reason = `object ${expected} has a bad header (${header})`;
    else if (header.objectNumber !== expected) reason = `the record at ${offset} is object ${header.objectNumber}, not ${expected}`;
    else if (header.pass < pass) reason = `object ${expected} is from an older pass (${header.pass} < ${pass})`;
    else if (offset + RECORD_HEADER_BYTES + header.storedLength > fileLength) reason = `object ${expected} has a partial payload`;
    if (reason !== undefined || typeof header === 'string') break;
    index.append(header.type === RecordType.FILEMARK, offset, RECORD_HEADER_BYTES + header.storedLength);
    pass = header.pass;
    scanned++;
  }

  // Rule 2: the last record must pass its payload CRC; cut from the end until it does.
  while (index.objectCount > 0) {
    const last = index.objectCount - 1;
    const offset = await lastRecordOffset(file, index);
    const header = await readHeaderAt(file, offset);
    if (typeof header === 'string') throw new MediaFormatError(`Cannot recover: object ${last} changed during recovery`, last);
    if ((await crcOfRange(file, offset + RECORD_HEADER_BYTES, header.storedLength)) === header.payloadCrc) break;
    index.truncate(last, offset);
    reason = `object ${last}, the last record, fails its payload CRC`;
  }

  const tail = index.endOffset < fileLength ? { offset: index.endOffset, bytes: fileLength - index.endOffset, reason: reason ?? 'unknown' } : undefined;
  pass = await lastPassOf(file, index);
  return { index, pass: Math.max(pass, checkpointPass), checkpoint: state, scannedRecords: scanned, tail };
}
