import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectIndex } from './object-index.js';
import { locate, spaceBlocks, spaceFilemarks, spaceSequentialFilemarks } from './space.js';

/** Layout from a string: 'b' = block, 'F' = filemark. Offsets do not matter to SPACE. */
function layout(objects: string): ObjectIndex {
  const index = ObjectIndex.empty(16);
  for (const kind of objects) index.append(kind === 'F', index.endOffset, 28);
  return index;
}

//                   0123456789
const tape = layout('bbFbbbFFbb'); // EOD = 10; filemarks at 2, 6, 7

describe('spaceBlocks()', () => {
  test('moves forward over blocks when no filemark is in the way', () => {
    assert.deepEqual(spaceBlocks(tape, 3, 2), { position: 5, outcome: { counted: 2 } });
  });
  test('stops after a filemark crossed forward, counting only the blocks', () => {
    assert.deepEqual(spaceBlocks(tape, 0, 5), { position: 3, outcome: { counted: 2, stoppedBy: 'filemark' } });
    assert.deepEqual(spaceBlocks(tape, 2, 1), { position: 3, outcome: { counted: 0, stoppedBy: 'filemark' } });
  });
  test('ends exactly before a filemark without crossing it', () => {
    assert.deepEqual(spaceBlocks(tape, 0, 2), { position: 2, outcome: { counted: 2 } });
  });
  test('stops at end of data', () => {
    assert.deepEqual(spaceBlocks(tape, 8, 5), { position: 10, outcome: { counted: 2, stoppedBy: 'end-of-data' } });
    assert.deepEqual(spaceBlocks(tape, 8, 2), { position: 10, outcome: { counted: 2 } });
  });
  test('stops before a filemark crossed backward', () => {
    assert.deepEqual(spaceBlocks(tape, 6, -5), { position: 2, outcome: { counted: 3, stoppedBy: 'filemark' } });
    assert.deepEqual(spaceBlocks(tape, 3, -1), { position: 2, outcome: { counted: 0, stoppedBy: 'filemark' } });
  });
  test('stops at the beginning of partition', () => {
    assert.deepEqual(spaceBlocks(tape, 2, -3), { position: 0, outcome: { counted: 2, stoppedBy: 'beginning-of-partition' } });
    assert.deepEqual(spaceBlocks(tape, 0, -1), { position: 0, outcome: { counted: 0, stoppedBy: 'beginning-of-partition' } });
  });
  test('does nothing for a count of zero', () => {
    assert.deepEqual(spaceBlocks(tape, 4, 0), { position: 4, outcome: { counted: 0 } });
  });
});

describe('spaceFilemarks()', () => {
  test('forward ends after the n-th filemark', () => {
    assert.deepEqual(spaceFilemarks(tape, 0, 1), { position: 3, outcome: { counted: 1 } });
    assert.deepEqual(spaceFilemarks(tape, 0, 3), { position: 8, outcome: { counted: 3 } });
    assert.deepEqual(spaceFilemarks(tape, 3, 1), { position: 7, outcome: { counted: 1 } });
  });
  test('forward stops at end of data with the filemarks passed', () => {
    assert.deepEqual(spaceFilemarks(tape, 3, 5), { position: 10, outcome: { counted: 2, stoppedBy: 'end-of-data' } });
  });
  test('backward ends before the n-th filemark', () => {
    assert.deepEqual(spaceFilemarks(tape, 10, -1), { position: 7, outcome: { counted: 1 } });
    assert.deepEqual(spaceFilemarks(tape, 8, -2), { position: 6, outcome: { counted: 2 } });
    assert.deepEqual(spaceFilemarks(tape, 7, -1), { position: 6, outcome: { counted: 1 } });
  });
  test('backward stops at the beginning of partition', () => {
    assert.deepEqual(spaceFilemarks(tape, 5, -2), { position: 0, outcome: { counted: 1, stoppedBy: 'beginning-of-partition' } });
  });
});

describe('spaceSequentialFilemarks()', () => {
  test('forward finds the first run of n consecutive filemarks and ends after it', () => {
    assert.deepEqual(spaceSequentialFilemarks(tape, 0, 2), { position: 8, outcome: { counted: 2 } });
    assert.deepEqual(spaceSequentialFilemarks(tape, 0, 1), { position: 3, outcome: { counted: 1 } });
  });
  test('forward without such a run goes to end of data', () => {
    assert.deepEqual(spaceSequentialFilemarks(tape, 0, 3), { position: 10, outcome: { counted: 0, stoppedBy: 'end-of-data' } });
    assert.deepEqual(spaceSequentialFilemarks(tape, 7, 2), { position: 10, outcome: { counted: 0, stoppedBy: 'end-of-data' } });
  });
  test('backward ends before the first filemark of the nearest run', () => {
    assert.deepEqual(spaceSequentialFilemarks(tape, 10, -2), { position: 6, outcome: { counted: 2 } });
    assert.deepEqual(spaceSequentialFilemarks(tape, 6, -1), { position: 2, outcome: { counted: 1 } });
  });
  test('backward without such a run goes to the beginning of partition', () => {
    assert.deepEqual(spaceSequentialFilemarks(tape, 6, -2), { position: 0, outcome: { counted: 0, stoppedBy: 'beginning-of-partition' } });
  });
});

describe('spaceSequentialFilemarks() over runs', () => {
  // 0: block, 1..1000: a run of 1000 filemarks, 1001: block, 1002..1003: two filemarks, 1004: block.
  const runs = ObjectIndex.empty(16);
  runs.append(false, 16, 28);
  runs.append(true, 44, 28, 1000);
  runs.append(false, 72, 28);
  runs.append(true, 100, 28, 2);
  runs.append(false, 128, 28);

  test('forward counts only the part of a run after the position', () => {
    assert.deepEqual(spaceSequentialFilemarks(runs, 0, 1000), { position: 1001, outcome: { counted: 1000 } });
    assert.deepEqual(spaceSequentialFilemarks(runs, 500, 501), { position: 1001, outcome: { counted: 501 } });
    assert.deepEqual(spaceSequentialFilemarks(runs, 500, 502), { position: 1005, outcome: { counted: 0, stoppedBy: 'end-of-data' } });
    assert.deepEqual(spaceSequentialFilemarks(runs, 999, 2), { position: 1001, outcome: { counted: 2 } });
    assert.deepEqual(spaceSequentialFilemarks(runs, 1000, 2), { position: 1004, outcome: { counted: 2 } });
  });
  test('backward counts only the part of a run before the position', () => {
    assert.deepEqual(spaceSequentialFilemarks(runs, 1005, -3), { position: 998, outcome: { counted: 3 } });
    assert.deepEqual(spaceSequentialFilemarks(runs, 11, -10), { position: 1, outcome: { counted: 10 } });
    assert.deepEqual(spaceSequentialFilemarks(runs, 11, -11), { position: 0, outcome: { counted: 0, stoppedBy: 'beginning-of-partition' } });
  });
});

describe('locate()', () => {
  test('goes to any object up to end of data', () => {
    assert.deepEqual(locate(tape, 9, 4), { position: 4, outcome: { counted: 5 } });
    assert.deepEqual(locate(tape, 0, 10), { position: 10, outcome: { counted: 10 } });
  });
  test('stops at end of data when the target lies beyond it', () => {
    assert.deepEqual(locate(tape, 3, 50), { position: 10, outcome: { counted: 7, stoppedBy: 'end-of-data' } });
  });
});
