// A cartridge mounted in a drive: the TapeMedium over the record stream of FORMAT.md. Positions are object
// numbers; offsets are resolved through the index (anchors + a short header walk) only when bytes are needed.
import { crc32c } from '../crc32c.js';
import type { Logger } from '../log.js';
import { StorageError, type RandomAccessFile, type Storage } from '../storage/storage.js';
import { earlyWarningBytes } from './capacity.js';
import { attributesToMap, attributesToRecord, type CartridgeMetadata } from './cartridge-metadata.js';
import { CartridgeSaver } from './cartridge-saver.js';
import { CompressionPolicy } from './compression-policy.js';
import { CompressionStage, type StagedBlock, type StoredForm } from './compression-stage.js';
import { FILE_HEADER_BYTES } from './file-header.js';
import type { ObjectIndex } from './object-index.js';
import { MAX_BLOCK_BYTES, RECORD_HEADER_BYTES, RecordFlag, RecordType, type RecordHeader } from './record-header.js';
import { readHeaderAt } from './record-reader.js';
import { RecordWriter, WriteFailure } from './record-writer.js';
import { SequentialReader } from './sequential-reader.js';
import * as Space from './space.js';
import { MediumCounters, type Counter } from './medium-counters.js';
import { wormAllowsWrite } from './worm-rule.js';
import {
  MediaFormatError, MediaWriteError, MediumFullError, WormViolationError,
  type MediumCapacity, type MediumPosition, type MediumStatistics, type ReadOutcome, type SpaceOutcome,
  type TapeMedium, type WriteOptions, type WriteOutcome,
} from './tape-medium.js';

/**
 * A flush writes a fresh index checkpoint once this many records (or 1/16 of the objects, whichever is more, so
 * the checkpoint of a huge cartridge never costs more than a fraction of the data written) or bytes were
 * appended since the last one.
 */
export const CHECKPOINT_EVERY_RECORDS = 4096;
export const CHECKPOINT_EVERY_BYTES = 64 * 1024 * 1024;
/** A flush saves changed counters only this long after the last metadata save (close always saves them). */
export const METADATA_COUNTERS_EVERY_MS = 10_000;

export interface FileTapeMediumParts {
  readonly storage: Storage;
  readonly file: RandomAccessFile;
  readonly index: ObjectIndex;
  readonly metadata: CartridgeMetadata;
  readonly log: Logger;
}

export class FileTapeMedium implements TapeMedium {
  readonly barcode: string;
  readonly worm: boolean;
  readonly nativeCapacityBytes: number;
  private readonly saver: CartridgeSaver;
  private readonly file: RandomAccessFile;
  private readonly index: ObjectIndex;
  private readonly writer: RecordWriter;
  private readonly reader: SequentialReader;
  private readonly metadata: CartridgeMetadata;
  private readonly attributes: Map<number, Buffer>;
  private readonly log: Logger;
  private readonly counters: MediumCounters;
  private readonly compression = new CompressionPolicy();
  private readonly stage = new CompressionStage();
  /**
   * The write pipeline: blocks appended at end of data with compression on are acknowledged once they are in the
   * compression stage; `storing` stores them in order (index and writer). Until then they are `pendingRecords`,
   * with `pendingBytes` an upper bound of their size on the medium. A failure there waits in `pipelineFailure`
   * for the next operation.
   */
  private storing: Promise<void> = Promise.resolve();
  private pendingRecords = 0;
  private pendingBytes = 0;
  private pipelineFailure: MediaWriteError | undefined;
  private current = 0;
  /** A known object boundary (object number and its offset), kept so sequential reads never walk. */
  private cursor: { objectNumber: number; offset: number } | undefined;
  private sinceCheckpoint = { records: 0, bytes: 0 };
  /** Metadata other than the counters changed since it was last saved. */
  private metadataDirty = false;
  private metadataSavedAt = Date.now();
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(parts: FileTapeMediumParts) {
    this.saver = new CartridgeSaver(parts.storage, parts.metadata.barcode);
    this.file = parts.file;
    this.index = parts.index;
    this.metadata = parts.metadata;
    this.barcode = parts.metadata.barcode;
    this.worm = parts.metadata.worm;
    this.nativeCapacityBytes = parts.metadata.nativeCapacityBytes ?? parts.metadata.capacityBytes;
    this.attributes = attributesToMap(parts.metadata.attributes);
    this.log = parts.log;
    this.writer = new RecordWriter(parts.file, parts.index.endOffset);
    this.reader = new SequentialReader(parts.file);
    this.counters = new MediumCounters(parts.metadata.lifetime, parts.metadata.loadCount);
  }

