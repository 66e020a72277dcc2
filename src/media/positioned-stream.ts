// One record stream as the host sees it: the position over the record log (record-log.ts) and the write pipeline
// (write-pipeline.ts). It owns three rules: once an operation has settled the position is never past end of data; a
// write lands at the position, cuts what follows it and is acknowledged only if it fits the capacity (and WORM
// allows it); one operation runs at a time (OperationGuard), and a failure of the data file rolls the log back to what
// is on the medium and is reported, with what it lost, by the operation that meets it.
import { inEarlyWarning } from './capacity.js';
import type { CapacityBudget } from './capacity-budget.js';
import { ENVELOPE_FIXED_BYTES, MAX_ENVELOPE_OVERHEAD } from './crypto/record-envelope.js';
import { FILE_HEADER_BYTES } from './file-header.js';
import { WormViolationError } from './media-errors.js';
import { OperationGuard } from './operation-guard.js';
import { MAX_BLOCK_BYTES, MAX_FILEMARK_RUN, RECORD_HEADER_BYTES } from './record-header.js';
import type { RecordLog } from './record-log.js';
import type * as Space from './space.js';
import { asError, isWriteFault } from './write-failure.js';
import type { WritePipeline } from './write-pipeline.js';
import { wormAllowsWrite } from './worm-rule.js';
import type { MediumCapacity, MediumPosition, NextObject, ReadOptions, ReadOutcome, SpaceOutcome, WriteOptions, WriteOutcome } from './tape-medium.js';

export interface PositionedStreamParts {
  readonly barcode: string;
  readonly worm: boolean;
  readonly records: RecordLog;
  readonly pipeline: WritePipeline;
  readonly budget: CapacityBudget;
  /** Records get the data key's envelope (FORMAT.md "Encryption at rest"). */
  readonly atRest: boolean;
  /** Blocks are stored as they are and compressed later (FORMAT.md "Deferred compression"). */
  readonly deferCompression: boolean;
}

export class PositionedStream {
  private readonly barcode: string;
  private readonly worm: boolean;
  private readonly records: RecordLog;
  private readonly pipeline: WritePipeline;
  private readonly budget: CapacityBudget;
  private readonly atRest: boolean;
  private readonly deferCompression: boolean;
  private readonly guard: OperationGuard;
  private current = 0; // the position: the object number the next read returns

  constructor(parts: PositionedStreamParts) {
    this.barcode = parts.barcode;
    this.worm = parts.worm;
    this.records = parts.records;
    this.pipeline = parts.pipeline;
    this.budget = parts.budget;
    this.atRest = parts.atRest;
    this.deferCompression = parts.deferCompression;
    this.guard = new OperationGuard(this.barcode);
  }

  position(): MediumPosition {
    // Past end of data only between a pipeline failure and its report, which moves it back: still the host's end.
    return { objectNumber: this.current, fileNumber: this.records.marks.filemarksBefore(this.current), atEndOfData: this.current >= this.endOfData };
  }

  capacity(): MediumCapacity {
    return this.budget.report(this.records.endOffset - FILE_HEADER_BYTES + this.pipeline.pendingBytes);
  }

  /** Object number of end of data, counting the blocks still in the write pipeline. */
  get endOfData(): number {
    return this.records.objectCount + this.pipeline.pendingRecords;
  }

  read(options?: ReadOptions): Promise<ReadOutcome> {
    return this.operate('read', async () => {
      const objectNumber = this.current;
      if (objectNumber >= this.records.objectCount) return { kind: 'end-of-data' };
      const outcome = await this.records.read(objectNumber, options?.openWith);
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
      // A block to seal goes through the pipeline even when it is not compressed: it is sealed from the slot after
      // its WRITE is answered, while the host sends the next one (on the event loop with ipsec-mb or libcrypto, on a
      // worker with node:crypto, whose output buffers drove the collector: crypto/aes-gcm-choice.ts, BENCHMARKS.md).
      const sealed = key !== undefined || this.atRest;
      const atEnd = this.current === this.endOfData;
      if (
        !this.records.outOfSpace && (tryCompressing || sealed) && atEnd && this.pipeline.fits(block) &&
        this.budget.fits(this.records.endOffset + this.pipeline.pendingBytes - FILE_HEADER_BYTES, RECORD_HEADER_BYTES + block.length + envelopeBytes)
      ) {
        await this.pipeline.enqueue(block, key, envelopeBytes, tryCompressing);
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

  /** Move to the position `compute` returns from the filemarks and the position (SPACE, LOCATE, REWIND). */
  move(operation: string, compute: (marks: Space.FilemarkView, position: number) => Space.SpaceResult, ...numbers: number[]): Promise<SpaceOutcome> {
    return this.operate(operation, () => {
      for (const n of numbers) if (!Number.isSafeInteger(n)) throw new RangeError(`Cannot move by or to ${n}: not an integer`);
      const result = compute(this.records.marks, this.current);
      this.current = result.position;
      return Promise.resolve(result.outcome);
    });
  }

  erase(): Promise<void> {
    return this.operate('erase', async () => {
      if (this.worm) throw new WormViolationError(`Cannot erase WORM cartridge ${this.barcode}`);
      await this.records.cutAt(this.current);
    });
  }

  /**
   * Within an operation: erase the whole stream, stand at its beginning, and sync, so that the cut is on disk before
   * anything (SET CAPACITY's metadata) says the cartridge changed.
   */
  async blank(): Promise<void> {
    await this.records.cutAt(0);
    this.current = 0;
    await this.records.sync();
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

  /**
   * Run an operation once the pipeline has settled (its failure is then what the operation reports); a write fault
   * becomes the MediaWriteError counting what it lost (`acknowledgedEnd`: see failed()).
   */
  async operate<T>(operation: string, body: () => Promise<T>, acknowledgedEnd?: number): Promise<T> {
    this.guard.begin(operation);
    try {
      // A READ in a stream finds the pipeline settled: no await (and no async frames) on its way.
      if (this.pipeline.settled) this.current = Math.min(this.current, this.endOfData);
      else await this.settle();
      return await body();
    } catch (error) {
      throw this.failed(error, acknowledgedEnd ?? this.records.objectCount);
    } finally {
      this.guard.end();
    }
  }

  /** Wait until the pipeline has stored everything; its failure, if any, is this operation's error. */
  private async settle(): Promise<void> {
    try {
      await this.pipeline.settle();
    } finally {
      this.current = Math.min(this.current, this.endOfData);
    }
  }

  private checkWorm(): void {
    if (this.worm && !wormAllowsWrite(this.records.marks, this.current)) {
      throw new WormViolationError(`Cannot overwrite object ${this.current} of WORM cartridge ${this.barcode}`);
    }
  }

  /** Check capacity for `recordBytes` at the position and cut the data after it. */
  private async prepareWrite(recordBytes: number): Promise<void> {
    this.budget.checkRoom((await this.records.startOf(this.current)) - FILE_HEADER_BYTES, recordBytes, this.barcode);
    await this.records.cutAt(this.current);
  }

  /**
   * The error an operation reports: a failure of the data file (WriteFault) rolls the record log back to what is on
   * the medium (see RecordLog.rollback), and the position is never past the new end of data.
   */
  private failed(error: unknown, acknowledgedEnd: number): unknown {
    const reported = isWriteFault(error) ? this.records.rollback(error, acknowledgedEnd) : error;
    this.current = Math.min(this.current, this.endOfData);
    return reported;
  }
}
