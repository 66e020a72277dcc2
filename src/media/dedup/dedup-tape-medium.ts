// FORMAT.md "Deduplication / A deduplicated cartridge": objects 0..R-1 come from the cartridge's recipe (chunks in the
// chunk store), objects R.. from its data file, which a FileTapeMedium (the tail) keeps as ever: writes at end of data
// go there at line rate, and the background pass (dedup-pass.ts) moves them into the recipe later. A write, erase or
// SET CAPACITY inside the recipe cuts it (a shorter recipe, saved after the data file was erased). The drive is the
// one owner of ordering, as for every TapeMedium: one call at a time.
import type { Logger } from '../../log.js';
import type { Storage } from '../../storage/storage.js';
import type { FileTapeMedium } from '../file-tape-medium.js';
import { RECORD_HEADER_BYTES } from '../record-header.js';
import * as Space from '../space.js';
import {
  MediaFormatError, MediaWriteError, PartitionsUnsupportedError, StorageFullError, WormViolationError, type MediumCapacity, type MediumPosition, type MediumRetentionLock,
  type MediumStatistics, type NextObject, type ReadOutcome, type SpaceOutcome, type TapeMedium, type WriteOptions, type WriteOutcome,
} from '../tape-medium.js';
import { OperationGuard } from '../operation-guard.js';
import { wormAllowsWrite } from '../worm-rule.js';
import { absorbDataFile, type AbsorbResult } from './absorb-data-file.js';
import type { ChunkSizes } from './content-chunker.js';
import { ChunkReader } from './chunk-reader.js';
import { ChunkDamagedError, type ChunkStore } from './chunk-store.js';
import { JoinedMarks } from './joined-marks.js';
import { RECIPE_FILE, type ChunkRef, type Recipe } from './recipe.js';
import { usageOf, type CartridgeDedupUsage } from './dedup-usage.js';

/** Bytes a recipe counts for in the capacity: its records as the data file would hold them uncompressed. */
export function recipeUsedBytes(recipe: Recipe): number {
  return recipe.logicalBytes + recipe.entryCount * RECORD_HEADER_BYTES;
}

export interface DedupTapeMediumParts {
  readonly tail: FileTapeMedium;
  readonly recipe: Recipe;
  readonly chunks: ChunkStore;
  readonly storage: Storage;
  readonly log: Logger;
  /** Told when the medium is closed (the store then lets the background pass at it), with its usage if it closed cleanly. */
  readonly closed: (usage: CartridgeDedupUsage | undefined) => void;
}

export class DedupTapeMedium implements TapeMedium {
  readonly barcode: string;
  readonly worm: boolean;
  readonly nativeCapacityBytes: number;
  private readonly tail: FileTapeMedium;
  private recipe: Recipe;
  private readonly chunks: ChunkStore;
  private readonly storage: Storage;
  private readonly log: Logger;
  private readonly closed: (usage: CartridgeDedupUsage | undefined) => void;
  private current = 0;
  /** The last chunk read, for the next block that starts in it. */
  private cached: { ref: ChunkRef; data: Buffer } | undefined;
  private recipeBytesRead = 0;
  private recipeBlocksRead = 0;
  /** What absorb() read from the data file: not the host's reads, so not in statistics(). */
  private absorbedBytesRead = 0;
  private absorbedBlocksRead = 0;
  private readonly guard: OperationGuard;
  private readonly reader: ChunkReader;

  constructor(parts: DedupTapeMediumParts) {
    this.tail = parts.tail;
    this.recipe = parts.recipe;
    this.chunks = parts.chunks;
    this.storage = parts.storage;
    this.log = parts.log;
    this.closed = parts.closed;
    this.barcode = parts.tail.barcode;
    this.worm = parts.tail.worm;
    this.nativeCapacityBytes = parts.tail.nativeCapacityBytes;
    this.guard = new OperationGuard(this.barcode);
    this.reader = new ChunkReader(parts.chunks);
    this.tail.reserveBytes(recipeUsedBytes(this.recipe));
  }

