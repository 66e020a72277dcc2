// The filemarks of a deduplicated cartridge: those of its recipe (objects 0..R-1) followed by those of its data file
// (objects R.. on), as one view for SPACE, LOCATE and the WORM rule. A run that ends the recipe and one that starts
// the data file are one run, as they are on the tape.
import type { FilemarkView } from '../space.js';
import type { WormView } from '../worm-rule.js';

type Marks = FilemarkView & WormView;

export class JoinedMarks implements Marks {
  private readonly shift: number;
  /** 1 when the recipe's last run and the data file's first run touch (and so count as one run). */
  private readonly merged: number;

  constructor(
    private readonly head: Marks,
    private readonly tail: Marks,
    private readonly tailObjects: number,
  ) {
    this.shift = head.objectCount;
    const headLast = head.runCount - 1;
    this.merged = headLast >= 0 && tail.runCount > 0 && tail.runStart(0) === 0 && head.runStart(headLast) + head.runLength(headLast) === head.objectCount ? 1 : 0;
  }

  get objectCount(): number {
    return this.shift + this.tailObjects;
  }

  get filemarkCount(): number {
    return this.head.filemarkCount + this.tail.filemarkCount;
  }

  filemark(ordinal: number): number {
    return ordinal < this.head.filemarkCount ? this.head.filemark(ordinal) : this.shift + this.tail.filemark(ordinal - this.head.filemarkCount);
  }

  filemarksBefore(objectNumber: number): number {
    if (objectNumber <= this.shift) return this.head.filemarksBefore(objectNumber);
    return this.head.filemarkCount + this.tail.filemarksBefore(objectNumber - this.shift);
  }

  isFilemark(objectNumber: number): boolean {
    return objectNumber < this.shift ? this.head.isFilemark(objectNumber) : this.tail.isFilemark(objectNumber - this.shift);
  }

  get runCount(): number {
    return this.head.runCount + this.tail.runCount - this.merged;
  }

  runStart(run: number): number {
    if (run < this.head.runCount) return this.head.runStart(run);
    return this.shift + this.tail.runStart(run - this.head.runCount + this.merged);
  }

  runLength(run: number): number {
    const headRuns = this.head.runCount;
    if (run < headRuns - 1 || (run === headRuns - 1 && this.merged === 0)) return this.head.runLength(run);
    if (run === headRuns - 1) return this.head.runLength(run) + this.tail.runLength(0);
    return this.tail.runLength(run - headRuns + this.merged);
  }

  runsStartingBefore(objectNumber: number): number {
    if (objectNumber <= this.shift) return this.head.runsStartingBefore(objectNumber);
    return this.head.runCount + this.tail.runsStartingBefore(objectNumber - this.shift) - this.merged;
  }
}
