// FORMAT.md "Records", "Index", "Overwrite and erase", "Write errors": the record stream of one mounted cartridge.
// It owns one invariant: the index, the writer and the data file describe the same stream (objects 0..objectCount,
// ending at endOffset, every record of the current pass or an older one), through appends, cuts and failed writes.
// Positions, capacity and WORM are the medium's (file-tape-medium.ts); this knows only where records are. Reading
// (cursor, read-ahead, what the host gets) is record-reading.ts's; sealing and the format version record-sealing.ts's.
import { crc32c } from '../crc32c.js';
import type { Logger } from '../log.js';
import type { RandomAccessFile } from '../storage/storage.js';
import type { MediumCounters } from './medium-counters.js';
import type { ObjectIndex } from './object-index.js';
import type { PersistenceSchedule } from './persistence-schedule.js';
import type { BlockKey } from './crypto/record-envelope.js';
import type { EnvelopeKey } from './crypto/record-opener.js';
import type { SealingGenerations } from './crypto/sealing-generations.js';
import { filemarkHeader, RECORD_HEADER_BYTES, RecordFlag, RecordType, type RecordHeader } from './record-header.js';
import { RecordReading } from './record-reading.js';
import { RecordSealing } from './record-sealing.js';
import { RecordWriter } from './record-writer.js';
import { WriteFailure, writeErrorOf, type WriteFault } from './write-failure.js';
import type { FilemarkView } from './space.js';
import { isNoSpaceCode, type MediaWriteError, type ReadOutcome } from './tape-medium.js';
import type { WormView } from './worm-rule.js';

export interface RecordLogParts {
  readonly file: RandomAccessFile;
  readonly index: ObjectIndex;
  readonly pass: number;
  /** The data file's format version (a version 1 file is upgraded before its first filemark run). */
  readonly version: number;
  readonly persistence: PersistenceSchedule;
  readonly counters: MediumCounters;
  /** The write generations of encrypted records (FORMAT.md "Encrypted records"). */
  readonly sealing: SealingGenerations;
  /** The cartridge's data key when the library encrypts at rest (FORMAT.md "Encryption at rest"). */
  readonly dataKey?: Buffer;
  /** The cartridge's barcode, for messages. */
  readonly name: string;
  readonly log: Logger;
}

export class RecordLog {
  private readonly file: RandomAccessFile;
  private readonly index: ObjectIndex;
  private readonly writer: RecordWriter;
  private readonly persistence: PersistenceSchedule;
  private readonly counters: MediumCounters;
  private readonly name: string;
  private readonly log: Logger;
  private readonly sealing: RecordSealing;
  private currentPass: number;
  /** A write failed for lack of space and none has reached the storage since (FORMAT.md "Disk full"). */
  private noSpace = false;
  /** The cursor, the read-ahead and what the host gets of a record. */
  private readonly reading: RecordReading;

  constructor(parts: RecordLogParts) {
    this.file = parts.file;
    this.index = parts.index;
    this.currentPass = parts.pass;
    this.persistence = parts.persistence;
    this.counters = parts.counters;
    this.name = parts.name;
    this.log = parts.log;
    this.writer = new RecordWriter(parts.file, parts.index.endOffset, parts.index.objectCount);
    this.sealing = new RecordSealing({ ...parts, drain: () => this.writer.drain() });
    this.reading = new RecordReading({
      ...parts, atRest: this.sealing.atRest, drainStaged: () => this.writer.drain(), hasStaged: () => this.writer.hasBuffered,
    });
  }

  /** Object number of end of data. */
  get objectCount(): number {
    return this.index.objectCount;
  }

  /** File offset of end of data. */
  get endOffset(): number {
    return this.index.endOffset;
  }

  /** The write pass of the records appended from now on (FORMAT.md "Passes"). */
  get pass(): number {
    return this.currentPass;
  }

  /** The storage ran out of space: writes must reach it before they are acknowledged (writeThroughWhileFull()). */
  get outOfSpace(): boolean {
    return this.noSpace;
  }

  /**
   * While the storage is out of space, a write is answered only once it reached the file: refused (StorageFullError,
   * nothing kept) while the storage stays full; the first one that gets through ends the condition.
   */
  async writeThroughWhileFull(): Promise<void> {
    if (!this.noSpace) return;
    await this.writer.drain();
    this.noSpace = false;
    this.log.info('the storage accepts writes again');
  }

  /** Where the filemarks are, for SPACE, LOCATE and the WORM rule (read only). */
  get marks(): FilemarkView & WormView {
    return this.index;
  }

