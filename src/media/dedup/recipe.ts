// FORMAT.md "Deduplication / Recipes": the deduplicated prefix of a cartridge, as the list of its objects (data
// blocks by length, filemark runs by count) and the list of chunks whose concatenation is the data stream (the data
// blocks back to back). Block i is the stream bytes from the sum of the earlier blocks' lengths; it may start and end
// inside chunks. A recipe is immutable: a pass or a cut builds a new one, saved atomically (`recipe.vtrcp`).
import { crc32c } from '../../crc32c.js';
import { GrowableArray, ObjectIndex } from '../object-index.js';
import type { FilemarkView } from '../space.js';
import type { WormView } from '../worm-rule.js';

/** The recipe's file in the cartridge's folder. */
export const RECIPE_FILE = 'recipe.vtrcp';
export const RECIPE_MAGIC = Buffer.from('VTLRECP\0', 'latin1');
export const RECIPE_VERSION = 1;
const HEADER_BYTES = 40;
const ENTRY_BYTES = 8;
const CHUNK_BYTES = 12;
const EntryType = { BLOCK: 1, FILEMARKS: 3 } as const;

export interface ChunkRef {
  readonly container: number;
  readonly offset: number;
  readonly length: number;
}

/** Where a block's bytes are in the stream, or that the object is a filemark. */
export type ObjectSpan = { readonly kind: 'block'; readonly start: number; readonly length: number } | { readonly kind: 'filemark' };

export class Recipe {
  /** Per entry (a block or a run of filemarks): its first object, stream start, and type/length. */
  private readonly entryFirst = new GrowableArray();
  private readonly entryStart = new GrowableArray();
  private readonly entryLength: number[] = [];
  private readonly entryIsMarks: boolean[] = [];
  private readonly chunkStart = new GrowableArray();
  private readonly chunkList: ChunkRef[] = [];
  private readonly index = ObjectIndex.empty(0);
  private streamEnd = 0;
  /** The entry span() found last: where the next lookup starts. */
  private lastEntry = 0;
  private chunkEnd = 0;
  /** Bytes the moves into this recipe added to the chunk store (chunks new to it, with their headers): an upper bound of what it holds alone. */
  addedStoredBytes = 0;
  /** The chunk store its chunks are in (chunkStoreId() of its name; 0: global, the only store before scopes). */
  chunkStoreId = 0;

  /**
   * `absorbedPass`, `absorbedObjects`: the data file's pass and object count when its records last became part of
   * this recipe; until the data file is cut (a higher pass), those records are already here (FORMAT.md "The switch").
   */
  constructor(
    readonly absorbedPass = 0,
    readonly absorbedObjects = 0,
  ) {}

  get objectCount(): number {
    return this.index.objectCount;
  }

  /** Data bytes in the recipe (the logical bytes of its blocks). */
  get logicalBytes(): number {
    return this.streamEnd;
  }

  get chunks(): readonly ChunkRef[] {
    return this.chunkList;
  }

  get entryCount(): number {
    return this.entryLength.length;
  }

  /** The size of its file (what a cartridge whose chunks were all stored before still costs). */
  get encodedBytes(): number {
    return this.chunkList.length === 0 && this.entryCount === 0 ? 0 : HEADER_BYTES + this.entryCount * ENTRY_BYTES + this.chunkList.length * CHUNK_BYTES + 4;
  }

  /** Filemarks and runs, for SPACE, LOCATE and the WORM rule. */
  get marks(): FilemarkView & WormView {
    return this.index;
  }

  addBlock(length: number): void {
    this.pushEntry(false, length, 1);
    this.streamEnd += length;
  }

  addFilemarks(count: number): void {
    this.pushEntry(true, count, count);
  }

  addChunk(ref: ChunkRef): void {
    this.chunkStart.push(this.chunkEnd);
    this.chunkList.push(ref);
    this.chunkEnd += ref.length;
  }

  /** The blocks' bytes are all in chunks, and the chunks hold nothing else (a recipe that says otherwise is damaged). */
  get complete(): boolean {
    return this.chunkEnd === this.streamEnd;
  }

  /** Bytes of the last chunk past the last block (after cutAt() inside a chunk; 0 in a complete recipe). */
  get overhang(): number {
    return this.chunkEnd - this.streamEnd;
  }

