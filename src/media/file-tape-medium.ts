// A cartridge mounted in a drive: the TapeMedium over the record stream of FORMAT.md. This facade assembles the parts
// and maps the interface onto them: the positioned stream (positioned-stream.ts) owns the position, the writes' WORM
// and capacity checks and the failure boundary; the capacity budget (capacity-budget.ts) what fits; the cartridge
// attributes (cartridge-attributes.ts) MAM and the retention lock; the record log (record-log.ts) the stream; the
// write pipeline (write-pipeline.ts) the blocks acknowledged before they are stored; and the persistence schedule
// (persistence-schedule.ts) when the small files are saved. The drive is the one owner of ordering: it calls one
// operation at a time, and a second call while one runs is refused loudly rather than reordered.
import type { Logger } from '../log.js';
import type { RandomAccessFile, Storage } from '../storage/storage.js';
import { CapacityBudget } from './capacity-budget.js';
import { CartridgeAttributes } from './cartridge-attributes.js';
import type { CartridgeMetadata, MediumRetentionLock } from './cartridge-metadata.js';
import { CartridgeSaver } from './cartridge-saver.js';
import { SealingGenerations } from './crypto/sealing-generations.js';
import { WormViolationError } from './media-errors.js';
import { MediumCounters } from './medium-counters.js';
import type { ObjectIndex } from './object-index.js';
import { PersistenceSchedule } from './persistence-schedule.js';
import { PositionedStream } from './positioned-stream.js';
import { RecordLog } from './record-log.js';
import * as Space from './space.js';
import { asError, isWriteFault } from './write-failure.js';
import { WritePipeline } from './write-pipeline.js';
import type { WormView } from './worm-rule.js';
import type {
  MediumCapacity, MediumPosition, MediumStatistics, NextObject, ReadOptions, ReadOutcome, SpaceOutcome, TapeMedium, WriteOptions, WriteOutcome,
} from './tape-medium.js';

export interface FileTapeMediumParts {
  readonly storage: Storage;
  readonly file: RandomAccessFile;
  readonly index: ObjectIndex;
  readonly metadata: CartridgeMetadata;
  /** The data file's format version. */
  readonly version: number;
  /** The cartridge's data key when the library encrypts at rest (FORMAT.md "Encryption at rest"). */
  readonly dataKey?: Buffer;
  readonly log: Logger;
  /**
   * Where a block with compression on is compressed (FORMAT.md "Deferred compression"): 'inline' on the ingest path
   * (the default), or 'deferred': stored as it is, and compacted later by the background pass (src/media/dedup/).
   */
  readonly ingestCompression?: IngestCompression;
  /**
   * One partition of a partitioned cartridge (FORMAT.md "Partitions"): its number, its capacity (instead of the
   * cartridge's), and the name of its index checkpoint. Absent: the cartridge's one partition.
   */
  readonly partitionOf?: { readonly partition: number; readonly capacityBytes: number | undefined; readonly indexFile: string };
}

export type IngestCompression = 'inline' | 'deferred';

/** One record stream: a cartridge of one partition, or one partition of a partitioned one (partitioned-tape-medium.ts). */
export type PartitionStream = Omit<TapeMedium, 'partitionLimit' | 'partitionCapacities' | 'changePartition' | 'format'>;

export class FileTapeMedium implements PartitionStream {
  readonly barcode: string;
  readonly partition: number;
  readonly worm: boolean;
  readonly nativeCapacityBytes: number;
  private readonly log: Logger;
  private readonly counters: MediumCounters;
  private readonly persistence: PersistenceSchedule;
  private readonly records: RecordLog;
  private readonly budget: CapacityBudget;
  private readonly attributes: CartridgeAttributes;
  private readonly stream: PositionedStream;

  constructor(parts: FileTapeMediumParts) {
    const metadata = parts.metadata;
    this.barcode = metadata.barcode;
    this.worm = metadata.worm;
    this.log = parts.log;
    this.counters = new MediumCounters(metadata.lifetime, metadata.loadCount);
    this.partition = parts.partitionOf?.partition ?? 0;
    this.budget = new CapacityBudget(metadata, parts.partitionOf?.capacityBytes);
    this.nativeCapacityBytes = this.budget.nativeCapacityBytes;
    this.persistence = new PersistenceSchedule(new CartridgeSaver(parts.storage, this.barcode, parts.partitionOf?.indexFile), metadata, this.counters, parts.log);
    this.attributes = new CartridgeAttributes(metadata, this.persistence);
    const sealing = new SealingGenerations(metadata, () => this.persistence.saveMetadata());
    this.records = new RecordLog({
      file: parts.file, index: parts.index, pass: metadata.pass, version: parts.version, persistence: this.persistence, counters: this.counters,
      sealing, ...(parts.dataKey === undefined ? {} : { dataKey: parts.dataKey }), name: this.barcode, log: parts.log,
    });
    // The rollback happens when the pipeline fails; the position moves back only when the failure is reported
    // (the stream's settle()), so until then it is still the host's, which the drive measures the failure against.
    const pipeline = new WritePipeline(this.records, (error, acknowledgedEnd) => asError(isWriteFault(error) ? this.records.rollback(error, acknowledgedEnd) : error));
    this.stream = new PositionedStream({
      barcode: this.barcode, worm: this.worm, records: this.records, pipeline, budget: this.budget,
      atRest: parts.dataKey !== undefined, deferCompression: parts.ingestCompression === 'deferred',
    });
  }

