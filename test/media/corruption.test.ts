// FORMAT.md "Recovery": every rule has a corruption test here. Each test damages the files of a small cartridge
// (truncation at every offset, a flipped byte anywhere, a lost or stale index, a stale record) and asserts what
// open() recovered and what it reported.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { MediaFormatError, type TapeMedium } from '../../src/media/tape-medium.js';
import { CartridgeFile } from '../../src/media/cartridge-files.js';
import type { MemoryStorage } from '../../src/storage/memory-storage.js';
import { cartridge, memoryStore, pattern, type LogLine } from './cartridge-fixture.js';
import type { FileMediaStore } from '../../src/media/file-media-store.js';

// The small cartridge: blocks of these lengths, 'F' = filemark. Record sizes by FORMAT.md: 28 + payload.
const LAYOUT: (number | 'F')[] = [0, 1, 100, 'F', 37, 'F', 'F', 250, 3];
const FILE_HEADER = 16;
const HEADER = 28;
/** End offset of each record, by hand from the layout. */
const ENDS = LAYOUT.reduce<number[]>((ends, item) => [...ends, (ends.at(-1) ?? FILE_HEADER) + HEADER + (item === 'F' ? 0 : item)], []);

async function writeLayout(medium: TapeMedium): Promise<void> {
  for (const [i, item] of LAYOUT.entries()) {
    if (item === 'F') await medium.writeFilemarks(1);
    else await medium.write(pattern(i, item), { compress: false });
  }
}

/** Read everything from BOP; returns the outcome per object (block index, 'F', or 'error'). */
async function readAll(medium: TapeMedium): Promise<string[]> {
  await medium.rewind();
  const seen: string[] = [];
  for (;;) {
    const objectNumber = medium.position().objectNumber;
    try {
      const outcome = await medium.read();
      if (outcome.kind === 'end-of-data') return seen;
      if (outcome.kind === 'filemark') seen.push('F');
      else if (outcome.kind === 'encrypted-block') seen.push(`encrypted${objectNumber}`);
      else seen.push(outcome.data.equals(pattern(objectNumber, LAYOUT[objectNumber] as number)) ? `b${objectNumber}` : `WRONG${objectNumber}`);
    } catch (error) {
      assert.ok(error instanceof MediaFormatError, `unexpected ${String(error)}`);
      assert.equal(error.objectNumber, objectNumber);
      seen.push('error');
      await medium.spaceBlocks(1);
    }
  }
}

function expectedObjects(count: number): string[] {
  return LAYOUT.slice(0, count).map((item, n) => (item === 'F' ? 'F' : `b${n}`));
}

