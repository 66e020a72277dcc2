// FORMAT.md "Index checkpoint": the in-memory index saved beside the data so open() need not walk every header.
// Version 2 stores anchors per record and runs of filemarks; a version 1 checkpoint (anchors per 32 objects, one
// entry per filemark) is still read.
import { crc32c } from '../crc32c.js';
import { INDEX_STRIDE, type IndexState } from './object-index.js';
import { FILE_HEADER_BYTES } from './file-header.js';
import { RECORD_HEADER_BYTES } from './record-header.js';

export const CHECKPOINT_MAGIC = Buffer.from('VTLINDEX', 'latin1');
export const CHECKPOINT_VERSION = 2;
export const CHECKPOINT_HEADER_BYTES = 72;
const V1_HEADER_BYTES = 44;

export const CheckpointOffset = {
  MAGIC: 0,
  VERSION: 8,
  STRIDE: 12,
  OBJECT_COUNT: 16,
  END_OFFSET: 24,
  ANCHOR_COUNT: 32,
  RUN_COUNT: 40,
  PASS: 48,
  FLAGS: 52,
  REWRITTEN_OFFSET: 56,
  REWRITTEN_FIRST_OBJECT: 64,
  ANCHORS: 72,
} as const;

/** FLAGS bit 0: the REWRITTEN fields name the last record, rewritten by a cut inside a filemark run. */
const FLAG_REWRITTEN = 0x1;

/** The last record, as a cut inside a filemark run rewrote it: the filemarks from `firstObject` to the end, at `offset`. */
export interface RewrittenRecord {
  readonly offset: number;
  readonly firstObject: number;
}

export interface Checkpoint extends IndexState {
  /** The medium's write pass when the checkpoint was taken: no record it describes has a higher one. */
  readonly pass: number;
  readonly rewritten?: RewrittenRecord;
}

const TWO_32 = 2 ** 32;

function writeU64(target: Buffer, value: number, offset: number): void {
  target.writeUInt32LE(value % TWO_32, offset);
  target.writeUInt32LE(Math.floor(value / TWO_32), offset + 4);
}

function readU64(source: Buffer, offset: number): number {
  return source.readUInt32LE(offset + 4) * TWO_32 + source.readUInt32LE(offset);
}

export function encodeCheckpoint(checkpoint: Checkpoint): Buffer {
  const anchorCount = checkpoint.anchorObjects.length;
  const runCount = checkpoint.runStarts.length;
  const bytes = Buffer.alloc(CHECKPOINT_HEADER_BYTES + 16 * (anchorCount + runCount) + 4);
  CHECKPOINT_MAGIC.copy(bytes, CheckpointOffset.MAGIC);
  bytes.writeUInt32LE(CHECKPOINT_VERSION, CheckpointOffset.VERSION);
  bytes.writeUInt32LE(INDEX_STRIDE, CheckpointOffset.STRIDE);
  writeU64(bytes, checkpoint.objectCount, CheckpointOffset.OBJECT_COUNT);
  writeU64(bytes, checkpoint.endOffset, CheckpointOffset.END_OFFSET);
  writeU64(bytes, anchorCount, CheckpointOffset.ANCHOR_COUNT);
  writeU64(bytes, runCount, CheckpointOffset.RUN_COUNT);
  bytes.writeUInt32LE(checkpoint.pass >>> 0, CheckpointOffset.PASS);
  if (checkpoint.rewritten !== undefined) {
    bytes.writeUInt32LE(FLAG_REWRITTEN, CheckpointOffset.FLAGS);
    writeU64(bytes, checkpoint.rewritten.offset, CheckpointOffset.REWRITTEN_OFFSET);
    writeU64(bytes, checkpoint.rewritten.firstObject, CheckpointOffset.REWRITTEN_FIRST_OBJECT);
  }
  let at = CheckpointOffset.ANCHORS;
  for (let i = 0; i < anchorCount; i++, at += 16) {
    writeU64(bytes, checkpoint.anchorObjects[i], at);
    writeU64(bytes, checkpoint.anchorOffsets[i], at + 8);
  }
  for (let i = 0; i < runCount; i++, at += 16) {
    writeU64(bytes, checkpoint.runStarts[i], at);
    writeU64(bytes, checkpoint.runLengths[i], at + 8);
  }
  bytes.writeUInt32LE(crc32c(bytes.subarray(0, at)), at);
  return bytes;
}

/** The checkpoint, or why it cannot be used (then the index is rebuilt from the records). */
export function decodeCheckpoint(bytes: Buffer): Checkpoint | string {
  if (bytes.length < V1_HEADER_BYTES + 4) return 'it is shorter than its header';
  if (!bytes.subarray(0, 8).equals(CHECKPOINT_MAGIC)) return 'it does not start with the index magic';
  const crcAt = bytes.length - 4;
  if (bytes.readUInt32LE(crcAt) !== crc32c(bytes.subarray(0, crcAt))) return 'it fails its CRC';
  if (bytes.readUInt32LE(CheckpointOffset.STRIDE) !== INDEX_STRIDE) return 'it was built with another stride';
  const version = bytes.readUInt32LE(CheckpointOffset.VERSION);
  const decoded = version === 1 ? decodeVersion1(bytes, crcAt) : version === CHECKPOINT_VERSION ? decodeVersion2(bytes, crcAt) : 'it has an unknown version';
  return typeof decoded === 'string' ? decoded : (checkOrder(decoded) ?? decoded);
}

