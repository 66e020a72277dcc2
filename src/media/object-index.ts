// FORMAT.md "Index": where the records are in the data file, and where the filemarks are. A record holds one object
// (a data block, a filemark) or a run of consecutive filemarks (FORMAT.md "Filemark runs").
// Memory: one anchor (first object and offset of a record) per INDEX_STRIDE records, 16 bytes, plus one entry per
// run of consecutive filemarks however long, 16 bytes; the offset of an object between anchors is found by walking
// at most INDEX_STRIDE - 1 headers.

export const INDEX_STRIDE = 32;

/** An append-only float64 array that can also be cut back; grows by doubling. */
export class GrowableArray {
  private data: Float64Array;
  private count = 0;

  constructor(initial: ArrayLike<number> = []) {
    this.data = new Float64Array(Math.max(64, initial.length * 2));
    this.data.set(initial);
    this.count = initial.length;
  }

  get length(): number {
    return this.count;
  }

  at(index: number): number {
    if (index < 0 || index >= this.count) throw new RangeError(`index ${index} outside 0..${this.count - 1}`);
    return this.data[index];
  }

  set(index: number, value: number): void {
    if (index < 0 || index >= this.count) throw new RangeError(`index ${index} outside 0..${this.count - 1}`);
    this.data[index] = value;
  }

  push(value: number): void {
    if (this.count === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.count++] = value;
  }

  truncate(length: number): void {
    this.count = Math.min(this.count, Math.max(0, length));
  }

  /** First index whose value is >= `value` (length when none); the values must be sorted. */
  lowerBound(value: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.data[middle] < value) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  view(): Float64Array {
    return this.data.subarray(0, this.count);
  }
}

export interface IndexState {
  readonly objectCount: number;
  readonly endOffset: number;
  /** The first object and the offset of every anchor record, ascending. */
  readonly anchorObjects: ArrayLike<number>;
  readonly anchorOffsets: ArrayLike<number>;
  /** Maximal runs of consecutive filemarks: first object and number of filemarks, ascending and apart. */
  readonly runStarts: ArrayLike<number>;
  readonly runLengths: ArrayLike<number>;
}

export class ObjectIndex {
  private readonly anchorObjects: GrowableArray;
  private readonly anchorOffsets: GrowableArray;
  private readonly runStarts: GrowableArray;
  /** Filemarks in runs 0..i: the ordinal just past run i. */
  private readonly marksThrough: GrowableArray;
  /** Records still to append before the next anchor; 0: the next record is one (so after a cut or a reload). */
  private recordsToAnchor = 0;
  /** Number of objects = the object number of end of data. */
  objectCount: number;
  /** File offset of end of data (just past the last record). */
  endOffset: number;

  constructor(state: IndexState) {
    this.anchorObjects = new GrowableArray(state.anchorObjects);
    this.anchorOffsets = new GrowableArray(state.anchorOffsets);
    this.runStarts = new GrowableArray(state.runStarts);
    this.marksThrough = new GrowableArray();
    let total = 0;
    for (let i = 0; i < state.runLengths.length; i++) this.marksThrough.push((total += state.runLengths[i]));
    this.objectCount = state.objectCount;
    this.endOffset = state.endOffset;
  }

  static empty(startOffset: number): ObjectIndex {
    return new ObjectIndex({ objectCount: 0, endOffset: startOffset, anchorObjects: [], anchorOffsets: [], runStarts: [], runLengths: [] });
  }

