// FORMAT.md "Index": where each logical object starts in the data file, and where the filemarks are.
// Memory: one float64 anchor per INDEX_STRIDE objects (10 million objects = 2.5 MB) plus one float64 per
// filemark; the offset of an object between anchors is found by walking at most INDEX_STRIDE - 1 headers.

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
  readonly anchors: ArrayLike<number>;
  readonly filemarks: ArrayLike<number>;
}

export class ObjectIndex {
  private readonly anchors: GrowableArray;
  private readonly marks: GrowableArray;
  /** Number of objects = the object number of end of data. */
  objectCount: number;
  /** File offset of end of data (just past the last record). */
  endOffset: number;

  constructor(state: IndexState) {
    this.anchors = new GrowableArray(state.anchors);
    this.marks = new GrowableArray(state.filemarks);
    this.objectCount = state.objectCount;
    this.endOffset = state.endOffset;
  }

  static empty(startOffset: number): ObjectIndex {
    return new ObjectIndex({ objectCount: 0, endOffset: startOffset, anchors: [], filemarks: [] });
  }

  /** Record the next object, stored at `offset` and taking `recordBytes` bytes. */
  append(isFilemark: boolean, offset: number, recordBytes: number): void {
    const objectNumber = this.objectCount;
    if (objectNumber % INDEX_STRIDE === 0) this.anchors.push(offset);
    if (isFilemark) this.marks.push(objectNumber);
    this.objectCount = objectNumber + 1;
    this.endOffset = offset + recordBytes;
  }

  /** Forget object `objectNumber` and everything after it; `offset` is where it started. */
  truncate(objectNumber: number, offset: number): void {
    if (objectNumber >= this.objectCount) return;
    this.anchors.truncate(Math.ceil(objectNumber / INDEX_STRIDE));
    this.marks.truncate(this.marks.lowerBound(objectNumber));
    this.objectCount = objectNumber;
    this.endOffset = offset;
  }

  /** The nearest indexed object at or before `objectNumber` (< objectCount) and its offset. */
  anchorFor(objectNumber: number): { objectNumber: number; offset: number } {
    const slot = Math.floor(objectNumber / INDEX_STRIDE);
    return { objectNumber: slot * INDEX_STRIDE, offset: this.anchors.at(slot) };
  }

  /** Filemarks before `objectNumber`: the file number of that position. */
  filemarksBefore(objectNumber: number): number {
    return this.marks.lowerBound(objectNumber);
  }

  get filemarkCount(): number {
    return this.marks.length;
  }

  /** Object number of the filemark with this ordinal (0 = first filemark on the medium). */
  filemark(ordinal: number): number {
    return this.marks.at(ordinal);
  }

  isFilemark(objectNumber: number): boolean {
    const ordinal = this.marks.lowerBound(objectNumber);
    return ordinal < this.marks.length && this.marks.at(ordinal) === objectNumber;
  }

  snapshot(): IndexState {
    return { objectCount: this.objectCount, endOffset: this.endOffset, anchors: this.anchors.view(), filemarks: this.marks.view() };
  }
}