  /**
   * The background pass on a mounted cartridge whose drive is idle: move the data file into the recipe. The position
   * does not change (object numbers are the same in the recipe).
   */
  absorb(sizes?: ChunkSizes): Promise<AbsorbResult> {
    return this.guarded('absorb', async () => {
      const before = this.tail.statistics();
      const position = this.current; // shifted() clamps it to the emptied data file before the new recipe is in place
      const moved = await this.shifted(() => absorbDataFile({ tail: this.tail, recipe: this.recipe, chunks: this.chunks, storage: this.storage, ...(sizes && { sizes }) }));
      const after = this.tail.statistics();
      this.absorbedBytesRead += after.hostBytesRead - before.hostBytesRead;
      this.absorbedBlocksRead += after.blocksRead - before.blocksRead;
      this.recipe = moved.recipe;
      this.current = position;
      this.tail.reserveBytes(recipeUsedBytes(moved.recipe));
      return moved.result;
    });
  }

  /** What the cartridge holds and costs now (CartridgeDedupUsage), from the recipe and the data file in hand. */
  usage(): CartridgeDedupUsage {
    return usageOf(this.recipe, Math.max(0, this.tail.capacity().usedBytes - recipeUsedBytes(this.recipe)));
  }

  /** Objects in the data file, not yet in the recipe (the background pass's backlog). */
  get unabsorbedObjects(): number {
    return this.tail.endOfData;
  }

  /** Objects in the recipe (the deduplicated prefix). */
  get recipeObjects(): number {
    return this.recipe.objectCount;
  }

  position(): MediumPosition {
    const end = this.recipe.objectCount + this.tail.endOfData;
    return { objectNumber: this.current, fileNumber: this.view().filemarksBefore(this.current), atEndOfData: this.current >= end };
  }

  capacity(): MediumCapacity {
    return this.tail.capacity();
  }

  statistics(): MediumStatistics {
    const tail = this.tail.statistics();
    return {
      ...tail,
      hostBytesRead: tail.hostBytesRead + this.recipeBytesRead - this.absorbedBytesRead,
      lifetimeHostBytesRead: tail.lifetimeHostBytesRead + this.recipeBytesRead - this.absorbedBytesRead,
      blocksRead: tail.blocksRead + this.recipeBlocksRead - this.absorbedBlocksRead,
    };
  }

  read(): Promise<ReadOutcome> {
    return this.guarded('read', () => this.readNow());
  }

  private async readNow(): Promise<ReadOutcome> {
    const r = this.recipe.objectCount;
    if (this.current >= r) {
      await this.alignTail();
      const outcome = await this.shifted(() => this.tail.read());
      if (outcome.kind !== 'end-of-data') this.current++;
      return outcome;
    }
    const span = this.recipe.span(this.current);
    if (span.kind === 'filemark') {
      this.current++;
      return { kind: 'filemark' };
    }
    const data = Buffer.allocUnsafe(span.length);
    try {
      for (const { ref, start } of this.recipe.chunksFor(span.start, span.length)) {
        const chunk = await this.chunk(ref);
        const from = Math.max(span.start, start);
        const to = Math.min(span.start + span.length, start + ref.length);
        chunk.copy(data, from - span.start, from - start, to - start);
      }
    } catch (error) {
      if (!(error instanceof ChunkDamagedError)) throw error;
      this.log.warn({ objectNumber: this.current, err: error.message }, 'unreadable chunk');
      throw new MediaFormatError(`Cannot read object ${this.current} of cartridge ${this.barcode}: ${error.message}`, this.current);
    }
    this.current++;
    this.recipeBytesRead += data.length;
    this.recipeBlocksRead++;
    return { kind: 'block', data };
  }

  /** The object at the position without moving: the recipe holds blocks and filemarks only (never host-encrypted). */
  peek(): Promise<NextObject> {
    return this.guarded('peek', async () => {
      if (this.current >= this.recipe.objectCount) {
        await this.alignTail();
        return this.shifted(() => this.tail.peek());
      }
      return { kind: this.recipe.span(this.current).kind === 'filemark' ? 'filemark' : 'block' };
    });
  }

  write(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    return this.guarded('write', () => this.writeNow(block, options));
  }

  private async writeNow(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    await this.beforeWrite();
    return this.shifted(() => this.tail.write(block, options)).then((outcome) => {
      this.current++;
      return outcome;
    });
  }

  writeFilemarks(count: number): Promise<WriteOutcome> {
    return this.guarded('writeFilemarks', () => this.writeFilemarksNow(count));
  }

  private async writeFilemarksNow(count: number): Promise<WriteOutcome> {
    if (count === 0) return this.tail.writeFilemarks(0);
    await this.beforeWrite();
    const outcome = await this.shifted(() => this.tail.writeFilemarks(count));
    this.current += count;
    return outcome;
  }