  /** Replace the last chunk (by one holding only its bytes the blocks use: see cutAt()). */
  replaceLastChunk(ref: ChunkRef): void {
    const last = this.chunkList.length - 1;
    const previous = this.chunkList[last];
    if (previous === undefined) throw new RangeError('a recipe without chunks has no last chunk');
    this.chunkList[last] = ref;
    this.chunkEnd += ref.length - previous.length;
  }

  span(objectNumber: number): ObjectSpan {
    const entry = this.entryOf(objectNumber);
    this.lastEntry = entry;
    if (this.entryIsMarks[entry] === true) return { kind: 'filemark' };
    return { kind: 'block', start: this.entryStart.at(entry), length: this.entryLength[entry] ?? 0 };
  }

  get chunkCount(): number {
    return this.chunkList.length;
  }

  /** Chunk `k` (0 <= k < chunkCount). */
  chunkAt(k: number): ChunkRef {
    const ref = this.chunkList[k];
    if (ref === undefined) throw new RangeError(`chunk ${k} outside 0..${this.chunkList.length - 1}`);
    return ref;
  }

  /** Where chunk `k` starts in the stream. */
  chunkStartAt(k: number): number {
    return this.chunkStart.at(k);
  }

  /**
   * The chunk that holds stream byte `offset` (the last one for the stream's end); `hint`, a guess tried first, makes
   * the next block's lookup O(1) in a sequential read (the chunk after the last one the block before used).
   */
  chunkIndexAt(offset: number, hint = -1): number {
    const count = this.chunkList.length;
    for (const k of [hint, hint + 1]) {
      if (k >= 0 && k < count && this.chunkStart.at(k) <= offset && (k + 1 === count || this.chunkStart.at(k + 1) > offset)) return k;
    }
    return Math.max(0, this.chunkStart.lowerBound(offset + 1) - 1);
  }

  /** The entry that holds object `objectNumber`: the last one span() found or the next (a sequential read, O(1)), else a search. */
  private entryOf(objectNumber: number): number {
    const entries = this.entryLength.length;
    for (let e = this.lastEntry; e >= 0 && e <= this.lastEntry + 1 && e < entries; e++) {
      if (this.entryFirst.at(e) <= objectNumber && (e + 1 === entries || this.entryFirst.at(e + 1) > objectNumber)) return e;
    }
    return this.entryFirst.lowerBound(objectNumber + 1) - 1;
  }

  /** The chunks that hold stream bytes [start, start + length), with where each starts in the stream. */
  chunksFor(start: number, length: number): { ref: ChunkRef; start: number }[] {
    const found: { ref: ChunkRef; start: number }[] = [];
    for (let k = Math.max(0, this.chunkStart.lowerBound(start + 1) - 1); k < this.chunkList.length; k++) {
      const chunkStart = this.chunkStart.at(k);
      if (chunkStart >= start + length && length > 0) break;
      found.push({ ref: this.chunkList[k], start: chunkStart });
      if (length === 0) break;
    }
    return found;
  }

  /**
   * A new recipe of objects 0..objectNumber-1, keeping the chunks they use; inside a filemark run it keeps the
   * filemarks before `objectNumber`. When the cut falls inside a chunk, the last chunk overhangs the last block: the
   * caller replaces it by its used prefix (replaceLastChunk) before the recipe is saved, so that the next blocks
   * moved in start where their chunks do.
   */
  cutAt(objectNumber: number, absorbedPass: number): Recipe {
    const cut = new Recipe(absorbedPass, 0);
    cut.addedStoredBytes = objectNumber === 0 ? 0 : this.addedStoredBytes;
    cut.chunkStoreId = this.chunkStoreId;
    for (let e = 0; e < this.entryLength.length; e++) {
      const first = this.entryFirst.at(e);
      if (first >= objectNumber) break;
      if (this.entryIsMarks[e] === true) cut.addFilemarks(Math.min(this.entryLength[e] ?? 0, objectNumber - first));
      else cut.addBlock(this.entryLength[e] ?? 0);
    }
    for (let k = 0; k < this.chunkList.length && this.chunkStart.at(k) < cut.streamEnd; k++) cut.addChunk(this.chunkList[k]);
    return cut;
  }

  /** A copy to extend with more objects and chunks, saying the data file's records up to `absorbedObjects` are in it. */
  extendedCopy(absorbedPass: number, absorbedObjects: number): Recipe {
    const copy = new Recipe(absorbedPass, absorbedObjects);
    copy.addedStoredBytes = this.addedStoredBytes;
    copy.chunkStoreId = this.chunkStoreId;
    for (let e = 0; e < this.entryLength.length; e++) {
      if (this.entryIsMarks[e] === true) copy.addFilemarks(this.entryLength[e] ?? 0);
      else copy.addBlock(this.entryLength[e] ?? 0);
    }
    for (const ref of this.chunkList) copy.addChunk(ref);
    return copy;
  }

