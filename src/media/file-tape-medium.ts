// A cartridge mounted in a drive: the TapeMedium over the record stream of FORMAT.md. This facade owns the position,
// the WORM rule, the capacity checks, the attributes and the counters; the record log (record-log.ts) owns the
// stream, the write pipeline (write-pipeline.ts) the blocks acknowledged before they are stored, and the persistence
// schedule (persistence-schedule.ts) when the small files are saved. The drive is the one owner of ordering: it
// calls one operation at a time, and a second call while one runs is refused loudly rather than reordered.
import type { Logger } from '../log.js';
import type { RandomAccessFile, Storage } from '../storage/storage.js';
import { inEarlyWarning, mediumCapacity } from './capacity.js';
import { attributesToMap, attributesToRecord, updateAttributes, type CartridgeMetadata, type MediumRetentionLock } from './cartridge-metadata.js';
import { CartridgeSaver } from './cartridge-saver.js';
import { ENVELOPE_FIXED_BYTES, MAX_ENVELOPE_OVERHEAD } from './crypto/record-envelope.js';
import { SealingGenerations } from './crypto/sealing-generations.js';
import { FILE_HEADER_BYTES } from './file-header.js';
import { MediumCounters } from './medium-counters.js';
import type { ObjectIndex } from './object-index.js';
import { OperationGuard } from './operation-guard.js';
import { PersistenceSchedule } from './persistence-schedule.js';
import { MAX_BLOCK_BYTES, MAX_FILEMARK_RUN, RECORD_HEADER_BYTES } from './record-header.js';
import { RecordLog } from './record-log.js';
import * as Space from './space.js';
import { asError, isWriteFault } from './write-failure.js';
import { WritePipeline } from './write-pipeline.js';
import { wormAllowsWrite, type WormView } from './worm-rule.js';
import {
  MediumFullError, WormViolationError, type MediumCapacity, type MediumPosition, type MediumStatistics, type NextObject,
  type ReadOutcome, type SpaceOutcome, type TapeMedium, type WriteOptions, type WriteOutcome,
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
  private readonly metadata: CartridgeMetadata;
  private readonly attributes: Map<number, Buffer>;
  private readonly log: Logger;
  private readonly counters: MediumCounters;
  private readonly persistence: PersistenceSchedule;
  private readonly records: RecordLog;
  private readonly pipeline: WritePipeline;
  private current = 0; // the position: the object number the next read returns
  /** Records get the data key's envelope (FORMAT.md "Encryption at rest"). */
  private readonly atRest: boolean;
  private readonly guard: OperationGuard;
  private readonly deferCompression: boolean;
  /** Bytes of the cartridge held before this data file (a deduplicated prefix: dedup/dedup-tape-medium.ts). */
  private reservedBytes = 0;
  /** This partition's capacity when the cartridge has several; undefined: the cartridge's (metadata.capacityBytes). */
  private readonly partitionCapacityBytes: number | undefined;

  constructor(parts: FileTapeMediumParts) {
    this.metadata = parts.metadata;
    this.barcode = parts.metadata.barcode;
    this.guard = new OperationGuard(this.barcode);
    this.deferCompression = parts.ingestCompression === 'deferred';
    this.worm = parts.metadata.worm;
    this.nativeCapacityBytes = parts.metadata.nativeCapacityBytes ?? parts.metadata.capacityBytes;
    this.attributes = attributesToMap(parts.metadata.attributes);
    this.log = parts.log;
    this.counters = new MediumCounters(parts.metadata.lifetime, parts.metadata.loadCount);
    this.partition = parts.partitionOf?.partition ?? 0;
    this.partitionCapacityBytes = parts.partitionOf?.capacityBytes;
    this.persistence = new PersistenceSchedule(new CartridgeSaver(parts.storage, this.barcode, parts.partitionOf?.indexFile), parts.metadata, this.counters, parts.log);
    const sealing = new SealingGenerations(parts.metadata, () => this.persistence.saveMetadata());
    this.atRest = parts.dataKey !== undefined;
    this.records = new RecordLog({
      file: parts.file, index: parts.index, pass: parts.metadata.pass, version: parts.version, persistence: this.persistence, counters: this.counters,
      sealing, ...(parts.dataKey === undefined ? {} : { dataKey: parts.dataKey }), name: this.barcode, log: parts.log,
    });
    // The rollback happens when the pipeline fails; the position moves back only when the failure is reported
    // (settle()), so until then it is still the host's, which the drive measures the failure against.
    this.pipeline = new WritePipeline(this.records, (error, acknowledgedEnd) => asError(isWriteFault(error) ? this.records.rollback(error, acknowledgedEnd) : error));
  }

  position(): MediumPosition {
    // Past end of data only between a pipeline failure and its report, which moves it back: still the host's end.
    return { objectNumber: this.current, fileNumber: this.records.marks.filemarksBefore(this.current), atEndOfData: this.current >= this.endObject() };
  }

  capacity(): MediumCapacity {
    return mediumCapacity(this.capacityBytes, this.reservedBytes + this.records.endOffset - FILE_HEADER_BYTES + this.pipeline.pendingBytes);
  }

  // Hooks for a medium that puts this data file after a deduplicated prefix (dedup/dedup-tape-medium.ts).
  /** Filemarks of the data file, for SPACE, LOCATE and WORM over prefix and data file (current after an operation). */
  get marks(): Space.FilemarkView & WormView {
    return this.records.marks;
  }

  /** End of data, counting the blocks still in the write pipeline. */
  get endOfData(): number {
    return this.endObject();
  }

  /** The write pass of the data file (FORMAT.md "Passes"). */
  get writePass(): number {
    return this.records.pass;
  }

  /** Count `bytes` held before the data file in the capacity (the deduplicated prefix, at its logical size). */
  reserveBytes(bytes: number): void {
    this.reservedBytes = bytes;
  }

  statistics(): MediumStatistics {
    return this.counters.statistics();
  }

  read(): Promise<ReadOutcome> {
    return this.operate('read', async () => {
      const objectNumber = this.current;
      if (objectNumber >= this.records.objectCount) return { kind: 'end-of-data' };
      const outcome = await this.records.read(objectNumber);
      this.current = objectNumber + 1;
      return outcome;
    });
  }

  /** The object at the position, read and not passed (SSC-4 next block encryption status). */
  peek(): Promise<NextObject> {
    return this.operate('peek', async () => {
      const objectNumber = this.current;
      if (objectNumber >= this.records.objectCount) return { kind: 'end-of-data' };
      const outcome = await this.records.read(objectNumber);
      switch (outcome.kind) {
        case 'block':
          outcome.release?.();
          return { kind: 'block' };
        case 'encrypted-block': {
          const envelope = Buffer.from(outcome.envelope);
          outcome.release?.();
          return { kind: 'encrypted-block', envelope };
        }
        default:
          return outcome;
      }
    });
  }

  async write(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    this.guard.begin('write');
    const commandObject = this.current;
    try {
      if (block.length > MAX_BLOCK_BYTES) throw new RangeError(`Cannot write a block of ${block.length} bytes: the limit is ${MAX_BLOCK_BYTES}`);
      this.checkWorm();
      const key = options.encrypt;
      // An encrypted record stores an envelope around the stored form: counted at its largest until stored.
      const envelopeBytes = (key === undefined ? 0 : MAX_ENVELOPE_OVERHEAD) + (this.atRest ? ENVELOPE_FIXED_BYTES : 0);
      const tryCompressing = options.compress && !this.deferCompression && this.pipeline.worthTrying(block);
      const atEnd = this.current === this.endObject();
      if (!this.records.outOfSpace && tryCompressing && atEnd && this.pipeline.fits(block) && this.fitsBeforeEnd(RECORD_HEADER_BYTES + block.length + envelopeBytes)) {
        await this.pipeline.enqueue(block, key, envelopeBytes);
        this.current++;
        return { earlyWarning: inEarlyWarning(this.capacity()) };
      }
      // Not an append at end of data, close to capacity, or longer than a slot: stored before the answer, still
      // compressed on a worker (not the thread pool, whose long-lived threads would keep lz4-napi's allocations).
      await this.settle();
      const staged = tryCompressing ? await this.pipeline.compressNow(block) : undefined;
      try {
        const form = staged === undefined ? undefined : await this.pipeline.storedForm(staged, block.length);
        const payload = form?.payload ?? block;
        await this.prepareWrite(RECORD_HEADER_BYTES + payload.length + envelopeBytes);
        await this.records.appendData(payload, form?.compressed ?? false, block.length, form?.crc, key);
        await this.records.writeThroughWhileFull();
        this.current++;
        return { earlyWarning: inEarlyWarning(this.capacity()) };
      } finally {
        staged?.release();
      }
    } catch (error) {
      throw this.failed(error, commandObject);
    } finally {
      this.guard.end();
    }
  }

  writeFilemarks(count: number): Promise<WriteOutcome> {
    const commandObject = this.current;
    return this.operate('writeFilemarks', async () => {
      if (!Number.isInteger(count) || count < 0 || count > MAX_FILEMARK_RUN) throw new RangeError(`Cannot write ${count} filemarks: 0 to ${MAX_FILEMARK_RUN} at a time`);
      if (count === 0) return { earlyWarning: inEarlyWarning(this.capacity()) };
      this.checkWorm();
      await this.prepareWrite(RECORD_HEADER_BYTES); // a run of filemarks is one record (FORMAT.md "Filemark runs")
      await this.records.appendFilemarks(count);
      this.current += count;
      await this.records.writeThroughWhileFull();
      return { earlyWarning: inEarlyWarning(this.capacity()) };
    }, commandObject);
  }

  spaceBlocks(count: number): Promise<SpaceOutcome> {
    return this.move('spaceBlocks', (marks, position) => Space.spaceBlocks(marks, position, count), count);
  }

  spaceFilemarks(count: number): Promise<SpaceOutcome> {
    return this.move('spaceFilemarks', (marks, position) => Space.spaceFilemarks(marks, position, count), count);
  }

  spaceSequentialFilemarks(count: number): Promise<SpaceOutcome> {
    return this.move('spaceSequentialFilemarks', (marks, position) => Space.spaceSequentialFilemarks(marks, position, count), count);
  }

  async spaceToEndOfData(): Promise<void> {
    await this.move('spaceToEndOfData', (marks) => ({ position: marks.objectCount, outcome: { counted: 0 } }));
  }

  locate(objectNumber: number): Promise<SpaceOutcome> {
    if (objectNumber < 0) return Promise.reject(new RangeError(`Cannot locate object ${objectNumber}`));
    return this.move('locate', (marks, position) => Space.locate(marks, position, objectNumber), objectNumber);
  }

  async rewind(): Promise<void> {
    await this.move('rewind', () => ({ position: 0, outcome: { counted: 0 } }));
  }

  erase(): Promise<void> {
    return this.operate('erase', async () => {
      if (this.worm) throw new WormViolationError(`Cannot erase WORM cartridge ${this.barcode}`);
      await this.records.cutAt(this.current);
    });
  }

  /** FORMAT.md "Set capacity": erase everything, then record the new capacity (and the native one) in the metadata. */
  setCapacity(capacityBytes: number): Promise<void> {
    return this.operate('setCapacity', async () => {
      if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 1 || capacityBytes > this.nativeCapacityBytes) {
        throw new RangeError(`Cannot set the capacity of cartridge ${this.barcode} to ${capacityBytes} bytes: it must be 1 to ${this.nativeCapacityBytes}`);
      }
      if (this.worm) throw new WormViolationError(`Cannot set the capacity of WORM cartridge ${this.barcode}`);
      await this.records.cutAt(0);
      this.current = 0;
      // The cut must be on disk before the metadata says the cartridge is shorter: a crash in between leaves a
      // blank cartridge of the old capacity, never old data beyond the new capacity.
      await this.records.sync();
      this.metadata.capacityBytes = capacityBytes;
      this.metadata.nativeCapacityBytes = this.nativeCapacityBytes;
      await this.persistence.saveMetadata();
      this.log.info({ capacityBytes, nativeCapacityBytes: this.nativeCapacityBytes }, 'cartridge capacity set');
    });
  }

  flush(): Promise<void> {
    return this.operate('flush', () => this.records.flush(false));
  }

  async close(): Promise<void> {
    this.guard.begin('close');
    try {
      // A pipeline failure is reported after what is left has been flushed and the file closed.
      const failure = await this.settle().then(() => undefined, asError);
      try {
        await this.records.flush(true);
      } catch (error) {
        throw this.failed(error, this.records.objectCount);
      } finally {
        this.guard.close();
        this.pipeline.close();
        await this.records.close();
      }
      if (failure !== undefined) throw failure;
    } finally {
      this.guard.end();
    }
  }

  readAttributes(): ReadonlyMap<number, Buffer> {
    return new Map([...this.attributes].map(([id, value]) => [id, Buffer.from(value)]));
  }

  writeAttributes(attributes: ReadonlyMap<number, Buffer>): Promise<void> {
    return this.operate('writeAttributes', async () => {
      updateAttributes(this.attributes, attributes);
      this.metadata.attributes = attributesToRecord(this.attributes);
      await this.persistence.saveMetadata();
    });
  }

  retentionLock(): MediumRetentionLock | undefined {
    return this.metadata.retention && { ...this.metadata.retention };
  }
  keepRetentionLock(lock: MediumRetentionLock): Promise<void> {
    return this.operate('keepRetentionLock', () => this.persistence.saveRetention(lock));
  }

  /**
   * Run an operation once the pipeline has settled (its failure is then what the operation reports); a write fault
   * becomes the MediaWriteError counting what it lost (`acknowledgedEnd`: see failed()).
   */
  private async operate<T>(operation: string, body: () => Promise<T>, acknowledgedEnd?: number): Promise<T> {
    this.guard.begin(operation);
    try {
      await this.settle();
      return await body();
    } catch (error) {
      throw this.failed(error, acknowledgedEnd ?? this.records.objectCount);
    } finally {
      this.guard.end();
    }
  }

  private move(operation: string, compute: (marks: Space.FilemarkView, position: number) => Space.SpaceResult, ...numbers: number[]): Promise<SpaceOutcome> {
    return this.operate(operation, () => {
      for (const n of numbers) if (!Number.isSafeInteger(n)) throw new RangeError(`Cannot move by or to ${n}: not an integer`);
      const result = compute(this.records.marks, this.current);
      this.current = result.position;
      return Promise.resolve(result.outcome);
    });
  }

  private get capacityBytes(): number {
    return this.partitionCapacityBytes ?? this.metadata.capacityBytes;
  }

  /** Object number of end of data, counting the blocks still in the write pipeline. */
  private endObject(): number {
    return this.records.objectCount + this.pipeline.pendingRecords;
  }

  /** Wait until the pipeline has stored everything; its failure, if any, is this operation's error. */
  private async settle(): Promise<void> {
    try {
      await this.pipeline.settle();
    } finally {
      this.current = Math.min(this.current, this.endObject());
    }
  }

  private checkWorm(): void {
    if (this.worm && !wormAllowsWrite(this.records.marks, this.current)) {
      throw new WormViolationError(`Cannot overwrite object ${this.current} of WORM cartridge ${this.barcode}`);
    }
  }

  /** A record of `recordBytes` appended at end of data (with the pipeline's blocks) stays within the capacity. */
  private fitsBeforeEnd(recordBytes: number): boolean {
    return this.reservedBytes + this.records.endOffset + this.pipeline.pendingBytes - FILE_HEADER_BYTES + recordBytes <= this.capacityBytes;
  }

  /** Check capacity for `recordBytes` at the position and cut the data after it. */
  private async prepareWrite(recordBytes: number): Promise<void> {
    const remaining = this.capacityBytes - this.reservedBytes - ((await this.records.startOf(this.current)) - FILE_HEADER_BYTES);
    if (recordBytes > remaining) throw new MediumFullError(`Cannot write ${recordBytes} bytes to cartridge ${this.barcode}: ${remaining} bytes remain before the physical end`);
    await this.records.cutAt(this.current);
  }

  /**
   * The error an operation reports: a failure of the data file (WriteFault) rolls the record log back to what is on
   * the medium (see RecordLog.rollback), and the position is never past the new end of data.
   */
  private failed(error: unknown, acknowledgedEnd: number): unknown {
    const reported = isWriteFault(error) ? this.records.rollback(error, acknowledgedEnd) : error;
    this.current = Math.min(this.current, this.endObject());
    return reported;
  }
}