describe('recovery of a damaged cartridge', () => {
  // Thousands of opens: the files live in memory (recovery logic is under test here; real files and fsync in
  // crash.test.ts and file-media-store.test.ts).
  let store: FileMediaStore;
  let storage: MemoryStorage;
  let lines: LogLine[];
  let pristine: Buffer;
  let pristineIndex: Buffer;
  const descriptor = cartridge({ barcode: 'CORRUPT1' });
  const dataPath = `${descriptor.barcode}/${CartridgeFile.DATA}`;
  const indexPath = `${descriptor.barcode}/${CartridgeFile.INDEX}`;
  const readFile = (path: string): Buffer => Buffer.from(storage.files.get(path)!);
  const fileSize = (path: string): number => storage.files.get(path)!.length;

  before(async () => {
    ({ store, storage, lines } = memoryStore());
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    await writeLayout(medium);
    await medium.close();
    pristine = readFile(dataPath);
    pristineIndex = readFile(indexPath);
  });

  async function openWith(data: Buffer, index: Buffer | undefined): Promise<{ medium: TapeMedium; warnings: string[] }> {
    storage.files.set(dataPath, Buffer.from(data));
    if (index === undefined) storage.files.delete(indexPath);
    else storage.files.set(indexPath, Buffer.from(index));
    lines.length = 0;
    const medium = await store.open(descriptor);
    return { medium, warnings: lines.filter((line) => line.level === 40).map((line) => line.msg) };
  }

  test('the layout on disk is the hand-computed one', () => {
    assert.equal(pristine.length, ENDS.at(-1));
    assert.equal(pristine.subarray(0, 8).toString('latin1'), 'VTLTAPE\0');
    // Object 3 is a filemark: type byte 2 at header offset 8, object number 3 at offset 10.
    assert.equal(pristine[ENDS[2] + 8], 2);
    assert.equal(pristine.readUIntLE(ENDS[2] + 10, 6), 3);
  });

  test('truncation at every offset keeps exactly the complete records and cuts the rest', async () => {
    for (let length = FILE_HEADER; length <= pristine.length; length++) {
      for (const index of [undefined, pristineIndex]) {
        const { medium, warnings } = await openWith(pristine.subarray(0, length), index);
        const complete = ENDS.filter((end) => end <= length).length;
        const label = `cut at ${length}, ${index === undefined ? 'no index' : 'stale index'}`;
        assert.equal(medium.capacity().usedBytes, (complete === 0 ? FILE_HEADER : ENDS[complete - 1]) - FILE_HEADER, label);
        assert.deepEqual(await readAll(medium), expectedObjects(complete), label);
        const onBoundary = length === FILE_HEADER || ENDS.includes(length);
        assert.equal(warnings.includes('cut a torn tail off the cartridge'), !onBoundary, label);
        if (index !== undefined && length < pristine.length) assert.ok(warnings.includes('index checkpoint unusable; rebuilt the index from the records'), label);
        await medium.close();
        assert.equal(fileSize(dataPath), complete === 0 ? FILE_HEADER : ENDS[complete - 1], `${label}: file cut back`);
      }
    }
  });

  test('a data file shorter than its header or with a damaged header is refused', async () => {
    for (let length = 0; length < FILE_HEADER; length++) {
      await assert.rejects(openWith(pristine.subarray(0, length), undefined), MediaFormatError);
    }
    for (let offset = 0; offset < FILE_HEADER; offset++) {
      const damaged = Buffer.from(pristine);
      damaged[offset] ^= 0x40;
      await assert.rejects(openWith(damaged, pristineIndex), MediaFormatError, `flip at ${offset}`);
    }
  });

  test('a flipped byte in a header ends the stream there; in a payload it is a read error (or a cut at the last record)', async () => {
    for (let offset = FILE_HEADER; offset < pristine.length; offset++) {
      const damaged = Buffer.from(pristine);
      damaged[offset] ^= 0x01;
      const record = ENDS.findIndex((end) => offset < end);
      const recordStart = record === 0 ? FILE_HEADER : ENDS[record - 1];
      const inHeader = offset < recordStart + HEADER;
      const isLast = record === LAYOUT.length - 1;
      for (const index of [undefined, pristineIndex]) {
        const label = `flip at ${offset} (object ${record}, ${inHeader ? 'header' : 'payload'}), ${index === undefined ? 'no index' : 'index'}`;
        const { medium, warnings } = await openWith(damaged, index);
        const objects = await readAll(medium);
        if (inHeader || isLast) {
          assert.deepEqual(objects, expectedObjects(record), label);
          assert.ok(warnings.includes('cut a torn tail off the cartridge'), label);
        } else {
          const expected = expectedObjects(LAYOUT.length);
          expected[record] = 'error';
          assert.deepEqual(objects, expected, label);
          assert.equal(medium.statistics().readErrors, 1, label);
        }
        await medium.close();
      }
    }
  });

  test('a lost index is rebuilt from the records and answers the same', async () => {
    const { medium, warnings } = await openWith(pristine, undefined);
    assert.ok(warnings.includes('index checkpoint missing; rebuilt the index from the records'));
    await medium.spaceToEndOfData();
    assert.deepEqual(medium.position(), { objectNumber: 9, fileNumber: 3, atEndOfData: true });
    assert.deepEqual(await medium.spaceFilemarks(-2), { counted: 2 });
    assert.deepEqual(medium.position(), { objectNumber: 5, fileNumber: 1, atEndOfData: false });
    await medium.close();
    assert.deepEqual(readFile(indexPath), pristineIndex, 'the rebuilt checkpoint equals the original');
  });

  test('a garbage index is ignored and rebuilt', async () => {
    const { medium, warnings } = await openWith(pristine, Buffer.from('not an index at all'));
    assert.ok(warnings.includes('index checkpoint unusable; rebuilt the index from the records'));
    assert.deepEqual(await readAll(medium), expectedObjects(LAYOUT.length));
    await medium.close();
  });

  test('an index from before an overwrite is detected as stale and rebuilt', async () => {
    await openWith(pristine, pristineIndex).then(({ medium }) => medium.close());
    const oldIndex = readFile(indexPath);
    const { medium } = await openWith(pristine, pristineIndex);
    await medium.locate(4);
    await medium.write(pattern(4, 37), { compress: false }); // same bytes, new pass: object 4 is rewritten
    await medium.write(pattern(5, 300), { compress: false });
    await medium.write(pattern(6, 5), { compress: false });
    await medium.write(pattern(7, 250), { compress: false });
    await medium.write(pattern(8, 3), { compress: false });
    await medium.close();
    const rewritten = readFile(dataPath);
    const { medium: reopened, warnings } = await openWith(rewritten, oldIndex);
    assert.ok(warnings.includes('index checkpoint unusable; rebuilt the index from the records'));
    assert.equal(reopened.position().objectNumber, 0);
    await reopened.locate(5);
    const block = await reopened.read();
    assert.ok(block.kind === 'block' && block.data.equals(pattern(5, 300)));
    await reopened.spaceToEndOfData();
    assert.deepEqual(reopened.position(), { objectNumber: 9, fileNumber: 1, atEndOfData: true });
    await reopened.close();
  });

  test('a record of an older pass after the end of the stream is not resurrected', async () => {
    // Overwrite from object 7 (pass 1), then append the old object 8 (pass 0) by hand after the new end.
    const { medium } = await openWith(pristine, pristineIndex);
    await medium.locate(7);
    await medium.write(pattern(7, 250), { compress: false });
    await medium.close();
    const rewritten = readFile(dataPath);
    const oldLast = pristine.subarray(ENDS[7], ENDS[8]);
    const { medium: reopened, warnings } = await openWith(Buffer.concat([rewritten, oldLast]), undefined);
    assert.ok(warnings.includes('cut a torn tail off the cartridge'));
    await reopened.spaceToEndOfData();
    assert.equal(reopened.position().objectNumber, 8);
    await reopened.close();
    assert.equal(fileSize(dataPath), rewritten.length);
  });

  test('after the checkpoint of a newer pass, records of an older pass are not resurrected', async () => {
    // ERASE at object 7 saves the checkpoint of objects 0-6 with pass 1; the truncate after it is lost (the old
    // records 7 and 8, pass 0, are still in the file): they continue the stream by number but not by pass.
    const { medium } = await openWith(pristine, pristineIndex);
    await medium.locate(7);
    await medium.erase();
    await medium.close();
    const { medium: reopened, warnings } = await openWith(pristine, readFile(indexPath));
    assert.ok(warnings.includes('cut a torn tail off the cartridge'));
    assert.ok(!warnings.includes('index checkpoint unusable; rebuilt the index from the records'), 'the checkpoint of the kept prefix is used');
    assert.deepEqual(await readAll(reopened), expectedObjects(7));
    await reopened.close();
    assert.equal(fileSize(dataPath), ENDS[6]);
  });

  test('garbage after the last record is cut and the cartridge accepts appends afterwards', async () => {
    const { medium, warnings } = await openWith(Buffer.concat([pristine, Buffer.alloc(5000)]), pristineIndex);
    assert.ok(warnings.includes('cut a torn tail off the cartridge'));
    await medium.spaceToEndOfData();
    await medium.write(pattern(99, 10), { compress: false });
    await medium.close();
    const { medium: reopened } = await openWith(readFile(dataPath), undefined);
    await reopened.locate(9);
    const last = await reopened.read();
    assert.ok(last.kind === 'block' && last.data.equals(pattern(99, 10)));
    await reopened.close();
  });
});
