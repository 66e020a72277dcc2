// FORMAT.md "Filemark runs": consecutive filemarks written by one command are one record and one index entry, with
// the same positions as single filemarks; and every recovery rule that touches them, as corruption tests.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CartridgeFile } from '../../src/media/cartridge-files.js';
import { encodeFileHeader } from '../../src/media/file-header.js';
import { encodeRecordHeader, RecordType } from '../../src/media/record-header.js';
import type { TapeMedium } from '../../src/media/tape-medium.js';
import { cartridge, memoryStore, pattern } from './cartridge-fixture.js';

const HEADER = 28;
const descriptor = cartridge({ barcode: 'RUNS01' });
const dataPath = `${descriptor.barcode}/${CartridgeFile.DATA}`;
const indexPath = `${descriptor.barcode}/${CartridgeFile.INDEX}`;

/** The length of the block written as object n. */
const size = (n: number): number => 10 + (n % 7);

/** Objects from BOP: 'b<n>' for the block written as object n, 'F' for a filemark. */
async function readAll(medium: TapeMedium): Promise<string> {
  await medium.rewind();
  let seen = '';
  for (;;) {
    const objectNumber = medium.position().objectNumber;
    const outcome = await medium.read();
    if (outcome.kind === 'end-of-data') return seen;
    seen += outcome.kind === 'filemark' ? 'F' : outcome.kind === 'encrypted-block' ? 'E' : outcome.data.equals(pattern(objectNumber, size(objectNumber))) ? `b${objectNumber}` : '?';
  }
}

/** A cartridge holding: block 0, a run of `run` filemarks, then one block; closed. */
async function withRun(run: number): Promise<ReturnType<typeof memoryStore>> {
  const made = memoryStore();
  await made.store.create(descriptor);
  const medium = await made.store.open(descriptor);
  await medium.write(pattern(0, 10), { compress: false });
  await medium.writeFilemarks(run);
  await medium.write(pattern(run + 1, size(run + 1)), { compress: false });
  await medium.close();
  return made;
}

describe('filemark runs', () => {
  test('WRITE FILEMARKS of 0xFFFFFF is one 28-byte record and one index entry, with every position of single filemarks', async () => {
    const count = 0xffffff;
    const { store, storage } = await withRun(count);
    assert.equal(storage.files.get(dataPath)!.length, 16 + (HEADER + 10) + HEADER + (HEADER + size(count + 1)), 'the run costs one header');
    assert.equal(storage.files.get(indexPath)!.length, 72 + 16 + 16 + 4, 'one anchor and one run in the checkpoint');
    const medium = await store.open(descriptor);
    assert.equal(medium.statistics().loadCount, 2);
    await medium.spaceToEndOfData();
    assert.deepEqual(medium.position(), { objectNumber: count + 2, fileNumber: count, atEndOfData: true });
    assert.deepEqual(await medium.locate(5_000_000), { counted: count + 2 - 5_000_000 });
    assert.deepEqual(medium.position(), { objectNumber: 5_000_000, fileNumber: 4_999_999, atEndOfData: false });
    assert.deepEqual(await medium.read(), { kind: 'filemark' });
    assert.deepEqual(await medium.read(), { kind: 'filemark' });
    assert.deepEqual(await medium.spaceFilemarks(-3), { counted: 3 });
    assert.equal(medium.position().objectNumber, 4_999_999);
    assert.deepEqual(await medium.spaceBlocks(2), { counted: 0, stoppedBy: 'filemark' });
    await medium.rewind();
    assert.deepEqual(await medium.spaceSequentialFilemarks(count), { counted: count });
    assert.equal(medium.position().objectNumber, count + 1);
    assert.deepEqual(await medium.spaceSequentialFilemarks(-2), { counted: 2 });
    assert.equal(medium.position().objectNumber, count - 1);
    assert.deepEqual(await medium.spaceFilemarks(count), { counted: 2, stoppedBy: 'end-of-data' });
    await medium.close();
  });

  test('the layout on disk is the hand-computed one: type 3, the first object, the count in the logical length', async () => {
    const { storage } = await withRun(5);
    const data = storage.files.get(dataPath)!;
    assert.equal(data.readUInt16LE(8), 2, 'format version 2');
    const run = 16 + HEADER + 10;
    assert.deepEqual([data[run + 8], data.readUIntLE(run + 10, 6), data.readUInt32LE(run + 20), data.readUInt32LE(run + 24)], [RecordType.FILEMARK_RUN, 1, 0, 5]);
    assert.equal(data.readUIntLE(run + HEADER + 10, 6), 6, 'the next record is object 6');
  });

  test('truncation at every offset keeps exactly the complete records, a run whole or not at all', async () => {
    const { store, storage } = await withRun(4);
    const pristine = Buffer.from(storage.files.get(dataPath)!);
    const ends = [16, 16 + HEADER + 10, 16 + 2 * HEADER + 10, pristine.length];
    const objects = ['', 'b0', 'b0FFFF', 'b0FFFFb5'];
    for (let length = 16; length <= pristine.length; length++) {
      for (const index of [undefined, storage.files.get(indexPath)]) {
        storage.files.set(dataPath, Buffer.from(pristine.subarray(0, length)));
        if (index === undefined) storage.files.delete(indexPath);
        const complete = ends.filter((end) => end <= length).length - 1;
        const medium = await store.open(descriptor);
        assert.equal(await readAll(medium), objects[complete], `cut at ${length}`);
        await medium.close();
        assert.equal(storage.files.get(dataPath)!.length, ends[complete], `cut at ${length}: file cut back`);
      }
    }
  });

  test('a flipped byte in a run\'s header ends the stream before the run', async () => {
    const { store, storage } = await withRun(3);
    const pristine = Buffer.from(storage.files.get(dataPath)!);
    for (let at = 16 + HEADER + 10; at < 16 + 2 * HEADER + 10; at++) {
      const damaged = Buffer.from(pristine);
      damaged[at] ^= 0x04;
      storage.files.set(dataPath, damaged);
      storage.files.delete(indexPath);
      const medium = await store.open(descriptor);
      assert.equal(await readAll(medium), 'b0', `flip at ${at}`);
      await medium.close();
    }
  });

  test('a write or erase inside a run keeps the filemarks before the position, through close and reopen', async () => {
    const { store, storage } = await withRun(5);
    const medium = await store.open(descriptor);
    await medium.locate(3);
    await medium.write(pattern(3, 13), { compress: false });
    assert.deepEqual(medium.position(), { objectNumber: 4, fileNumber: 2, atEndOfData: true });
    await medium.locate(2);
    await medium.erase();
    assert.deepEqual(medium.position(), { objectNumber: 2, fileNumber: 1, atEndOfData: true });
    await medium.writeFilemarks(3);
    await medium.close();
    assert.equal(storage.files.get(dataPath)!.length, 16 + HEADER + 10 + HEADER + HEADER, 'block 0, a single filemark, a run of 3');
    const again = await store.open(descriptor);
    assert.equal(await readAll(again), 'b0FFFF');
    await again.close();
  });
});