  spaceBlocks(count: number): Promise<SpaceOutcome> {
    return this.move((marks, position) => Space.spaceBlocks(marks, position, count), count);
  }

  spaceFilemarks(count: number): Promise<SpaceOutcome> {
    return this.move((marks, position) => Space.spaceFilemarks(marks, position, count), count);
  }

  spaceSequentialFilemarks(count: number): Promise<SpaceOutcome> {
    return this.move((marks, position) => Space.spaceSequentialFilemarks(marks, position, count), count);
  }

  async spaceToEndOfData(): Promise<void> {
    await this.move((marks) => ({ position: marks.objectCount, outcome: { counted: 0 } }));
  }

  locate(objectNumber: number): Promise<SpaceOutcome> {
    if (objectNumber < 0) return Promise.reject(new RangeError(`Cannot locate object ${objectNumber}`));
    return this.move((marks, position) => Space.locate(marks, position, objectNumber), objectNumber);
  }

  async rewind(): Promise<void> {
    await this.move(() => ({ position: 0, outcome: { counted: 0 } }));
  }

  erase(): Promise<void> {
    return this.guarded('erase', () => this.eraseNow());
  }

  private async eraseNow(): Promise<void> {
    if (this.worm) throw new WormViolationError(`Cannot erase WORM cartridge ${this.barcode}`);
    if (this.current < this.recipe.objectCount) await this.cutRecipe(this.current);
    else {
      await this.alignTail();
      await this.shifted(() => this.tail.erase());
    }
  }

  // One partition: a deduplicated cartridge is one recipe and one data file (docs/CONFORMANCE.md "Partitions").
  readonly partition = 0;
  readonly partitionLimit = 1;
  partitionCapacities(): readonly MediumCapacity[] {
    return [this.capacity()];
  }
  async changePartition(partition: number): Promise<void> {
    if (partition !== 0) throw new RangeError(`Cannot change to partition ${partition} of cartridge ${this.barcode}: it has 1`);
    await this.rewind();
  }
  /** FORMAT MEDIUM's default format only: everything erased, from the recipe's first object on. */
  format(partitionBytes: readonly number[]): Promise<void> {
    return this.guarded('format', async () => {
      if (partitionBytes.length > 0) throw new PartitionsUnsupportedError(`Cannot format deduplicated cartridge ${this.barcode} into partitions: it keeps one`);
      this.current = 0;
      await this.eraseNow();
    });
  }

  setCapacity(capacityBytes: number): Promise<void> {
    return this.guarded('setCapacity', () => this.setCapacityNow(capacityBytes));
  }

