// FORMAT.md "Deduplication / A deduplicated cartridge": objects 0..R-1 come from the cartridge's recipe (chunks in the
// chunk store), objects R.. from its data file, which a FileTapeMedium (the tail) keeps as ever: writes at end of data
// go there at line rate, and the background pass (dedup-pass.ts) moves them into the recipe later. A write, erase or
// SET CAPACITY inside the recipe cuts it (a shorter recipe, saved after the data file was erased). The join itself is
// joined-cartridge.ts's; this part is the TapeMedium surface. The drive is the one owner of ordering, as for every
// TapeMedium: one call at a time (OperationGuard refuses a second).
import type { Logger } from '../../log.js';
import type { Storage } from '../../storage/storage.js';
import type { FileTapeMedium } from '../file-tape-medium.js';
import * as Space from '../space.js';
import {
  PartitionsUnsupportedError, WormViolationError, type MediumCapacity, type MediumPosition, type MediumRetentionLock,
  type MediumStatistics, type NextObject, type ReadOutcome, type SpaceOutcome, type TapeMedium, type WriteOptions, type WriteOutcome,
} from '../tape-medium.js';
import { OperationGuard } from '../operation-guard.js';
import { absorbDataFile, type AbsorbResult } from './absorb-data-file.js';
import type { ChunkSizes } from './content-chunker.js';
import type { ChunkStore } from './chunk-store.js';
import { JoinedCartridge, recipeUsedBytes } from './joined-cartridge.js';
import type { Recipe } from './recipe.js';
import { usageOf, type CartridgeDedupUsage } from './dedup-usage.js';

export { recipeUsedBytes } from './joined-cartridge.js';

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
  private readonly chunks: ChunkStore;
  private readonly storage: Storage;
  private readonly closed: (usage: CartridgeDedupUsage | undefined) => void;
  /** What absorb() read from the data file: not the host's reads, so not in statistics(). */
  private absorbedBytesRead = 0;
  private absorbedBlocksRead = 0;
  private readonly guard: OperationGuard;
  /** Recipe, data file and the position over both (joined-cartridge.ts). */
  private readonly join: JoinedCartridge;

  constructor(parts: DedupTapeMediumParts) {
    this.tail = parts.tail;
    this.chunks = parts.chunks;
    this.storage = parts.storage;
    this.closed = parts.closed;
    this.barcode = parts.tail.barcode;
    this.worm = parts.tail.worm;
    this.nativeCapacityBytes = parts.tail.nativeCapacityBytes;
    this.guard = new OperationGuard(this.barcode);
    this.join = new JoinedCartridge(parts.tail, parts.recipe, parts.chunks, parts.storage, parts.log);
  }

  /**
   * The background pass on a mounted cartridge whose drive is idle: move the data file into the recipe. The position
   * does not change (object numbers are the same in the recipe).
   */
  absorb(sizes?: ChunkSizes): Promise<AbsorbResult> {
    return this.guarded('absorb', async () => {
      const before = this.tail.statistics();
      const position = this.join.current; // shifted() clamps it to the emptied data file before the new recipe is in place
      const moved = await this.join.shifted(() => absorbDataFile({ tail: this.tail, recipe: this.join.recipe, chunks: this.chunks, storage: this.storage, ...(sizes && { sizes }) }));
      const after = this.tail.statistics();
      this.absorbedBytesRead += after.hostBytesRead - before.hostBytesRead;
      this.absorbedBlocksRead += after.blocksRead - before.blocksRead;
      this.join.recipe = moved.recipe;
      this.join.current = position;
      return moved.result;
    });
  }

  /** What the cartridge holds and costs now (CartridgeDedupUsage), from the recipe and the data file in hand. */
  usage(): CartridgeDedupUsage {
    return usageOf(this.join.recipe, Math.max(0, this.tail.capacity().usedBytes - recipeUsedBytes(this.join.recipe)));
  }

  /** Objects in the data file, not yet in the recipe (the background pass's backlog). */
  get unabsorbedObjects(): number {
    return this.tail.endOfData;
  }

  /** Objects in the recipe (the deduplicated prefix). */
  get recipeObjects(): number {
    return this.join.recipe.objectCount;
  }

  position(): MediumPosition {
    return this.join.position();
  }

  capacity(): MediumCapacity {
    return this.tail.capacity();
  }

  statistics(): MediumStatistics {
    const tail = this.tail.statistics();
    return {
      ...tail,
      hostBytesRead: tail.hostBytesRead + this.join.blocks.bytesRead - this.absorbedBytesRead,
      lifetimeHostBytesRead: tail.lifetimeHostBytesRead + this.join.blocks.bytesRead - this.absorbedBytesRead,
      blocksRead: tail.blocksRead + this.join.blocks.blocksRead - this.absorbedBlocksRead,
    };
  }

  read(): Promise<ReadOutcome> {
    return this.guarded('read', () => this.join.readObject());
  }

  /** The object at the position without moving: the recipe holds blocks and filemarks only (never host-encrypted). */
  peek(): Promise<NextObject> {
    return this.guarded('peek', async () => {
      return this.join.peekObject();
    });
  }

  write(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    return this.guarded('write', () => this.writeNow(block, options));
  }

  private async writeNow(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    await this.join.beforeWrite();
    return this.join.shifted(() => this.tail.write(block, options)).then((outcome) => {
      this.join.current++;
      return outcome;
    });
  }

  writeFilemarks(count: number): Promise<WriteOutcome> {
    return this.guarded('writeFilemarks', () => this.writeFilemarksNow(count));
  }

  private async writeFilemarksNow(count: number): Promise<WriteOutcome> {
    if (count === 0) return this.tail.writeFilemarks(0);
    await this.join.beforeWrite();
    const outcome = await this.join.shifted(() => this.tail.writeFilemarks(count));
    this.join.current += count;
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
    if (this.join.current < this.join.recipe.objectCount) await this.join.cutRecipe(this.join.current);
    else {
      await this.join.alignTail();
      await this.join.shifted(() => this.tail.erase());
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
      this.join.current = 0;
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
    if (this.join.recipe.objectCount > 0) await this.join.cutRecipe(0);
    await this.tail.setCapacity(capacityBytes);
    this.join.current = 0;
  }

  flush(): Promise<void> {
    return this.guarded('flush', () => this.join.shifted(() => this.tail.flush()));
  }

  close(): Promise<void> {
    return this.guarded('close', async () => {
      let usage: CartridgeDedupUsage | undefined;
      try {
        await this.join.blocks.close(); // its reads ahead end before the store may close their containers
        await this.join.shifted(() => this.tail.close());
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

  private move(compute: (marks: Space.FilemarkView, position: number) => Space.SpaceResult, ...numbers: number[]): Promise<SpaceOutcome> {
    return this.guarded('move', async () => {
      for (const n of numbers) if (!Number.isSafeInteger(n)) throw new RangeError(`Cannot move by or to ${n}: not an integer`);
      await this.join.settleTail();
      const result = compute(this.join.view(), this.join.current);
      this.join.current = result.position;
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


}
