// SSC-4 SPACE and LOCATE arithmetic over the index: pure functions from (index, position, count) to the new
// position and outcome. No I/O and no scans of data blocks: filemark positions are binary searched.
import type { SpaceOutcome } from './tape-medium.js';

export interface FilemarkView {
  readonly objectCount: number;
  readonly filemarkCount: number;
  /** Object number of the filemark with this ordinal. */
  filemark(ordinal: number): number;
  /** How many filemarks lie before object `objectNumber`. */
  filemarksBefore(objectNumber: number): number;
  /** Maximal runs of consecutive filemarks, ascending (two runs are never adjacent). */
  readonly runCount: number;
  runStart(run: number): number;
  runLength(run: number): number;
  /** How many runs start before object `objectNumber`. */
  runsStartingBefore(objectNumber: number): number;
}

export interface SpaceResult {
  readonly position: number;
  readonly outcome: SpaceOutcome;
}

/**
 * Space over blocks. Forward: a filemark before the target is crossed and ends the motion on its far side
 * (position after it); backward likewise ends before it. BOP and EOD stop where they are.
 */
export function spaceBlocks(index: FilemarkView, position: number, count: number): SpaceResult {
  if (count > 0) {
    const ordinal = index.filemarksBefore(position);
    const nextMark = ordinal < index.filemarkCount ? index.filemark(ordinal) : Infinity;
    const target = position + count;
    if (nextMark < target) return { position: nextMark + 1, outcome: { counted: nextMark - position, stoppedBy: 'filemark' } };
    if (target > index.objectCount) {
      return { position: index.objectCount, outcome: { counted: index.objectCount - position, stoppedBy: 'end-of-data' } };
    }
    return { position: target, outcome: { counted: count } };
  }
  if (count < 0) {
    const ordinal = index.filemarksBefore(position) - 1;
    const previousMark = ordinal >= 0 ? index.filemark(ordinal) : -Infinity;
    const target = position + count;
    if (previousMark >= target) {
      return { position: previousMark, outcome: { counted: position - 1 - previousMark, stoppedBy: 'filemark' } };
    }
    if (target < 0) return { position: 0, outcome: { counted: position, stoppedBy: 'beginning-of-partition' } };
    return { position: target, outcome: { counted: -count } };
  }
  return { position, outcome: { counted: 0 } };
}

/** Space over filemarks: forward ends after the count-th filemark, backward before it. */
export function spaceFilemarks(index: FilemarkView, position: number, count: number): SpaceResult {
  const before = index.filemarksBefore(position);
  if (count > 0) {
    const ordinal = before + count - 1;
    if (ordinal < index.filemarkCount) return { position: index.filemark(ordinal) + 1, outcome: { counted: count } };
    return { position: index.objectCount, outcome: { counted: index.filemarkCount - before, stoppedBy: 'end-of-data' } };
  }
  if (count < 0) {
    const ordinal = before + count;
    if (ordinal >= 0) return { position: index.filemark(ordinal), outcome: { counted: -count } };
    return { position: 0, outcome: { counted: before, stoppedBy: 'beginning-of-partition' } };
  }
  return { position, outcome: { counted: 0 } };
}

/**
 * Space to the first run of `count` consecutive filemarks: forward ends after the run's last filemark, backward
 * before the run's first one (both: the far side in the direction of motion). Visits runs of filemarks only (a run of
 * millions of filemarks is one step). `counted` is |count| when a run was found, 0 otherwise.
 */
export function spaceSequentialFilemarks(index: FilemarkView, position: number, count: number): SpaceResult {
  const length = Math.abs(count);
  if (length === 0) return { position, outcome: { counted: 0 } };
  if (count > 0) {
    // The part of each run at or after the position must hold `length` filemarks; the first one that does wins.
    let run = index.runsStartingBefore(position) - 1;
    if (run < 0 || index.runStart(run) + index.runLength(run) <= position) run++;
    for (; run < index.runCount; run++) {
      const end = index.runStart(run) + index.runLength(run);
      const first = Math.max(index.runStart(run), position);
      if (end - first >= length) return { position: first + length, outcome: { counted: length } };
    }
    return { position: index.objectCount, outcome: { counted: 0, stoppedBy: 'end-of-data' } };
  }
  // Backward: the run must end before the position; the nearest one that holds `length` filemarks wins.
  for (let run = index.runsStartingBefore(position) - 1; run >= 0; run--) {
    const start = index.runStart(run);
    const end = Math.min(start + index.runLength(run), position);
    if (end - start >= length) return { position: end - length, outcome: { counted: length } };
  }
  return { position: 0, outcome: { counted: 0, stoppedBy: 'beginning-of-partition' } };
}

/** LOCATE: go to object `target`; past EOD stop at EOD. `counted` is the number of objects moved over. */
export function locate(index: FilemarkView, position: number, target: number): SpaceResult {
  if (target > index.objectCount) {
    return { position: index.objectCount, outcome: { counted: Math.abs(index.objectCount - position), stoppedBy: 'end-of-data' } };
  }
  return { position: target, outcome: { counted: Math.abs(target - position) } };
}