  private async setCapacityNow(capacityBytes: number): Promise<void> {
    if (this.worm) throw new WormViolationError(`Cannot set the capacity of WORM cartridge ${this.barcode}`);
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 1 || capacityBytes > this.nativeCapacityBytes) {
      throw new RangeError(`Cannot set the capacity of cartridge ${this.barcode} to ${capacityBytes} bytes: it must be 1 to ${this.nativeCapacityBytes}`);
    }
    if (this.recipe.objectCount > 0) await this.cutRecipe(0);
    await this.tail.setCapacity(capacityBytes);
    this.current = 0;
  }

  flush(): Promise<void> {
    return this.guarded('flush', () => this.shifted(() => this.tail.flush()));
  }

  close(): Promise<void> {
    return this.guarded('close', async () => {
      let usage: CartridgeDedupUsage | undefined;
      try {
        await this.shifted(() => this.tail.close());
        usage = this.usage();
      } finally {
        this.guard.close();
        this.closed(usage);
      }
    });
  }

  readAttributes(): ReadonlyMap<number, Buffer> {
    return this.tail.readAttributes();
  }

  writeAttributes(attributes: ReadonlyMap<number, Buffer>): Promise<void> {
    return this.guarded('writeAttributes', () => this.tail.writeAttributes(attributes));
  }

  retentionLock(): MediumRetentionLock | undefined {
    return this.tail.retentionLock();
  }

  keepRetentionLock(lock: MediumRetentionLock): Promise<void> {
    return this.guarded('keepRetentionLock', () => this.tail.keepRetentionLock(lock));
  }

  private view(): JoinedMarks {
    return new JoinedMarks(this.recipe.marks, this.tail.marks, this.tail.endOfData);
  }

  /** The WORM rule over recipe and data file, then the cut of the recipe when the write lands inside it. */
  private async beforeWrite(): Promise<void> {
    await this.settleTail();
    if (this.worm && !wormAllowsWrite(this.view(), this.current)) {
      throw new WormViolationError(`Cannot overwrite object ${this.current} of WORM cartridge ${this.barcode}`);
    }
    if (this.current < this.recipe.objectCount) await this.cutRecipe(this.current);
    await this.alignTail();
  }

  /**
   * Make object `objectNumber` (< R) the end of data. The data file is erased (and synced) first, then the shorter
   * recipe saved: a crash in between leaves the whole recipe and an empty data file, the cut not yet made.
   */
  private async cutRecipe(objectNumber: number): Promise<void> {
    await this.shifted(async () => {
      await this.tail.rewind();
      await this.tail.erase();
      await this.tail.flush();
    });
    const cut = this.recipe.cutAt(objectNumber, this.tail.writePass);
    if (cut.overhang > 0) await this.trimLastChunk(cut, objectNumber);
    await this.storage.writeFileAtomic(`${this.barcode}/${RECIPE_FILE}`, cut.encode());
    this.recipe = cut;
    this.cached = undefined;
    this.tail.reserveBytes(recipeUsedBytes(cut));
    this.log.info({ objectNumber }, 'deduplicated prefix cut');
  }

  /** The cut ends inside its last chunk: store the used prefix as a chunk of its own (synced) and refer to that. */
  private async trimLastChunk(cut: Recipe, objectNumber: number): Promise<void> {
    const last = cut.chunks.at(-1);
    if (last === undefined) return;
    try {
      await this.chunks.exclusive(async () => {
        const data = await this.chunks.get(last);
        const prefix = await this.chunks.store(data.subarray(0, last.length - cut.overhang));
        cut.replaceLastChunk(prefix.ref);
        cut.addedStoredBytes += prefix.addedBytes;
        await this.chunks.sync();
      });
    } catch (error) {
      if (!(error instanceof ChunkDamagedError)) throw error;
      throw new MediaFormatError(`Cannot write at object ${objectNumber} of cartridge ${this.barcode}: the block before it is unreadable: ${error.message}`, objectNumber - 1);
    }
  }

  /** Put the data file's position where the medium's is (it is at or after the recipe's end). */
  private async alignTail(): Promise<void> {
    const want = this.current - this.recipe.objectCount;
    if (this.tail.position().objectNumber !== want) await this.shifted(() => this.tail.locate(want));
  }

  /** Let the data file's write pipeline store what it holds (a locate where it stands), so its marks are current. */
  private async settleTail(): Promise<void> {
    await this.shifted(() => this.tail.locate(this.tail.position().objectNumber));
  }

  private move(compute: (marks: Space.FilemarkView, position: number) => Space.SpaceResult, ...numbers: number[]): Promise<SpaceOutcome> {
    return this.guarded('move', async () => {
      for (const n of numbers) if (!Number.isSafeInteger(n)) throw new RangeError(`Cannot move by or to ${n}: not an integer`);
      await this.settleTail();
      const result = compute(this.view(), this.current);
      this.current = result.position;
      return result.outcome;
    });
  }

  /** One operation at a time (tape-medium.ts): refused at once, not queued, when another runs or after close. */
  private guarded<T>(operation: string, body: () => Promise<T>): Promise<T> {
    try {
      this.guard.begin(operation);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return body().finally(() => this.guard.end());
  }

  private async chunk(ref: ChunkRef): Promise<Buffer> {
    const cached = this.cached;
    if (cached !== undefined && cached.ref.container === ref.container && cached.ref.offset === ref.offset) return cached.data;
    const data = await this.reader.get(ref);
    this.cached = { ref, data };
    return data;
  }

  /** Run a data file operation; its errors name objects of the data file, so they are moved by R. */
  private async shifted<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      const r = this.recipe.objectCount;
      if (r > 0 && error instanceof StorageFullError) throw new StorageFullError(error.message, error.code, error.endOfData + r);
      if (r > 0 && error instanceof MediaWriteError) throw new MediaWriteError(error.message, error.code, error.endOfData + r, error.lostAcknowledged);
      if (r > 0 && error instanceof MediaFormatError) throw new MediaFormatError(error.message, error.objectNumber + r);
      throw error;
    } finally {
      this.current = Math.min(this.current, this.recipe.objectCount + this.tail.endOfData);
    }
  }
}
