// FORMAT.md "Partitions": a mounted cartridge as the drive sees it, one record stream (FileTapeMedium) per partition.
// Every call goes to the stream of the partition the position is in, unchanged, so a cartridge of one partition costs
// a method call more and nothing else. This owns which partition is current and the layout: FORMAT MEDIUM writes the
// new layout's files beside the old ones and switches to them by replacing the metadata file, atomically.
import { cartridgePath, partitionFiles } from './cartridge-files.js';
import { CartridgeSaver } from './cartridge-saver.js';
import { encodeFileHeader } from './file-header.js';
import type { FileTapeMedium } from './file-tape-medium.js';
import { layoutOf, openPartitions, removeOtherLayouts, type CartridgeContext } from './open-partitions.js';
import {
  MAX_PARTITIONS, PartitionsUnsupportedError, WormViolationError, type MediumCapacity, type MediumPosition, type MediumRetentionLock,
  type MediumStatistics, type NextObject, type ReadOptions, type ReadOutcome, type SpaceOutcome, type TapeMedium, type WriteOptions, type WriteOutcome,
} from './tape-medium.js';

/**
 * Sums of the per-load counters of every partition, and of the streams a format closed during this load (`earlier`);
 * the lifetime counters and the load count are the cartridge's, shared by all.
 */
function sumStatistics(all: readonly MediumStatistics[], earlier: readonly MediumStatistics[]): MediumStatistics {
  const [first, ...rest] = all;
  const sum = { ...first };
  for (const s of [...rest, ...earlier]) {
    sum.hostBytesWritten += s.hostBytesWritten;
    sum.hostBytesRead += s.hostBytesRead;
    sum.storedBytesWritten += s.storedBytesWritten;
    sum.storedBytesRead += s.storedBytesRead;
    sum.blocksWritten += s.blocksWritten;
    sum.blocksRead += s.blocksRead;
    sum.filemarksWritten += s.filemarksWritten;
    sum.readErrors += s.readErrors;
    sum.writeErrors += s.writeErrors;
  }
  return sum;
}

export class PartitionedTapeMedium implements TapeMedium {
  readonly barcode: string;
  readonly worm: boolean;
  readonly nativeCapacityBytes: number;
  private streams: FileTapeMedium[];
  private active: FileTapeMedium;
  /** The per-load counters of the streams formats closed: the load's counters never go back (metrics are counters). */
  private readonly closedStreams: MediumStatistics[] = [];

  constructor(
    private readonly ctx: CartridgeContext,
    streams: FileTapeMedium[],
    /** MAX_PARTITIONS, or 1 where the store keeps one stream per cartridge (an object store). */
    readonly partitionLimit: number = MAX_PARTITIONS,
  ) {
    this.streams = streams;
    this.active = streams[0];
    this.barcode = this.active.barcode;
    this.worm = this.active.worm;
    this.nativeCapacityBytes = this.active.nativeCapacityBytes;
  }

  get partition(): number {
    return this.active.partition;
  }
  position(): MediumPosition {
    return this.active.position();
  }
  capacity(): MediumCapacity {
    return this.active.capacity();
  }
  partitionCapacities(): readonly MediumCapacity[] {
    return this.streams.map((s) => s.capacity());
  }
  statistics(): MediumStatistics {
    const now = this.streams.map((s) => s.statistics());
    return now.length === 1 && this.closedStreams.length === 0 ? now[0] : sumStatistics(now, this.closedStreams);
  }

  read(options?: ReadOptions): Promise<ReadOutcome> {
    return this.active.read(options);
  }
  peek(): Promise<NextObject> {
    return this.active.peek();
  }
  write(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    return this.active.write(block, options);
  }
  writeFilemarks(count: number): Promise<WriteOutcome> {
    return this.active.writeFilemarks(count);
  }
  spaceBlocks(count: number): Promise<SpaceOutcome> {
    return this.active.spaceBlocks(count);
  }
  spaceFilemarks(count: number): Promise<SpaceOutcome> {
    return this.active.spaceFilemarks(count);
  }
  spaceSequentialFilemarks(count: number): Promise<SpaceOutcome> {
    return this.active.spaceSequentialFilemarks(count);
  }
  spaceToEndOfData(): Promise<void> {
    return this.active.spaceToEndOfData();
  }
  locate(objectNumber: number): Promise<SpaceOutcome> {
    return this.active.locate(objectNumber);
  }
  erase(): Promise<void> {
    return this.active.erase();
  }
  flush(): Promise<void> {
    return this.active.flush();
  }

  /** SSC-4 REWIND: the beginning of partition 0, whichever partition the position was in. */
  rewind(): Promise<void> {
    return this.streams.length === 1 ? this.active.rewind() : this.changePartition(0);
  }