describe('recovery of a cut inside a filemark run (the rewritten-record rule)', () => {
  /** A run of 5 cut at object 3 (erase): the data file before and after, and the checkpoint the cut saved. */
  async function cutInsideRun(): Promise<{ made: ReturnType<typeof memoryStore>; before: Buffer; after: Buffer; checkpoint: Buffer }> {
    const made = await withRun(5);
    const before = Buffer.from(made.storage.files.get(dataPath)!);
    const medium = await made.store.open(descriptor);
    await medium.locate(3);
    await medium.erase();
    const checkpoint = Buffer.from(made.storage.files.get(indexPath)!);
    const after = Buffer.from(made.storage.files.get(dataPath)!);
    await medium.close();
    return { made, before, after, checkpoint };
  }

  async function openWith(made: ReturnType<typeof memoryStore>, data: Buffer, checkpoint: Buffer): Promise<{ objects: string; warnings: string[] }> {
    made.storage.files.set(dataPath, Buffer.from(data));
    made.storage.files.set(indexPath, Buffer.from(checkpoint));
    made.lines.length = 0;
    const medium = await made.store.open(descriptor);
    const objects = await readAll(medium);
    await medium.close();
    return { objects, warnings: made.lines.filter((line) => line.level === 40).map((line) => line.msg) };
  }

  test('the run\'s record lost after the truncate, or torn, is written again from the checkpoint', async () => {
    const { made, after, checkpoint } = await cutInsideRun();
    const runAt = 16 + HEADER + 10;
    assert.equal(after.length, runAt + HEADER, 'the cut left block 0 and the shortened run');
    for (const data of [after.subarray(0, runAt), Buffer.concat([after.subarray(0, runAt), after.subarray(runAt, runAt + 11)]), Buffer.concat([after.subarray(0, runAt), Buffer.alloc(HEADER, 0xee)])]) {
      const { objects, warnings } = await openWith(made, data, checkpoint);
      assert.equal(objects, 'b0FF', `the two filemarks before the cut survive (${data.length} bytes)`);
      assert.ok(warnings.includes('wrote again the filemark record a crash took from a cut inside a filemark run'));
    }
  });

  test('before the truncate the old run is still whole: the cut did not happen', async () => {
    const { made, before, checkpoint } = await cutInsideRun();
    const { objects } = await openWith(made, before, checkpoint);
    assert.equal(objects, 'b0FFFFFb6');
  });

  test('a version 1 cartridge reads its single filemarks, and is upgraded before its first run', async () => {
    const made = memoryStore();
    await made.store.create(descriptor);
    const filemark = (objectNumber: number): Buffer => {
      const bytes = Buffer.alloc(HEADER);
      encodeRecordHeader({ type: RecordType.FILEMARK, flags: 0, objectNumber, pass: 0, storedLength: 0, logicalLength: 0, payloadCrc: 0 }, bytes);
      return bytes;
    };
    made.storage.files.set(dataPath, Buffer.concat([encodeFileHeader(1), filemark(0), filemark(1)]));
    const medium = await made.store.open(descriptor);
    assert.equal(await readAll(medium), 'FF');
    await medium.writeFilemarks(1);
    assert.equal(made.storage.files.get(dataPath)!.readUInt16LE(8), 1, 'a single filemark needs no upgrade');
    await medium.writeFilemarks(2);
    assert.equal(made.storage.files.get(dataPath)!.readUInt16LE(8), 2, 'upgraded before the run');
    await medium.close();
    const again = await made.store.open(descriptor);
    assert.equal(await readAll(again), 'FFFFF');
    await again.close();
  });
});
