// The one location of a record stream that is known without reading (FORMAT.md "Index"): kept so that sequential
// reads and appends never walk headers. The invariant it owns: the cursor is either unknown or names the record that
// holds its object in the stream as the index describes it now; a cut or a rollback forgets it (forgetFrom), an
// append moves it to end of data, a read moves it past the object read.
import type { ObjectIndex } from './object-index.js';
import type { RandomAccessFile } from '../storage/storage.js';
import { objectsIn } from './record-header.js';
import { findRecord, locationAfter, type Location } from './record-reader.js';

export class RecordCursor {
  private cursor: Location | undefined;

  constructor(
    private readonly file: RandomAccessFile,
    private readonly index: Pick<ObjectIndex, 'anchorFor' | 'objectCount' | 'endOffset'>,
  ) {}

  /** Object `objectNumber`'s location when it is known without reading (the cursor, or end of data). */
  atHand(objectNumber: number): Location | undefined {
    const cursor = this.cursor;
    if (cursor?.objectNumber === objectNumber) return cursor;
    if (objectNumber === this.index.objectCount) return { objectNumber, offset: this.index.endOffset, first: objectNumber, objects: 1 };
    return undefined;
  }

  /**
   * Walk the headers to object `objectNumber` (< objectCount, the records in the file) from its index anchor, or
   * from the cursor's record when that is nearer: at most INDEX_STRIDE-1 headers. The cursor then names it.
   */
  async walkTo(objectNumber: number): Promise<Location | { readonly problem: string; readonly objectNumber: number }> {
    const cursor = this.cursor;
    let from = this.index.anchorFor(objectNumber);
    if (cursor !== undefined && cursor.first > from.objectNumber && cursor.first <= objectNumber) from = { objectNumber: cursor.first, offset: cursor.offset };
    const found = await findRecord(this.file, from, objectNumber);
    if ('problem' in found) return found;
    this.cursor = { objectNumber, offset: found.offset, first: found.first, objects: objectsIn(found.header) };
    return this.cursor;
  }

  /** Object `at.objectNumber` was read (its record stores `storedBytes` of payload): the cursor names the next. */
  passed(at: Location, storedBytes = 0): void {
    this.cursor = locationAfter(at, storedBytes);
  }

  /** Records were appended: the cursor names end of data. */
  atEnd(): void {
    this.cursor = { objectNumber: this.index.objectCount, offset: this.index.endOffset, first: this.index.objectCount, objects: 1 };
  }

  /** The stream was cut at object `objectNumber` (or lost what follows it): a cursor there or past it is forgotten. */
  forgetFrom(objectNumber: number): void {
    if (this.cursor !== undefined && this.cursor.objectNumber >= objectNumber) this.cursor = undefined;
  }
}
