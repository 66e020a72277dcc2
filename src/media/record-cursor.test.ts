import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectIndex } from './object-index.js';
import { encodeRecordHeader, filemarkHeader, RECORD_HEADER_BYTES, RecordType } from './record-header.js';
import { RecordCursor } from './record-cursor.js';
import { ScriptedFile } from './testing/scripted-file.js';

/** A file of `count` records of 10 bytes (object 3 a run of two filemarks) after a 16-byte file header, and its index. */
function stream(count: number): { file: ScriptedFile & { reads: number }; index: ObjectIndex; offsets: number[] } {
  const file = Object.assign(new ScriptedFile(), { reads: 0 });
  const read = file.read.bind(file);
  file.read = (buffer, offset, length, position) => {
    file.reads++;
    return read(buffer, offset, length, position);
  };
  const index = ObjectIndex.empty(16);
  const parts: Buffer[] = [Buffer.alloc(16)];
  const offsets: number[] = [];
  let at = 16;
  for (let n = 0; n < count;) {
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    offsets.push(at);
    if (n === 3) {
      encodeRecordHeader(filemarkHeader(n, 2, 0), header);
      parts.push(header);
      index.append(true, at, RECORD_HEADER_BYTES, 2);
      offsets.push(at);
      at += RECORD_HEADER_BYTES;
      n += 2;
      continue;
    }
    encodeRecordHeader({ type: RecordType.DATA, flags: 0, objectNumber: n, pass: 0, storedLength: 10, logicalLength: 10, payloadCrc: 0 }, header);
    parts.push(header, Buffer.alloc(10, n));
    index.append(false, at, RECORD_HEADER_BYTES + 10);
    at += RECORD_HEADER_BYTES + 10;
    n++;
  }
  file.bytes = Buffer.concat(parts);
  return { file, index, offsets };
}

describe('RecordCursor', () => {
  test('knows end of data without reading, and nothing else before a walk', () => {
    const { file, index } = stream(8);
    const cursor = new RecordCursor(file, index);
    assert.deepEqual(cursor.atHand(8), { objectNumber: 8, offset: index.endOffset, first: 8, objects: 1 });
    assert.equal(cursor.atHand(2), undefined);
    assert.equal(file.reads, 0);
  });

  test('walkTo() finds the record of an object, which is then at hand without reading', async () => {
    const { file, index, offsets } = stream(12);
    const cursor = new RecordCursor(file, index);
    assert.deepEqual(await cursor.walkTo(6), { objectNumber: 6, offset: offsets[6], first: 6, objects: 1 });
    const reads = file.reads;
    assert.deepEqual(cursor.atHand(6), { objectNumber: 6, offset: offsets[6], first: 6, objects: 1 });
    assert.equal(file.reads, reads);
  });

  test('an object inside a filemark run is located at the run\'s record', async () => {
    const { file, index, offsets } = stream(8);
    const cursor = new RecordCursor(file, index);
    assert.deepEqual(await cursor.walkTo(4), { objectNumber: 4, offset: offsets[3], first: 3, objects: 2 });
  });

  test('passed() moves to the next object: inside a run, then past it', async () => {
    const { file, index, offsets } = stream(8);
    const cursor = new RecordCursor(file, index);
    const three = await cursor.walkTo(3);
    assert.ok(!('problem' in three));
    cursor.passed(three);
    assert.deepEqual(cursor.atHand(4), { objectNumber: 4, offset: offsets[3], first: 3, objects: 2 });
    cursor.passed({ objectNumber: 4, offset: offsets[3], first: 3, objects: 2 });
    assert.deepEqual(cursor.atHand(5), { objectNumber: 5, offset: offsets[5], first: 5, objects: 1 });
    cursor.passed({ objectNumber: 5, offset: offsets[5], first: 5, objects: 1 }, 10);
    assert.deepEqual(cursor.atHand(6), { objectNumber: 6, offset: offsets[6], first: 6, objects: 1 });
  });

  test('a walk starts from the cursor when it is nearer than the index anchor', async () => {
    const { file, index } = stream(16);
    const cursor = new RecordCursor(file, index);
    await cursor.walkTo(6);
    const before = file.reads;
    await cursor.walkTo(7);
    assert.equal(file.reads - before, 2, 'the headers of objects 6 and 7, not 0 to 7');
  });

  test('forgetFrom() forgets a cursor at or past the cut and keeps one before it', async () => {
    const { file, index } = stream(12);
    const cursor = new RecordCursor(file, index);
    await cursor.walkTo(6);
    cursor.forgetFrom(7);
    assert.notEqual(cursor.atHand(6), undefined);
    cursor.forgetFrom(6);
    assert.equal(cursor.atHand(6), undefined);
  });

  test('atEnd() puts the cursor at end of data after an append', () => {
    const { file, index } = stream(4);
    const cursor = new RecordCursor(file, index);
    index.append(false, index.endOffset, RECORD_HEADER_BYTES + 10);
    cursor.atEnd();
    const end = index.objectCount;
    index.append(false, index.endOffset, RECORD_HEADER_BYTES + 10);
    // Not recomputed from the index: the cursor names the end it was told of.
    assert.deepEqual(cursor.atHand(end), { objectNumber: end, offset: index.endOffset - RECORD_HEADER_BYTES - 10, first: end, objects: 1 });
  });

  test('a damaged header on the way is a problem naming the object walked to', async () => {
    const { file, index, offsets } = stream(8);
    const at = (offsets[2] ?? 0) + 10;
    file.bytes[at] = (file.bytes[at] ?? 0) ^ 0xff;
    const found = await new RecordCursor(file, index).walkTo(2);
    assert.ok('problem' in found);
    assert.equal(found.objectNumber, 2);
  });
});