  /**
   * Read object `objectNumber` (< objectCount). Records still in the writer go to the file first. A record that
   * cannot be read whole and checked is a MediaFormatError naming it; wrong bytes are never returned. A filemark
   * inside a run whose header was checked when it was found is not read again. `hostKey`: see ReadOptions.openWith.
   */
  read(objectNumber: number, hostKey?: EnvelopeKey): Promise<ReadOutcome> {
    // Not an async function: a READ in a stream (nothing staged) adds no frame and no turn of its own here.
    if (!this.writer.hasBuffered) return this.reading.read(objectNumber, hostKey);
    return this.writer.drain().then(() => this.reading.read(objectNumber, hostKey));
  }

  /**
   * Append a data record at end of data (throws WriteFailure: see rollback()). The payload's CRC is computed here
   * unless the compression stage already did. With `key` the payload is sealed first (FORMAT.md "Encrypted
   * records"), the one place records are encrypted. Resolves once the record is in the writer.
   */
  async appendData(payload: Buffer, compressed: boolean, logicalLength: number, payloadCrc?: number, key?: BlockKey): Promise<void> {
    const objectNumber = this.index.objectCount;
    const flags = compressed ? RecordFlag.COMPRESSED : 0;
    if (this.sealing.seals(key)) {
      await this.appendSealed(payload, objectNumber, flags, logicalLength, compressed, key);
      return;
    }
    const header: RecordHeader = {
      type: RecordType.DATA, flags, objectNumber, pass: this.currentPass,
      storedLength: payload.length, logicalLength, payloadCrc: payloadCrc ?? crc32c(payload),
    };
    const recordBytes = RECORD_HEADER_BYTES + payload.length;
    this.index.append(false, this.index.endOffset, recordBytes);
    await this.writer.append(header, payload);
    this.appended(recordBytes);
    this.counters.dataWritten(logicalLength, recordBytes);
  }

  /** appendData() of a record to seal: sealed straight into the writer's staging chunk (record-writer.ts appendFilled). */
  private async appendSealed(payload: Buffer, objectNumber: number, flags: number, logicalLength: number, compressed: boolean, key: BlockKey | undefined): Promise<void> {
    const sealed = await this.sealing.seal(payload, { objectNumber, pass: this.currentPass, logicalLength, compressed }, key);
    const header = { type: RecordType.DATA, flags: flags | sealed.flags, objectNumber, pass: this.currentPass, storedLength: sealed.length, logicalLength };
    const recordBytes = RECORD_HEADER_BYTES + sealed.length;
    const offset = this.index.endOffset;
    this.index.append(false, offset, recordBytes);
    try {
      await this.writer.appendFilled(header, (into) => sealed.into(into));
    } catch (error) {
      // A failed seal appended nothing: the index forgets the record (a WriteFailure is the caller's to roll back).
      if (!(error instanceof WriteFailure) && this.index.objectCount === objectNumber + 1) this.index.truncate(objectNumber, offset);
      throw error;
    }
    this.appended(recordBytes);
    this.counters.dataWritten(logicalLength, recordBytes);
  }

  /** Append `count` filemarks at end of data as one record (FORMAT.md "Filemark runs"). Throws WriteFailure. */
  async appendFilemarks(count: number): Promise<void> {
    await this.sealing.beforeFilemarks(count);
    const header = filemarkHeader(this.index.objectCount, count, this.currentPass);
    this.index.append(true, this.index.endOffset, RECORD_HEADER_BYTES, count);
    await this.writer.append(header, undefined);
    this.appended(RECORD_HEADER_BYTES);
    this.counters.add('filemarksWritten', count);
    this.counters.add('storedBytesWritten', RECORD_HEADER_BYTES);
  }

  /** Where a record written at object `objectNumber` (<= objectCount) would start, after the cut it implies. */
  async startOf(objectNumber: number): Promise<number> {
    await this.drainBeforeCut(objectNumber);
    if (objectNumber >= this.index.objectCount) return this.index.endOffset;
    const at = await this.reading.locate(objectNumber);
    return at.first === objectNumber ? at.offset : at.offset + RECORD_HEADER_BYTES; // inside a run: after its shortened record
  }

