// FORMAT.md "Recovery": rebuild the index at open from the checkpoint (when it still matches the data file) and
// the records after it, and find where the valid stream ends so a torn tail can be cut.
import type { RandomAccessFile } from '../storage/storage.js';
import { decodeCheckpoint, type Checkpoint, type RewrittenRecord } from './index-checkpoint.js';
import { checkFileHeader, FILE_HEADER_BYTES, fileVersion } from './file-header.js';
import { ObjectIndex } from './object-index.js';
import { crcOfRange, findRecord, readHeaderAt, ScanWindow, type RecordAt } from './record-reader.js';
import { encodeRecordHeader, filemarkHeader, isFilemarkRecord, objectsIn, RECORD_HEADER_BYTES } from './record-header.js';
import { MediaFormatError } from './media-errors.js';

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
  /** The data file's format version. */
  readonly version: number;
  /** The filemark record a crash took from a cut inside a run, written again from the checkpoint */
  readonly rewritten: RewrittenRecord | undefined;
}

/** The record holding the last object of `index`, found from its anchor. */
async function lastRecord(file: RandomAccessFile, index: ObjectIndex): Promise<RecordAt> {
  const last = index.objectCount - 1;
  const found = await findRecord(file, index.anchorFor(last), last);
  if ('problem' in found) throw new MediaFormatError(`Cannot recover: ${found.problem}`, found.objectNumber);
  return found;
}

/** Check that the index's last stretch of records (from its last anchor) is in the file exactly where it says. */
async function stretchProblem(file: RandomAccessFile, index: ObjectIndex, pass: number, fileLength: number): Promise<string | undefined> {
  if (index.endOffset > fileLength) return `it ends at ${index.endOffset} but the data file has ${fileLength} bytes`;
  if (index.objectCount === 0) return index.endOffset === FILE_HEADER_BYTES ? undefined : 'it is empty but does not end at the file header';
  let { objectNumber, offset } = index.anchorFor(index.objectCount - 1);
  let previousPass = 0;
  while (objectNumber < index.objectCount) {
    const header = await readHeaderAt(file, offset);
    if (typeof header === 'string') return `object ${objectNumber} at ${offset} has a bad header (${header})`;
    if (header.objectNumber !== objectNumber) return `the record at ${offset} is object ${header.objectNumber}, not ${objectNumber}`;
    if (header.pass > pass || header.pass < previousPass) return `object ${objectNumber} was written after the checkpoint`;
    const objects = objectsIn(header);
    const marks = index.filemarksBefore(objectNumber + objects) - index.filemarksBefore(objectNumber);
    if (marks !== (isFilemarkRecord(header) ? objects : 0)) return `the record of object ${objectNumber} does not hold the filemarks the checkpoint says`;
    previousPass = header.pass;
    objectNumber += objects;
    offset += RECORD_HEADER_BYTES + header.storedLength;
  }
  return objectNumber === index.objectCount && offset === index.endOffset ? undefined : `its last record ends at ${offset}, not ${index.endOffset}`;
}

/**
 * The rewritten-record rule: a checkpoint that names a rewritten record (a cut inside a filemark run) whose record is missing or torn,
 * while everything before it checks out: write the record again. Returns whether it did.
 */
async function rewriteLostRecord(file: RandomAccessFile, checkpoint: Checkpoint, fileLength: number): Promise<boolean> {
  const rewritten = checkpoint.rewritten;
  if (rewritten === undefined || fileLength < rewritten.offset) return false;
  if (typeof (await readHeaderAt(file, rewritten.offset)) !== 'string') return false; // a whole record: not a lost rewrite
  const prefix = new ObjectIndex(checkpoint);
  prefix.truncate(rewritten.firstObject, rewritten.offset);
  if ((await stretchProblem(file, prefix, checkpoint.pass, fileLength)) !== undefined) return false;
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  encodeRecordHeader(filemarkHeader(rewritten.firstObject, checkpoint.objectCount - rewritten.firstObject, checkpoint.pass), header);
  await file.write([header], rewritten.offset);
  await file.sync();
  return true;
}

export async function recoverIndex(file: RandomAccessFile, checkpointBytes: Buffer | undefined): Promise<Recovery> {
  let fileLength = await file.length();
  const fileHeader = Buffer.alloc(FILE_HEADER_BYTES);
  await file.read(fileHeader, 0, FILE_HEADER_BYTES, 0);
  const headerProblem = checkFileHeader(fileHeader.subarray(0, Math.min(fileLength, FILE_HEADER_BYTES)));
  if (headerProblem !== undefined) throw new MediaFormatError(`Cannot open the cartridge: ${headerProblem}`, 0);

  let index = ObjectIndex.empty(FILE_HEADER_BYTES);
  let state: CheckpointState = { kind: 'missing' };
  let checkpointPass = 0;
  let rewritten: RewrittenRecord | undefined;
  if (checkpointBytes !== undefined) {
    const checkpoint = decodeCheckpoint(checkpointBytes);
    let problem = typeof checkpoint === 'string' ? checkpoint : await stretchProblem(file, new ObjectIndex(checkpoint), checkpoint.pass, fileLength);
    if (typeof checkpoint !== 'string' && problem !== undefined && (await rewriteLostRecord(file, checkpoint, fileLength))) {
      rewritten = checkpoint.rewritten;
      fileLength = await file.length();
      problem = await stretchProblem(file, new ObjectIndex(checkpoint), checkpoint.pass, fileLength);
    }
    if (typeof checkpoint !== 'string' && problem === undefined) {
      index = new ObjectIndex(checkpoint);
      checkpointPass = checkpoint.pass;
      state = { kind: 'used' };
    } else {
      state = { kind: 'unusable', reason: problem ?? 'unknown' };
    }
  }

  // Rule 1: walk the headers after the checkpoint; the first one that does not continue the stream ends it. Every
  // record written after a checkpoint carries its pass or a later one, so the checkpoint's pass is the floor: records
  // of an older pass there were cut off by the cut that saved it (its truncate lost) and must not come back.
  let pass = Math.max(checkpointPass, index.objectCount === 0 ? 0 : (await lastRecord(file, index)).header.pass);
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
    index.append(isFilemarkRecord(header), offset, RECORD_HEADER_BYTES + header.storedLength, objectsIn(header));
    pass = header.pass;
    scanned++;
  }

  // Rule 2: the last record must pass its payload CRC; cut from the end until it does.
  while (index.objectCount > 0) {
    const last = await lastRecord(file, index);
    if ((await crcOfRange(file, last.offset + RECORD_HEADER_BYTES, last.header.storedLength)) === last.header.payloadCrc) break;
    index.truncate(last.first, last.offset);
    reason = `object ${last.first}, the last record, fails its payload CRC`;
  }

  const tail = index.endOffset < fileLength ? { offset: index.endOffset, bytes: fileLength - index.endOffset, reason: reason ?? 'unknown' } : undefined;
  pass = index.objectCount === 0 ? 0 : (await lastRecord(file, index)).header.pass;
  return { index, pass: Math.max(pass, checkpointPass), checkpoint: state, scannedRecords: scanned, tail, version: fileVersion(fileHeader), rewritten };
}