  position(): MediumPosition {
    return { objectNumber: this.current, fileNumber: this.index.filemarksBefore(this.current), atEndOfData: this.current === this.endObject() };
  }

  capacity(): MediumCapacity {
    const capacityBytes = this.metadata.capacityBytes;
    const usedBytes = this.index.endOffset - FILE_HEADER_BYTES + this.pendingBytes;
    return { capacityBytes, usedBytes, remainingBytes: Math.max(0, capacityBytes - usedBytes), earlyWarningBytes: earlyWarningBytes(capacityBytes) };
  }

  statistics(): MediumStatistics {
    return this.counters.statistics();
  }

  read(): Promise<ReadOutcome> {
    return this.exclusive(async () => {
      const objectNumber = this.current;
      if (objectNumber >= this.index.objectCount) return { kind: 'end-of-data' };
      if (this.writer.hasBuffered) await this.drain();
      const offset = await this.offsetOf(objectNumber);
      let result;
      try {
        result = await this.reader.read(offset, objectNumber, this.index.endOffset);
      } catch (error) {
        if (!(error instanceof StorageError)) throw error;
        result = { problem: error.message };
      }
      if ('problem' in result) {
        this.count('readErrors', 1);
        this.log.warn({ objectNumber, offset, problem: result.problem }, 'unreadable record');
        throw new MediaFormatError(`Cannot read object ${objectNumber} of cartridge ${this.barcode}: ${result.problem}`, objectNumber);
      }
      this.current = objectNumber + 1;
      this.cursor = { objectNumber: this.current, offset: offset + RECORD_HEADER_BYTES + result.storedBytes };
      if (result.header.type === RecordType.FILEMARK) return { kind: 'filemark' };
      this.count('blocksRead', 1);
      this.count('hostBytesRead', result.data.length);
      this.count('storedBytesRead', result.storedBytes);
      return result.release ? { kind: 'block', data: result.data, release: result.release } : { kind: 'block', data: result.data };
    });
  }

  write(block: Buffer, options: WriteOptions): Promise<WriteOutcome> {
    return this.exclusive(async () => {
      if (block.length > MAX_BLOCK_BYTES) throw new RangeError(`Cannot write a block of ${block.length} bytes: the limit is ${MAX_BLOCK_BYTES}`);
      this.checkWorm();
      if (this.pipelineFailure !== undefined) await this.settle();
      const tryCompressing = options.compress && this.compression.worthTrying(block);
      if (tryCompressing && this.stage.fits(block) && this.current === this.endObject()) {
        const usedAfter = this.index.endOffset + this.pendingBytes - FILE_HEADER_BYTES + RECORD_HEADER_BYTES + block.length;
        if (usedAfter <= this.metadata.capacityBytes) return this.writeThroughStage(block);
      }
      await this.settle();
      const commandObject = this.current;
      // Not an append at end of data, close to capacity, or longer than a slot: stored before the answer, still
      // compressed on a worker (not the thread pool, whose long-lived threads would keep lz4-napi's allocations).
      const staged = tryCompressing ? (this.stage.fits(block) ? await this.stage.submit(block) : this.stage.submitLarge(block)) : undefined;
      try {
        const form: { payload: Buffer; compressed: boolean; crc?: number } = staged === undefined
          ? { payload: block, compressed: false }
          : await this.storedForm(staged, block.length);
        const start = await this.prepareWrite(RECORD_HEADER_BYTES + form.payload.length);
        try {
          await this.appendData(this.current, start, form.payload, form.compressed, block.length, form.crc);
        } catch (error) {
          throw this.writeFailed(error, commandObject);
        }
        this.current++;
        this.storedData(block.length, RECORD_HEADER_BYTES + form.payload.length);
        return { earlyWarning: this.inEarlyWarning() };
      } finally {
        staged?.release();
      }
    }, { settleFirst: false });
  }