  async changePartition(partition: number): Promise<void> {
    const next = this.streams[partition];
    if (!Number.isInteger(partition) || next === undefined) {
      throw new RangeError(`Cannot change to partition ${partition} of cartridge ${this.barcode}: it has ${this.streams.length}`);
    }
    // Like a drive that writes its buffer out before it moves to another partition: a write failure of the partition
    // left is reported here, by the command that left it, never by a later command in another partition.
    if (next !== this.active) await this.active.flush();
    this.active = next;
    await next.rewind();
  }

  /** SET CAPACITY makes a cartridge of one partition: a partitioned one is formatted to one partition first. */
  async setCapacity(capacityBytes: number): Promise<void> {
    if (this.streams.length > 1) {
      if (this.worm) throw new WormViolationError(`Cannot set the capacity of WORM cartridge ${this.barcode}`);
      if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 1 || capacityBytes > this.nativeCapacityBytes) {
        throw new RangeError(`Cannot set the capacity of cartridge ${this.barcode} to ${capacityBytes} bytes: it must be 1 to ${this.nativeCapacityBytes}`);
      }
      await this.format([]);
    }
    await this.active.setCapacity(capacityBytes);
  }

  async format(partitionBytes: readonly number[]): Promise<void> {
    this.checkLayout(partitionBytes);
    if (this.worm) throw new WormViolationError(`Cannot format WORM cartridge ${this.barcode}`);
    if (partitionBytes.length === 0 && this.streams.length === 1) {
      // One partition stays one: erased in place (the cut of "Overwrite and erase"), no new layout, so a store that
      // keeps one stream (an object store) never has files to switch or remove.
      await this.active.rewind();
      await this.active.erase();
      await this.active.flush();
      return;
    }
    const { storage, metadata, log } = this.ctx;
    const before = metadata.layout;
    const layout = layoutOf(metadata).number + 1;
    const count = Math.max(1, partitionBytes.length);
    // 1. The new layout's blank data files, beside the old ones (a crash now leaves the old layout, and these files
    //    for the next open to remove). An index left by an earlier attempt would describe another stream.
    for (let p = 0; p < count; p++) {
      const files = partitionFiles(layout, p);
      await storage.removeFile(cartridgePath(this.barcode, files.index));
      await storage.writeFileAtomic(cartridgePath(this.barcode, files.data), encodeFileHeader());
    }
    // 2. The old streams write out what they hold (it is erased, but a close also ends their use of the files).
    for (const stream of this.streams) this.closedStreams.push(stream.statistics());
    await this.closeStreams();
    // 3. The switch: one atomic replacement of the metadata file.
    metadata.layout = { number: layout, partitionBytes: count > 1 ? [...partitionBytes] : [] };
    try {
      await new CartridgeSaver(storage, this.barcode).saveMetadata(metadata);
    } catch (error) {
      if (before === undefined) delete metadata.layout;
      else metadata.layout = before;
      this.streams = await openPartitions(this.ctx);
      this.active = this.streams[0];
      throw error;
    }
    this.streams = await openPartitions(this.ctx);
    this.active = this.streams[0];
    log.info({ layout, partitionBytes: metadata.layout.partitionBytes }, 'cartridge formatted');
    await removeOtherLayouts(this.ctx);
  }

  async close(): Promise<void> {
    await this.closeStreams(true);
  }

  // MAM attributes and the retention lock belong to the cartridge: partition 0's stream keeps them in the metadata.
  readAttributes(): ReadonlyMap<number, Buffer> {
    return this.streams[0].readAttributes();
  }
  writeAttributes(attributes: ReadonlyMap<number, Buffer>): Promise<void> {
    return this.streams[0].writeAttributes(attributes);
  }
  retentionLock(): MediumRetentionLock | undefined {
    return this.streams[0].retentionLock();
  }
  keepRetentionLock(lock: MediumRetentionLock): Promise<void> {
    return this.streams[0].keepRetentionLock(lock);
  }

  private checkLayout(partitionBytes: readonly number[]): void {
    if (partitionBytes.length > this.partitionLimit) {
      throw new PartitionsUnsupportedError(`Cannot format cartridge ${this.barcode} into ${partitionBytes.length} partitions: its store keeps at most ${this.partitionLimit}`);
    }
    const capacity = this.ctx.metadata.capacityBytes;
    const total = partitionBytes.reduce((sum, bytes) => sum + bytes, 0);
    if (partitionBytes.length === 1 || partitionBytes.some((bytes) => !Number.isSafeInteger(bytes) || bytes < 1) || total > capacity) {
      throw new RangeError(`Cannot format cartridge ${this.barcode} into partitions of [${partitionBytes.join(', ')}] bytes: two or more of at least 1 byte, at most ${capacity} in all`);
    }
  }

  /** Close every stream; the first failure is thrown after all were closed when `report`, else logged. */
  private async closeStreams(report = false): Promise<void> {
    let failure: Error | undefined;
    for (const stream of this.streams) {
      try {
        await stream.close();
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
        if (!report) this.ctx.log.warn({ err: error, partition: stream.partition }, 'a partition failed to close before the cartridge was formatted; its data is erased anyway');
      }
    }
    if (report && failure !== undefined) throw failure;
  }
}