  /**
   * Make object `objectNumber` the new end of data (FORMAT.md "Overwrite and erase"): pass + 1, the checkpoint of
   * the kept prefix, then the truncate. Inside a filemark run the run's record is rewritten shorter, and made
   * durable, with a checkpoint that can write it again first (FORMAT.md "Filemark runs"). Throws WriteFailure or
   * StorageError. Nothing to do at or past end of data.
   */
  async cutAt(objectNumber: number): Promise<void> {
    await this.drainBeforeCut(objectNumber);
    if (objectNumber >= this.index.objectCount) return;
    const at = await this.reading.locate(objectNumber);
    this.sealing.retire();
    this.currentPass = Math.min(this.currentPass + 1, 0xffffffff);
    this.persistence.passChanged(this.currentPass);
    this.index.truncate(at.first, at.offset);
    this.forgetAfter(at.first);
    if (at.first === objectNumber) {
      await this.persistence.checkpointBeforeCut(this.index, this.currentPass);
      await this.writer.cut(at.offset, objectNumber);
      return;
    }
    const kept = objectNumber - at.first;
    this.index.append(true, at.offset, RECORD_HEADER_BYTES, kept);
    try {
      await this.persistence.checkpointBeforeRewrite(this.index, this.currentPass, { offset: at.offset, firstObject: at.first });
    } catch (error) {
      // Nothing changed on disk: the index describes the whole run again.
      this.index.truncate(at.first, at.offset);
      this.index.append(true, at.offset, RECORD_HEADER_BYTES, at.objects);
      throw error;
    }
    await this.writer.cut(at.offset, at.first);
    await this.writer.append(filemarkHeader(at.first, kept, this.currentPass), undefined);
    await this.writer.sync();
    this.appended(RECORD_HEADER_BYTES, 0);
  }

  /**
   * Before a cut at `objectNumber`: hand the staged records to the file. A failure that lost only records from
   * `objectNumber` on is rolled back and logged, not thrown: the cut discards those records anyway, so nothing the
   * host can still reach is lost (and out of space, the write that follows is written through).
   */
  private async drainBeforeCut(objectNumber: number): Promise<void> {
    if (objectNumber >= this.index.objectCount) return;
    try {
      await this.writer.drain();
    } catch (error) {
      if (!(error instanceof WriteFailure) || error.lost.objectNumber < objectNumber) throw error;
      const absorbed = this.rollback(error, objectNumber);
      this.log.warn({ objectNumber, err: absorbed.message }, 'the failed write lost only records the cut discards');
    }
  }

  /** Hand every record to the file, without a sync. Throws WriteFailure. */
  async drain(): Promise<void> {
    await this.writer.drain();
  }

  /** Everything appended so far is durable when this resolves; then the small files when they are due. */
  async flush(closing: boolean): Promise<void> {
    await this.writer.sync();
    await this.persistence.afterSync(this.index, this.currentPass, closing);
  }

  /** Sync the data file only (SET CAPACITY: the cut must be durable before the metadata says so). */
  async sync(): Promise<void> {
    await this.writer.sync();
  }

  /**
   * A write, cut or sync failed: forget what the failure dropped, so the index names only records in the file (the
   * stream stays readable up to its last good record), and say what was lost: the objects before `acknowledgedEnd`
   * had been acknowledged (the first object of the running write command; everything, for other operations).
   */
  rollback(fault: WriteFault, acknowledgedEnd: number): MediaWriteError {
    this.reading.dropReadAhead();
    // The objects it dropped will be written again, under the same pass: a new generation keeps their nonces fresh.
    this.sealing.retire();
    let lostAcknowledged = 0;
    if (fault instanceof WriteFailure) {
      const { lost } = fault;
      lostAcknowledged = Math.max(0, acknowledgedEnd - lost.objectNumber);
      this.index.truncate(lost.objectNumber, lost.offset);
      this.forgetAfter(lost.objectNumber);
    }
    const reported = writeErrorOf(fault, this.name, this.index.objectCount, lostAcknowledged);
    this.counters.add('writeErrors', 1);
    this.log.error({ code: reported.code, endOfData: this.index.objectCount, lostAcknowledged, err: fault instanceof WriteFailure ? fault.error : fault }, 'cartridge write failed');
    if (isNoSpaceCode(reported.code)) this.noSpace = true;
    return reported;
  }

  /** Free the buffers and close the file (after a flush). */
  async close(): Promise<void> {
    this.writer.close();
    await this.reading.close();
    await this.file.close();
  }

  private appended(recordBytes: number, records = 1): void {
    this.reading.appended();
    this.persistence.appended(records, recordBytes);
  }

  private forgetAfter(objectNumber: number): void {
    this.reading.forgetFrom(objectNumber);
  }
}
