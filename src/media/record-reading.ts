// Reading the record stream of one mounted cartridge (FORMAT.md "Reading"): where an object is (record-cursor.ts),
// its record read whole and checked (sequential-reader.ts, with its read-ahead), and what the host gets of it
// (host-outcome.ts). The invariant it owns: what is read is the stream the index describes now. The cursor and the
// read-ahead are both caches of that stream; every change of it but an append (a cut, a rollback) drops both at once
// (forgetFrom). A record that cannot be read whole and checked is a MediaFormatError naming it; wrong bytes are never
// returned.
import type { Logger } from '../log.js';
import { StorageError, type RandomAccessFile } from '../storage/storage.js';
import type { AtRestSeal } from './crypto/at-rest-seal.js';
import { RecordOpener, type EnvelopeKey } from './crypto/record-opener.js';
import { hostOutcome, logicalBytesOf } from './host-outcome.js';
import type { MediumCounters } from './medium-counters.js';
import type { ObjectIndex } from './object-index.js';
import { PayloadWorkers } from './payload-workers.js';
import { RecordCursor } from './record-cursor.js';
import { isFilemarkRecord, objectsIn } from './record-header.js';
import type { Location, RecordResult } from './record-reader.js';
import { SequentialReader } from './sequential-reader.js';
import { MediaFormatError, type ReadOutcome } from './tape-medium.js';

export interface RecordReadingParts {
  readonly file: RandomAccessFile;
  readonly index: ObjectIndex;
  readonly counters: MediumCounters;
  /** Opens the records sealed at rest; undefined when the cartridge has no data key. */
  readonly atRest: AtRestSeal | undefined;
  /** Records staged for the file are handed to it before a walk over the headers (they may be the ones walked). */
  readonly drainStaged: () => Promise<void>;
  readonly hasStaged: () => boolean;
  /** The cartridge's barcode, for messages. */
  readonly name: string;
  readonly log: Logger;
}

export class RecordReading {
  private readonly cursor: RecordCursor;
  private readonly reader: SequentialReader;

  constructor(private readonly parts: RecordReadingParts) {
    this.cursor = new RecordCursor(parts.file, parts.index);
    this.reader = new SequentialReader(parts.file, PayloadWorkers.shared(), new RecordOpener(parts.atRest?.envelopeKey, PayloadWorkers.shared()));
  }

  /**
   * Read object `objectNumber` (< objectCount; nothing staged). A filemark inside a run whose header was checked when
   * it was found is not read again. `hostKey`: see ReadOptions.openWith.
   */
  async read(objectNumber: number, hostKey?: EnvelopeKey): Promise<ReadOutcome> {
    const { counters, log, name, index } = this.parts;
    // The cursor names the object in a stream: no walk, and no await for one.
    const at = this.cursor.atHand(objectNumber) ?? (await this.locate(objectNumber));
    if (at.first < objectNumber) {
      this.cursor.passed(at);
      return { kind: 'filemark' };
    }
    let result: RecordResult;
    try {
      result = await this.reader.read(at.offset, objectNumber, index.endOffset, hostKey);
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      result = { problem: error.message };
    }
    if ('problem' in result) {
      counters.add('readErrors', 1);
      log.warn({ objectNumber, offset: at.offset, problem: result.problem }, 'unreadable record');
      throw new MediaFormatError(`Cannot read object ${objectNumber} of cartridge ${name}: ${result.problem}`, objectNumber);
    }
    this.cursor.passed({ objectNumber, offset: at.offset, first: objectNumber, objects: objectsIn(result.header) }, result.storedBytes);
    if (isFilemarkRecord(result.header)) return { kind: 'filemark' };
    counters.dataRead(logicalBytesOf(result), result.storedBytes);
    const outcome = hostOutcome(result, this.parts.atRest);
    if (!('problem' in outcome)) return outcome;
    counters.add('readErrors', 1);
    log.warn({ objectNumber, problem: outcome.problem }, 'unreadable record');
    throw new MediaFormatError(`Cannot read object ${objectNumber} of cartridge ${name}: the record encrypted at rest does not open (${outcome.problem})`, objectNumber);
  }

  /** Where object `objectNumber` (<= objectCount) is: the cursor, or an anchor and a walk of at most INDEX_STRIDE-1 headers. */
  async locate(objectNumber: number): Promise<Location> {
    const known = this.cursor.atHand(objectNumber);
    if (known !== undefined) return known;
    if (this.parts.hasStaged()) {
      await this.parts.drainStaged();
      if (objectNumber >= this.parts.index.objectCount) return this.locate(objectNumber);
    }
    const found = await this.cursor.walkTo(objectNumber);
    if ('problem' in found) {
      this.parts.counters.add('readErrors', 1);
      throw new MediaFormatError(`Cannot position cartridge ${this.parts.name} to object ${objectNumber}: ${found.problem}`, found.objectNumber);
    }
    return found;
  }

  /** Records were appended at end of data: the cursor follows them (the read-ahead stops at the old end). */
  appended(): void {
    this.cursor.atEnd();
  }

  /** The stream changed other than by an append: the read-ahead is dropped, and the cursor if it is at or past `objectNumber`. */
  forgetFrom(objectNumber: number): void {
    this.cursor.forgetFrom(objectNumber);
    this.reader.invalidate();
  }

  /** A write or sync failed (the index may be unchanged): what was read ahead may not be in the file as read. */
  dropReadAhead(): void {
    this.reader.invalidate();
  }

  /** Free the read buffers (the cartridge is unloaded). */
  close(): Promise<void> {
    return this.reader.close();
  }
}