  position(): MediumPosition {
    return this.stream.position();
  }

  capacity(): MediumCapacity {
    return this.stream.capacity();
  }

  // Hooks for a medium that puts this data file after a deduplicated prefix (dedup/dedup-tape-medium.ts).
  /** Filemarks of the data file, for SPACE, LOCATE and WORM over prefix and data file (current after an operation). */
  get marks(): Space.FilemarkView & WormView {
    return this.records.marks;
  }

  /** End of data, counting the blocks still in the write pipeline. */
  get endOfData(): number {
    return this.stream.endOfData;
  }

  /** The write pass of the data file (FORMAT.md "Passes"). */
  get writePass(): number {
    return this.records.pass;
  }

  /** Count `bytes` held before the data file in the capacity (the deduplicated prefix, at its logical size). */
  reserveBytes(bytes: number): void {
    this.budget.reserve(bytes);
  }

  statistics(): MediumStatistics {
    return this.counters.statistics();
  }

  read(options?: ReadOptions): Promise<ReadOutcome> {
    return this.stream.read(options);
  }

  peek(): Promise<NextObject> {
    return this.stream.peek();
  }

  write(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    return this.stream.write(block, options);
  }

  writeFilemarks(count: number): Promise<WriteOutcome> {
    return this.stream.writeFilemarks(count);
  }

  spaceBlocks(count: number): Promise<SpaceOutcome> {
    return this.stream.move('spaceBlocks', (marks, position) => Space.spaceBlocks(marks, position, count), count);
  }

  spaceFilemarks(count: number): Promise<SpaceOutcome> {
    return this.stream.move('spaceFilemarks', (marks, position) => Space.spaceFilemarks(marks, position, count), count);
  }

  spaceSequentialFilemarks(count: number): Promise<SpaceOutcome> {
    return this.stream.move('spaceSequentialFilemarks', (marks, position) => Space.spaceSequentialFilemarks(marks, position, count), count);
  }

  async spaceToEndOfData(): Promise<void> {
    await this.stream.move('spaceToEndOfData', (marks) => ({ position: marks.objectCount, outcome: { counted: 0 } }));
  }

  locate(objectNumber: number): Promise<SpaceOutcome> {
    if (objectNumber < 0) return Promise.reject(new RangeError(`Cannot locate object ${objectNumber}`));
    return this.stream.move('locate', (marks, position) => Space.locate(marks, position, objectNumber), objectNumber);
  }

  async rewind(): Promise<void> {
    await this.stream.move('rewind', () => ({ position: 0, outcome: { counted: 0 } }));
  }

  erase(): Promise<void> {
    return this.stream.erase();
  }

  /** FORMAT.md "Set capacity": erase everything, then record the new capacity (and the native one) in the metadata. */
  setCapacity(capacityBytes: number): Promise<void> {
    return this.stream.operate('setCapacity', async () => {
      this.budget.checkSetting(capacityBytes, this.barcode);
      if (this.worm) throw new WormViolationError(`Cannot set the capacity of WORM cartridge ${this.barcode}`);
      // The cut is on disk before the metadata says the cartridge is shorter: a crash in between leaves a blank
      // cartridge of the old capacity, never old data beyond the new capacity.
      await this.stream.blank();
      this.budget.set(capacityBytes);
      await this.persistence.saveMetadata();
      this.log.info({ capacityBytes, nativeCapacityBytes: this.nativeCapacityBytes }, 'cartridge capacity set');
    });
  }

  flush(): Promise<void> {
    return this.stream.flush();
  }

  close(): Promise<void> {
    return this.stream.close();
  }

  readAttributes(): ReadonlyMap<number, Buffer> {
    return this.attributes.read();
  }

  writeAttributes(attributes: ReadonlyMap<number, Buffer>): Promise<void> {
    return this.stream.operate('writeAttributes', () => this.attributes.write(attributes));
  }

  retentionLock(): MediumRetentionLock | undefined {
    return this.attributes.retentionLock();
  }

  keepRetentionLock(lock: MediumRetentionLock): Promise<void> {
    return this.stream.operate('keepRetentionLock', () => this.attributes.keepRetentionLock(lock));
  }
}