  writeFilemarks(count: number): Promise<WriteOutcome> {
    return this.exclusive(async () => {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`Cannot write ${count} filemarks`);
      if (count === 0) return { earlyWarning: this.inEarlyWarning() };
      this.checkWorm();
      const commandObject = this.current;
      let offset = await this.prepareWrite(count * RECORD_HEADER_BYTES);
      for (let i = 0; i < count; i++) {
        const header: RecordHeader = { type: RecordType.FILEMARK, flags: 0, objectNumber: this.current, pass: this.metadata.pass, storedLength: 0, logicalLength: 0, payloadCrc: 0 };
        this.index.append(true, offset, RECORD_HEADER_BYTES);
        try {
          await this.writer.append(header, undefined);
        } catch (error) {
          throw this.writeFailed(error, commandObject);
        }
        this.current++;
        this.stored(RECORD_HEADER_BYTES);
        this.count('filemarksWritten', 1);
        this.count('storedBytesWritten', RECORD_HEADER_BYTES);
        offset += RECORD_HEADER_BYTES;
      }
      return { earlyWarning: this.inEarlyWarning() };
    });
  }

  spaceBlocks(count: number): Promise<SpaceOutcome> {
    return this.move((index, position) => Space.spaceBlocks(index, position, count), count);
  }

  spaceFilemarks(count: number): Promise<SpaceOutcome> {
    return this.move((index, position) => Space.spaceFilemarks(index, position, count), count);
  }

  spaceSequentialFilemarks(count: number): Promise<SpaceOutcome> {
    return this.move((index, position) => Space.spaceSequentialFilemarks(index, position, count), count);
  }

  async spaceToEndOfData(): Promise<void> {
    await this.move((index) => ({ position: index.objectCount, outcome: { counted: 0 } }));
  }

  locate(objectNumber: number): Promise<SpaceOutcome> {
    if (objectNumber < 0) return Promise.reject(new RangeError(`Cannot locate object ${objectNumber}`));
    return this.move((index, position) => Space.locate(index, position, objectNumber), objectNumber);
  }

  async rewind(): Promise<void> {
    await this.move(() => ({ position: 0, outcome: { counted: 0 } }));
  }

  erase(): Promise<void> {
    return this.exclusive(async () => {
      if (this.worm) throw new WormViolationError(`Cannot erase WORM cartridge ${this.barcode}`);
      if (this.current >= this.index.objectCount) return;
      await this.cutAt(this.current, await this.offsetOf(this.current));
    });
  }

  /** FORMAT.md "Capacity": erase everything, then record the new capacity (and the native one) in the metadata. */
  setCapacity(capacityBytes: number): Promise<void> {
    return this.exclusive(async () => {
      if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 1 || capacityBytes > this.nativeCapacityBytes) {
        throw new RangeError(`Cannot set the capacity of cartridge ${this.barcode} to ${capacityBytes} bytes: it must be 1 to ${this.nativeCapacityBytes}`);
      }
      if (this.worm) throw new WormViolationError(`Cannot set the capacity of WORM cartridge ${this.barcode}`);
      if (this.index.objectCount > 0) await this.cutAt(0, FILE_HEADER_BYTES);
      this.current = 0;
      // The cut must be on disk before the metadata says the cartridge is shorter: a crash in between leaves a
      // blank cartridge of the old capacity, never old data beyond the new capacity.
      try {
        await this.writer.sync();
        this.metadata.capacityBytes = capacityBytes;
        this.metadata.nativeCapacityBytes = this.nativeCapacityBytes;
        await this.saveMetadata();
      } catch (error) {
        throw this.writeFailed(error);
      }
      this.log.info({ capacityBytes, nativeCapacityBytes: this.nativeCapacityBytes }, 'cartridge capacity set');
    });
  }

  flush(): Promise<void> {
    return this.exclusive(() => this.flushNow(false));
  }

  close(): Promise<void> {
    return this.exclusive(async () => {
      // A pipeline failure is reported after what is left has been flushed and the file closed.
      const failure = await this.settle().then(() => undefined, (error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      try {
        await this.flushNow(true);
      } finally {
        this.closed = true;
        this.writer.close();
        this.stage.close();
        await this.reader.close();
        await this.file.close();
      }
      if (failure !== undefined) throw failure;
    }, { settleFirst: false });
  }

  readAttributes(): ReadonlyMap<number, Buffer> {
    return new Map([...this.attributes].map(([id, value]) => [id, Buffer.from(value)]));
  }

  writeAttributes(attributes: ReadonlyMap<number, Buffer>): Promise<void> {
    return this.exclusive(async () => {
      for (const [id, value] of attributes) this.attributes.set(id, Buffer.from(value));
      this.metadata.attributes = attributesToRecord(this.attributes);
      try {
        await this.saveMetadata();
      } catch (error) {
        throw this.writeFailed(error);
      }
    });
  }

  // --- internals ---------------------------------------------------------------------------------------------

  /**
   * Methods run one at a time even if a caller forgets to wait: the queue keeps the stream's order. Unless told
   * otherwise, the write pipeline is settled first (its failure, if any, is what the operation reports).
   */
  private exclusive<T>(operation: () => Promise<T>, options: { settleFirst: boolean } = { settleFirst: true }): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.closed) throw new Error(`Cannot use cartridge ${this.barcode}: it is closed`);
      if (options.settleFirst) await this.settle();
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Object number of end of data, counting the records still in the write pipeline. */
  private endObject(): number {
    return this.index.objectCount + this.pendingRecords;
  }

  /** Wait until the write pipeline has stored everything; throws (once) the failure it met. */
  private async settle(): Promise<void> {
    await this.storing;
    const failure = this.pipelineFailure;
    if (failure === undefined) return;
    this.pipelineFailure = undefined;
    this.current = Math.min(this.current, this.index.objectCount);
    throw failure;
  }

  /** Acknowledge `block` once it is in the compression stage; it is stored in order by `store`. */
  private async writeThroughStage(block: Buffer): Promise<WriteOutcome> {
    const staged = await this.stage.submit(block);
    if (this.pipelineFailure !== undefined) {
      staged.release();
      await this.settle();
    }
    const objectNumber = this.current;
    const upperBound = RECORD_HEADER_BYTES + block.length;
    this.pendingRecords++;
    this.pendingBytes += upperBound;
    this.current++;
    const logicalLength = block.length;
    this.storing = this.storing.then(() => this.store(staged, objectNumber, logicalLength, upperBound));
    return { earlyWarning: this.inEarlyWarning() };
  }

  /** What a staged block of `logicalLength` bytes is stored as, once compressed; the policy learns whether it shrank. */
  private async storedForm(staged: StagedBlock, logicalLength: number): Promise<StoredForm> {
    const form = await staged.result;
    this.compression.observe(logicalLength, form.compressed ? form.payload.length : logicalLength);
    return form;
  }

  /** Store one record of the pipeline (never rejects: a failure is kept for the next operation). */
  private async store(staged: StagedBlock, objectNumber: number, logicalLength: number, upperBound: number): Promise<void> {
    try {
      const { payload, compressed, crc } = await this.storedForm(staged, logicalLength);
      if (this.pipelineFailure !== undefined) return; // lost with the failure before it
      try {
        await this.appendData(objectNumber, this.index.endOffset, payload, compressed, logicalLength, crc);
      } catch (error) {
        this.pipelineFailure = this.writeFailed(error, Number.POSITIVE_INFINITY, this.current) as MediaWriteError;
        return;
      }
      this.storedData(logicalLength, RECORD_HEADER_BYTES + payload.length);
    } finally {
      staged.release();
      this.pendingRecords--;
      this.pendingBytes -= upperBound;
    }
  }

  private move(compute: (index: ObjectIndex, position: number) => Space.SpaceResult, ...numbers: number[]): Promise<SpaceOutcome> {
    return this.exclusive(async () => {
      for (const n of numbers) if (!Number.isSafeInteger(n)) throw new RangeError(`Cannot move by or to ${n}: not an integer`);
      const result = compute(this.index, this.current);
      this.current = result.position;
      return result.outcome;
    });
  }

  private checkWorm(): void {
    if (this.worm && !wormAllowsWrite(this.index, this.current)) {
      throw new WormViolationError(`Cannot overwrite object ${this.current} of WORM cartridge ${this.barcode}`);
    }
  }

  /** Check capacity for `recordBytes` at the position and cut the data after it; returns the write offset. */
  private async prepareWrite(recordBytes: number): Promise<number> {
    const start = await this.offsetOf(this.current);
    const usedAfter = start - FILE_HEADER_BYTES + recordBytes;
    if (usedAfter > this.metadata.capacityBytes) {
      throw new MediumFullError(`Cannot write ${recordBytes} bytes to cartridge ${this.barcode}: ${this.metadata.capacityBytes - (start - FILE_HEADER_BYTES)} bytes remain before the physical end`);
    }
    if (this.current < this.index.objectCount) await this.cutAt(this.current, start);
    return start;
  }

  /** Make object `objectNumber` (at `offset`) the new end of data (FORMAT.md "Overwrite and erase"). */
  private async cutAt(objectNumber: number, offset: number): Promise<void> {
    await this.drain();
    if (objectNumber >= this.index.objectCount) return;
    this.metadata.pass = Math.min(this.metadata.pass + 1, 0xffffffff);
    this.metadataDirty = true;
    this.index.truncate(objectNumber, offset);
    if (this.cursor !== undefined && this.cursor.objectNumber > objectNumber) this.cursor = undefined;
    this.reader.invalidate();
    // The checkpoint of the kept prefix goes first: it stays true whether or not the truncate below happens.
    await this.saveCheckpoint().catch((error: unknown) => this.log.warn({ err: error }, 'cannot save the index checkpoint'));
    try {
      await this.writer.cut(offset);
    } catch (error) {
      throw this.writeFailed(error);
    }
  }

  /** Offset of object `objectNumber` (<= objectCount): anchor, then a walk of at most INDEX_STRIDE-1 headers. */
  private async offsetOf(objectNumber: number): Promise<number> {
    if (objectNumber === this.index.objectCount) return this.index.endOffset;
    if (this.cursor?.objectNumber === objectNumber) return this.cursor.offset;
    if (this.writer.hasBuffered) {
      await this.drain();
      if (objectNumber >= this.index.objectCount) return this.index.endOffset;
    }
    let { objectNumber: at, offset } = this.index.anchorFor(objectNumber);
    if (this.cursor !== undefined && this.cursor.objectNumber > at && this.cursor.objectNumber < objectNumber) {
      ({ objectNumber: at, offset } = this.cursor);
    }
    for (; at < objectNumber; at++) {
      const header = await readHeaderAt(this.file, offset).catch((error: unknown) => {
        if (error instanceof StorageError) return 'unreadable';
        throw error;
      });
      if (typeof header === 'string' || header.objectNumber !== at) {
        this.count('readErrors', 1);
        const why = typeof header === 'string' ? header : `it names object ${header.objectNumber}`;
        throw new MediaFormatError(`Cannot position cartridge ${this.barcode} to object ${objectNumber}: the header of object ${at} is unreadable (${why})`, at);
      }
      offset += RECORD_HEADER_BYTES + header.storedLength;
    }
    this.cursor = { objectNumber, offset };
    return offset;
  }

  private async drain(): Promise<void> {
    try {
      await this.writer.drain();
    } catch (error) {
      throw this.writeFailed(error);
    }
  }

  /**
   * Index data record `objectNumber` at `start` and hand it to the writer (which may throw a WriteFailure). The
   * payload's CRC is computed here unless the compression stage already did.
   */
  private async appendData(objectNumber: number, start: number, payload: Buffer, compressed: boolean, logicalLength: number, payloadCrc = crc32c(payload)): Promise<void> {
    const header: RecordHeader = {
      type: RecordType.DATA, flags: compressed ? RecordFlag.COMPRESSED : 0, objectNumber, pass: this.metadata.pass,
      storedLength: payload.length, logicalLength, payloadCrc,
    };
    this.index.append(false, start, RECORD_HEADER_BYTES + payload.length);
    await this.writer.append(header, payload);
  }

  /** A data record is in the writer: bookkeeping and counters (the position is the caller's). */
  private storedData(logicalLength: number, recordBytes: number): void {
    this.stored(recordBytes);
    this.count('blocksWritten', 1);
    this.count('hostBytesWritten', logicalLength);
    this.count('storedBytesWritten', recordBytes);
  }

  /** A record (data or filemark) was appended at end of data: the cursor and the checkpoint counts follow. */
  private stored(recordBytes: number): void {
    this.cursor = { objectNumber: this.index.objectCount, offset: this.index.endOffset };
    this.sinceCheckpoint.records++;
    this.sinceCheckpoint.bytes += recordBytes;
  }

  private inEarlyWarning(): boolean {
    const { remainingBytes, earlyWarningBytes: warning } = this.capacity();
    return remainingBytes <= warning;
  }

  /**
   * Roll the index back to what is really on the medium and turn the failure into a MediaWriteError. Objects before
   * `commandObject` (the first object of the running command; all of them when absent) were acknowledged earlier.
   */
  private writeFailed(error: unknown, commandObject = Number.POSITIVE_INFINITY, acknowledgedEnd = this.index.objectCount): Error {
    if (!(error instanceof WriteFailure) && !(error instanceof StorageError)) return error instanceof Error ? error : new Error(String(error));
    const cause = error instanceof WriteFailure ? error.error : error;
    const code = cause instanceof StorageError ? cause.code : undefined;
    this.reader.invalidate();
    let lostAcknowledged = 0;
    if (error instanceof WriteFailure && !Number.isNaN(error.objectNumber)) {
      lostAcknowledged = Math.max(0, Math.min(commandObject, acknowledgedEnd) - error.objectNumber);
      this.index.truncate(error.objectNumber, error.offset);
      if (this.cursor !== undefined && this.cursor.objectNumber > error.objectNumber) this.cursor = undefined;
      this.current = Math.min(this.current, this.index.objectCount);
    }
    this.count('writeErrors', 1);
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.log.error({ code, endOfData: this.index.objectCount, lostAcknowledged, err: cause }, 'cartridge write failed');
    const lost = lostAcknowledged > 0 ? ` (${lostAcknowledged} acknowledged object(s) lost)` : '';
    return new MediaWriteError(`Cannot write to cartridge ${this.barcode}: ${reason}; end of data is now object ${this.index.objectCount}${lost}`, code, lostAcknowledged);
  }

  private async flushNow(closing: boolean): Promise<void> {
    try {
      await this.writer.sync();
    } catch (error) {
      throw this.writeFailed(error);
    }
    const recordsDue = Math.max(CHECKPOINT_EVERY_RECORDS, this.index.objectCount / 16);
    const due = this.sinceCheckpoint.records >= recordsDue || this.sinceCheckpoint.bytes >= CHECKPOINT_EVERY_BYTES;
    try {
      if (due || (closing && this.sinceCheckpoint.records > 0)) await this.saveCheckpoint();
      // Counters alone are not worth two fsyncs on every flush (a host in unbuffered mode flushes every block).
      const countersDue = this.counters.dirty && (closing || Date.now() - this.metadataSavedAt >= METADATA_COUNTERS_EVERY_MS);
      if (this.metadataDirty || countersDue) await this.saveMetadata();
    } catch (error) {
      throw this.writeFailed(error);
    }
  }

  private async saveCheckpoint(): Promise<void> {
    await this.saver.saveCheckpoint(this.index, this.metadata.pass);
    this.sinceCheckpoint = { records: 0, bytes: 0 };
  }

  private async saveMetadata(): Promise<void> {
    await this.saver.saveMetadata(this.metadata);
    this.metadataDirty = false;
    this.counters.dirty = false;
    this.metadataSavedAt = Date.now();
  }

  private count(counter: Counter, amount: number): void {
    this.counters.add(counter, amount);
  }
}
