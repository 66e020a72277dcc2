// FORMAT.md "Index checkpoint": the in-memory index saved beside the data so open() need not walk every header.
import { crc32c } from '../crc32c.js';
import { INDEX_STRIDE, type IndexState } from './object-index.js';
import { FILE_HEADER_BYTES } from './file-header.js';

export const CHECKPOINT_MAGIC = Buffer.from('VTLINDEX', 'latin1');
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_HEADER_BYTES = 44;

export const CheckpointOffset = {
  MAGIC: 0,
  VERSION: 8,
  STRIDE: 12,
  OBJECT_COUNT: 16,
  END_OFFSET: 24,
  FILEMARK_COUNT: 32,
  PASS: 40,
  ANCHORS: 44,
} as const;

export interface Checkpoint extends IndexState {
  /** The medium's write pass when the checkpoint was taken: no record it describes has a higher one. */
  readonly pass: number;
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
  const anchorCount = checkpoint.anchors.length;
  const markCount = checkpoint.filemarks.length;
  const bytes = Buffer.alloc(CHECKPOINT_HEADER_BYTES + 8 * (anchorCount + markCount) + 4);
  CHECKPOINT_MAGIC.copy(bytes, CheckpointOffset.MAGIC);
  bytes.writeUInt32LE(CHECKPOINT_VERSION, CheckpointOffset.VERSION);
  bytes.writeUInt32LE(INDEX_STRIDE, CheckpointOffset.STRIDE);
  writeU64(bytes, checkpoint.objectCount, CheckpointOffset.OBJECT_COUNT);
  writeU64(bytes, checkpoint.endOffset, CheckpointOffset.END_OFFSET);
  writeU64(bytes, markCount, CheckpointOffset.FILEMARK_COUNT);
  bytes.writeUInt32LE(checkpoint.pass >>> 0, CheckpointOffset.PASS);
  let at = CheckpointOffset.ANCHORS;
  for (let i = 0; i < anchorCount; i++, at += 8) writeU64(bytes, checkpoint.anchors[i], at);
  for (let i = 0; i < markCount; i++, at += 8) writeU64(bytes, checkpoint.filemarks[i], at);
  bytes.writeUInt32LE(crc32c(bytes.subarray(0, at)), at);
  return bytes;
}

/** The checkpoint, or why it cannot be used (then the index is rebuilt from the records). */
export function decodeCheckpoint(bytes: Buffer): Checkpoint | string {
  if (bytes.length < CHECKPOINT_HEADER_BYTES + 4) return 'it is shorter than its header';
  if (!bytes.subarray(0, 8).equals(CHECKPOINT_MAGIC)) return 'it does not start with the index magic';
  const crcAt = bytes.length - 4;
  if (bytes.readUInt32LE(crcAt) !== crc32c(bytes.subarray(0, crcAt))) return 'it fails its CRC';
  if (bytes.readUInt32LE(CheckpointOffset.VERSION) !== CHECKPOINT_VERSION) return 'it has an unknown version';
  if (bytes.readUInt32LE(CheckpointOffset.STRIDE) !== INDEX_STRIDE) return 'it was built with another stride';
  const objectCount = readU64(bytes, CheckpointOffset.OBJECT_COUNT);
  const endOffset = readU64(bytes, CheckpointOffset.END_OFFSET);
  const markCount = readU64(bytes, CheckpointOffset.FILEMARK_COUNT);
  const anchorCount = Math.ceil(objectCount / INDEX_STRIDE);
  if (CHECKPOINT_HEADER_BYTES + 8 * (anchorCount + markCount) !== crcAt) return 'its length does not match its counts';
  if (endOffset < FILE_HEADER_BYTES) return 'its end of data lies inside the file header';
  const anchors = new Float64Array(anchorCount);
  const filemarks = new Float64Array(markCount);
  let at = CheckpointOffset.ANCHORS;
  for (let i = 0; i < anchorCount; i++, at += 8) anchors[i] = readU64(bytes, at);
  for (let i = 0; i < markCount; i++, at += 8) filemarks[i] = readU64(bytes, at);
  for (let i = 0; i < anchorCount; i++) {
    const previous = i === 0 ? FILE_HEADER_BYTES - 1 : anchors[i - 1];
    if (anchors[i] <= previous || anchors[i] >= endOffset) return 'its anchors are out of order';
  }
  for (let i = 0; i < markCount; i++) {
    if (filemarks[i] >= objectCount || (i > 0 && filemarks[i] <= filemarks[i - 1])) return 'its filemarks are out of order';
  }
  return { objectCount, endOffset, anchors, filemarks, pass: bytes.readUInt32LE(CheckpointOffset.PASS) };
}