  /** Record the next record, stored at `offset` and taking `recordBytes` bytes: `objects` filemarks, or one data block. */
  append(isFilemark: boolean, offset: number, recordBytes: number, objects = 1): void {
    const first = this.objectCount;
    if (this.recordsToAnchor === 0) {
      this.anchorObjects.push(first);
      this.anchorOffsets.push(offset);
      this.recordsToAnchor = INDEX_STRIDE;
    }
    this.recordsToAnchor--;
    if (isFilemark) {
      const last = this.runStarts.length - 1;
      if (last >= 0 && this.runStarts.at(last) + this.runLength(last) === first) this.marksThrough.set(last, this.marksThrough.at(last) + objects);
      else {
        this.runStarts.push(first);
        this.marksThrough.push(this.filemarkCount + objects);
      }
    }
    this.objectCount = first + objects;
    this.endOffset = offset + recordBytes;
  }

  /** Forget object `objectNumber` (the first object of a record) and everything after it; `offset` is where it started. */
  truncate(objectNumber: number, offset: number): void {
    if (objectNumber >= this.objectCount) return;
    const anchors = this.anchorObjects.lowerBound(objectNumber);
    this.anchorObjects.truncate(anchors);
    this.anchorOffsets.truncate(anchors);
    const runs = this.runStarts.lowerBound(objectNumber);
    this.runStarts.truncate(runs);
    this.marksThrough.truncate(runs);
    if (runs > 0 && this.runStarts.at(runs - 1) + this.runLength(runs - 1) > objectNumber) {
      this.marksThrough.set(runs - 1, this.marksBefore(runs - 1) + objectNumber - this.runStarts.at(runs - 1));
    }
    this.objectCount = objectNumber;
    this.endOffset = offset;
    this.recordsToAnchor = 0;
  }

  /** The nearest anchor record whose first object is at or before `objectNumber` (< objectCount), and its offset. */
  anchorFor(objectNumber: number): { objectNumber: number; offset: number } {
    const slot = this.anchorObjects.lowerBound(objectNumber + 1) - 1;
    return { objectNumber: this.anchorObjects.at(slot), offset: this.anchorOffsets.at(slot) };
  }

  /** Filemarks before `objectNumber`: the file number of that position. */
  filemarksBefore(objectNumber: number): number {
    const run = this.runStarts.lowerBound(objectNumber) - 1;
    if (run < 0) return 0;
    return this.marksBefore(run) + Math.min(this.runLength(run), objectNumber - this.runStarts.at(run));
  }

  get filemarkCount(): number {
    const runs = this.marksThrough.length;
    return runs === 0 ? 0 : this.marksThrough.at(runs - 1);
  }

  /** Object number of the filemark with this ordinal (0 = first filemark on the medium). */
  filemark(ordinal: number): number {
    if (ordinal < 0 || ordinal >= this.filemarkCount) throw new RangeError(`filemark ${ordinal} outside 0..${this.filemarkCount - 1}`);
    const run = this.marksThrough.lowerBound(ordinal + 1);
    return this.runStarts.at(run) + ordinal - this.marksBefore(run);
  }

  isFilemark(objectNumber: number): boolean {
    const run = this.runStarts.lowerBound(objectNumber + 1) - 1;
    return run >= 0 && objectNumber < this.runStarts.at(run) + this.runLength(run);
  }

  /** Runs of consecutive filemarks (maximal: two runs are never adjacent). */
  get runCount(): number {
    return this.runStarts.length;
  }

  runStart(run: number): number {
    return this.runStarts.at(run);
  }

  runLength(run: number): number {
    return this.marksThrough.at(run) - this.marksBefore(run);
  }

  runsStartingBefore(objectNumber: number): number {
    return this.runStarts.lowerBound(objectNumber);
  }

  snapshot(): IndexState {
    const runLengths = new Float64Array(this.runStarts.length);
    for (let run = 0; run < runLengths.length; run++) runLengths[run] = this.runLength(run);
    return {
      objectCount: this.objectCount, endOffset: this.endOffset,
      anchorObjects: this.anchorObjects.view(), anchorOffsets: this.anchorOffsets.view(),
      runStarts: this.runStarts.view(), runLengths,
    };
  }

  private marksBefore(run: number): number {
    return run === 0 ? 0 : this.marksThrough.at(run - 1);
  }
}
