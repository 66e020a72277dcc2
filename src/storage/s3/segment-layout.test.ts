import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJournal, encodeJournal } from './journal.js';
import { layoutFromListing, parseSegmentName, segmentCount, segmentKey, segmentName } from './segment-layout.js';
import { sliceBuffers } from './slice-buffers.js';

const S = 100;
const listing = (...sizes: [number, number][]): Map<number, number> => new Map(sizes);

test('segment names are eight digits after seg- and nothing else parses as one', () => {
  assert.equal(segmentName(7), 'seg-00000007');
  assert.equal(segmentKey('lib0/A00001L8/data.vtape', 12), 'lib0/A00001L8/data.vtape/seg-00000012');
  assert.equal(parseSegmentName('seg-00000012'), 12);
  for (const name of ['seg-12', 'seg-000000012', 'seg-0000001a', 'xseg-00000001', 'seg-00000001/x', 'journal.json']) assert.equal(parseSegmentName(name), undefined, name);
});

test('a file of n bytes has at least one segment', () => {
  assert.deepEqual([0, 1, 99, 100, 101, 250].map((n) => segmentCount(n, S)), [1, 1, 1, 1, 2, 3]);
});

test('the file in the store is the run from segment 0 up to its first short segment; what follows is garbage, highest first', () => {
  assert.equal(layoutFromListing(listing([1, 100]), S), undefined, 'no segment 0: no file');
  assert.deepEqual(layoutFromListing(listing([0, 0]), S), { length: 0, count: 1, garbage: [] });
  assert.deepEqual(layoutFromListing(listing([0, 100], [1, 100], [2, 30]), S), { length: 230, count: 3, garbage: [] });
  assert.deepEqual(layoutFromListing(listing([0, 100], [1, 100]), S), { length: 200, count: 2, garbage: [] });
  // A cut to 130 whose removals a crash interrupted: segment 1 short, 2 and 5 left over.
  assert.deepEqual(layoutFromListing(listing([0, 100], [1, 30], [2, 100], [5, 100]), S), { length: 130, count: 2, garbage: [5, 2] });
  // A hole: 2 is missing, so 3 cannot belong to the file.
  assert.deepEqual(layoutFromListing(listing([0, 100], [1, 100], [3, 100]), S), { length: 200, count: 2, garbage: [3] });
});

test('sliceBuffers() cuts a gathered write at any range without copying', () => {
  const parts = [Buffer.from('abc'), Buffer.alloc(0), Buffer.from('defg'), Buffer.from('h')];
  const all = 'abcdefgh';
  for (let start = 0; start <= all.length; start++) {
    for (let length = 0; start + length <= all.length; length++) {
      assert.equal(Buffer.concat(sliceBuffers(parts, start, length)).toString(), all.slice(start, start + length), `${start}+${length}`);
    }
  }
  assert.equal(sliceBuffers(parts, 3, 2)[0].buffer, parts[2].buffer, 'a view, not a copy');
});

test('a journal round-trips, and damaged bytes are refused with the reason', () => {
  const journal = { path: 'A00001L8/data.vtape', length: 1234, trim: true, segments: [{ index: 0, file: '0.17' }] };
  assert.deepEqual(decodeJournal(encodeJournal(journal)), journal);
  assert.match(decodeJournal(Buffer.from('{"path": "A')) as string, /^not JSON/);
  assert.match(decodeJournal(Buffer.from(JSON.stringify({ ...journal, length: -1 }))) as string, /^length: /);
  assert.match(decodeJournal(Buffer.from(JSON.stringify({ ...journal, segments: [{ index: 0, file: '../x' }] }))) as string, /^segments\.0\.file: /);
});