function decodeVersion2(bytes: Buffer, crcAt: number): Checkpoint | string {
  if (crcAt < CHECKPOINT_HEADER_BYTES) return 'it is shorter than its header';
  const anchorCount = readU64(bytes, CheckpointOffset.ANCHOR_COUNT);
  const runCount = readU64(bytes, CheckpointOffset.RUN_COUNT);
  if (CHECKPOINT_HEADER_BYTES + 16 * (anchorCount + runCount) !== crcAt) return 'its length does not match its counts';
  const flags = bytes.readUInt32LE(CheckpointOffset.FLAGS);
  if ((flags & ~FLAG_REWRITTEN) !== 0) return 'it has unknown flags';
  const anchorObjects = new Float64Array(anchorCount);
  const anchorOffsets = new Float64Array(anchorCount);
  const runStarts = new Float64Array(runCount);
  const runLengths = new Float64Array(runCount);
  let at = CheckpointOffset.ANCHORS;
  for (let i = 0; i < anchorCount; i++, at += 16) {
    anchorObjects[i] = readU64(bytes, at);
    anchorOffsets[i] = readU64(bytes, at + 8);
  }
  for (let i = 0; i < runCount; i++, at += 16) {
    runStarts[i] = readU64(bytes, at);
    runLengths[i] = readU64(bytes, at + 8);
  }
  const rewritten = (flags & FLAG_REWRITTEN) === 0 ? undefined : { offset: readU64(bytes, CheckpointOffset.REWRITTEN_OFFSET), firstObject: readU64(bytes, CheckpointOffset.REWRITTEN_FIRST_OBJECT) };
  const state = {
    objectCount: readU64(bytes, CheckpointOffset.OBJECT_COUNT), endOffset: readU64(bytes, CheckpointOffset.END_OFFSET),
    anchorObjects, anchorOffsets, runStarts, runLengths, pass: bytes.readUInt32LE(CheckpointOffset.PASS),
  };
  return rewritten === undefined ? state : { ...state, rewritten };
}

/** Version 1: an anchor per 32 objects and one entry per filemark (every record then held one object). */
function decodeVersion1(bytes: Buffer, crcAt: number): Checkpoint | string {
  const objectCount = readU64(bytes, 16);
  const markCount = readU64(bytes, 32);
  const anchorCount = Math.ceil(objectCount / INDEX_STRIDE);
  if (V1_HEADER_BYTES + 8 * (anchorCount + markCount) !== crcAt) return 'its length does not match its counts';
  const anchorObjects = new Float64Array(anchorCount);
  const anchorOffsets = new Float64Array(anchorCount);
  for (let i = 0; i < anchorCount; i++) {
    anchorObjects[i] = i * INDEX_STRIDE;
    anchorOffsets[i] = readU64(bytes, V1_HEADER_BYTES + 8 * i);
  }
  const runStarts: number[] = [];
  const runLengths: number[] = [];
  for (let i = 0, at = V1_HEADER_BYTES + 8 * anchorCount; i < markCount; i++, at += 8) {
    const mark = readU64(bytes, at);
    const last = runStarts.length - 1;
    if (last >= 0 && runStarts[last] + runLengths[last] === mark) runLengths[last]++;
    else if (last >= 0 && mark < runStarts[last] + runLengths[last]) return 'its filemarks are out of order';
    else {
      runStarts.push(mark);
      runLengths.push(1);
    }
  }
  return { objectCount, endOffset: readU64(bytes, 24), anchorObjects, anchorOffsets, runStarts, runLengths, pass: bytes.readUInt32LE(40) };
}

/** Why the anchors, runs or rewritten record are impossible, if they are. */
function checkOrder(c: Checkpoint): string | undefined {
  if (c.endOffset < FILE_HEADER_BYTES) return 'its end of data lies inside the file header';
  if ((c.objectCount === 0) !== (c.anchorObjects.length === 0)) return 'its anchors do not match its object count';
  if (c.anchorObjects.length > 0 && (c.anchorObjects[0] !== 0 || c.anchorOffsets[0] !== FILE_HEADER_BYTES)) return 'its first anchor is not object 0';
  for (let i = 1; i < c.anchorObjects.length; i++) {
    if (c.anchorObjects[i] <= c.anchorObjects[i - 1] || c.anchorOffsets[i] <= c.anchorOffsets[i - 1]) return 'its anchors are out of order';
  }
  const lastAnchor = c.anchorObjects.length - 1;
  if (lastAnchor >= 0 && (c.anchorObjects[lastAnchor] >= c.objectCount || c.anchorOffsets[lastAnchor] >= c.endOffset)) return 'its anchors are out of order';
  for (let i = 0; i < c.runStarts.length; i++) {
    const afterPrevious = i === 0 ? 0 : c.runStarts[i - 1] + c.runLengths[i - 1] + 1;
    if (c.runLengths[i] < 1 || c.runStarts[i] < afterPrevious || c.runStarts[i] + c.runLengths[i] > c.objectCount) return 'its filemarks are out of order';
  }
  const r = c.rewritten;
  if (r === undefined) return undefined;
  const runs = c.runStarts.length;
  const lastRunCovers = runs > 0 && c.runStarts[runs - 1] <= r.firstObject && c.runStarts[runs - 1] + c.runLengths[runs - 1] === c.objectCount;
  if (r.offset + RECORD_HEADER_BYTES !== c.endOffset || r.firstObject >= c.objectCount || !lastRunCovers) return 'its rewritten record is not its last filemark record';
  return undefined;
}