  encode(): Buffer {
    const bytes = Buffer.alloc(HEADER_BYTES + this.entryCount * ENTRY_BYTES + this.chunkList.length * CHUNK_BYTES + 4); // encodedBytes, but never 0
    RECIPE_MAGIC.copy(bytes, 0);
    bytes.writeUInt16LE(RECIPE_VERSION, 8);
    bytes.writeUInt32LE(this.absorbedPass, 12);
    bytes.writeUInt32LE(this.absorbedObjects, 16);
    bytes.writeUInt32LE(this.entryCount, 20);
    bytes.writeUInt32LE(this.chunkList.length, 24);
    bytes.writeUInt32LE(this.chunkStoreId, 28);
    bytes.writeBigUInt64LE(BigInt(this.addedStoredBytes), 32);
    let at = HEADER_BYTES;
    for (let e = 0; e < this.entryCount; e++, at += ENTRY_BYTES) {
      bytes.writeUInt8(this.entryIsMarks[e] === true ? EntryType.FILEMARKS : EntryType.BLOCK, at);
      bytes.writeUInt32LE(this.entryLength[e] ?? 0, at + 4);
    }
    for (const ref of this.chunkList) {
      bytes.writeUInt32LE(ref.container, at);
      bytes.writeUInt32LE(ref.offset, at + 4);
      bytes.writeUInt32LE(ref.length, at + 8);
      at += CHUNK_BYTES;
    }
    bytes.writeUInt32LE(crc32c(bytes.subarray(0, at)), at);
    return bytes;
  }

  private pushEntry(isMarks: boolean, length: number, objects: number): void {
    const last = this.entryLength.length - 1;
    if (isMarks && last >= 0 && this.entryIsMarks[last] === true) {
      this.entryLength[last] = (this.entryLength[last] ?? 0) + length; // one entry per run, as the index keeps them
    } else {
      this.entryFirst.push(this.index.objectCount);
      this.entryStart.push(this.streamEnd);
      this.entryLength.push(length);
      this.entryIsMarks.push(isMarks);
    }
    this.index.append(isMarks, this.streamEnd, isMarks ? 0 : length, objects);
  }
}

/** A recipe from its file, or why the file is unusable (then the cartridge cannot be opened: nothing is guessed). */
export function decodeRecipe(bytes: Buffer): Recipe | string {
  if (bytes.length < HEADER_BYTES + 4 || !bytes.subarray(0, 8).equals(RECIPE_MAGIC)) return 'not a recipe';
  if (bytes.readUInt32LE(bytes.length - 4) !== crc32c(bytes.subarray(0, bytes.length - 4))) return 'recipe CRC mismatch';
  if (bytes.readUInt16LE(8) !== RECIPE_VERSION) return `recipe version ${bytes.readUInt16LE(8)} unknown`;
  const entries = bytes.readUInt32LE(20);
  const chunks = bytes.readUInt32LE(24);
  if (bytes.length !== HEADER_BYTES + entries * ENTRY_BYTES + chunks * CHUNK_BYTES + 4) return 'recipe length does not match its counts';
  const recipe = new Recipe(bytes.readUInt32LE(12), bytes.readUInt32LE(16));
  recipe.addedStoredBytes = Number(bytes.readBigUInt64LE(32));
  recipe.chunkStoreId = bytes.readUInt32LE(28);
  let at = HEADER_BYTES;
  for (let e = 0; e < entries; e++, at += ENTRY_BYTES) {
    const type = bytes.readUInt8(at);
    const length = bytes.readUInt32LE(at + 4);
    if (type === EntryType.FILEMARKS && length > 0) recipe.addFilemarks(length);
    else if (type === EntryType.BLOCK) recipe.addBlock(length);
    else return `recipe entry ${e} invalid`;
  }
  for (let k = 0; k < chunks; k++, at += CHUNK_BYTES) {
    recipe.addChunk({ container: bytes.readUInt32LE(at), offset: bytes.readUInt32LE(at + 4), length: bytes.readUInt32LE(at + 8) });
  }
  return recipe.complete ? recipe : 'recipe chunks do not cover its blocks';
}
