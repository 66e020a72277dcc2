// FileMediaStore and the TapeMedium it opens: tape semantics (FORMAT.md "Overwrite and erase", "WORM",
// "Compression", "Capacity", "Write errors") on real files and in memory.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { CartridgeNotFoundError } from '../../src/media/file-media-store.js';
import { CartridgeFile } from '../../src/media/cartridge-files.js';
import { MediumFullError, type TapeMedium } from '../../src/media/tape-medium.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import type { RandomAccessFile } from '../../src/storage/storage.js';
import { cartridge, memoryStore, pattern, tempStore } from './cartridge-fixture.js';

async function readBlock(medium: TapeMedium): Promise<Buffer> {
  const outcome = await medium.read();
  assert.equal(outcome.kind, 'block');
  return outcome.kind === 'block' ? outcome.data : Buffer.alloc(0);
}

describe('FileMediaStore', () => {
  test('create() makes a thin cartridge that list(), exists() and delete() see', async () => {
    const fixture = await tempStore();
    try {
      const { store } = fixture;
      await store.create(cartridge({ barcode: 'B00001L8', capacityBytes: 12e12 }));
      await store.create(cartridge({ barcode: 'A00001L8' }));
      assert.deepEqual(await store.list(), ['A00001L8', 'B00001L8']);
      assert.equal(await store.exists('B00001L8'), true);
      assert.equal((await stat(fixture.file('B00001L8', CartridgeFile.DATA))).size, 16, 'a 12 TB cartridge costs its header');
      await assert.rejects(store.create(cartridge({ barcode: 'A00001L8' })), /already exists/);
      await assert.rejects(store.create(cartridge({ barcode: '../evil' })), RangeError);
      await store.delete('A00001L8');
      assert.deepEqual(await store.list(), ['B00001L8']);
      await assert.rejects(store.open(cartridge({ barcode: 'A00001L8' })), CartridgeNotFoundError);
    } finally {
      await fixture.cleanup();
    }
  });

  test('the first load of a blank cartridge logs no warning (no checkpoint yet is not damage), nor do the next ones', async () => {
    const fixture = await tempStore();
    try {
      const descriptor = cartridge();
      await fixture.store.create(descriptor);
      for (let load = 0; load < 2; load++) {
        const medium = await fixture.store.open(descriptor);
        if (load === 1) await medium.write(pattern(1, 10), { compress: false });
        await medium.close();
      }
      await (await fixture.store.open(descriptor)).close();
      assert.deepEqual(fixture.lines.filter((line) => line.level >= 40).map((line) => line.msg), []);
    } finally {
      await fixture.cleanup();
    }
  });

  test('data, filemarks, attributes and counters survive close and reopen on real files', async () => {
    const fixture = await tempStore();
    try {
      const descriptor = cartridge();
      await fixture.store.create(descriptor);
      const medium = await fixture.store.open(descriptor);
      await medium.write(pattern(1, 512), { compress: false });
      await medium.writeFilemarks(2);
      await medium.write(pattern(2, 300_000), { compress: false });
      await medium.writeAttributes(new Map([[0x0800, Buffer.from('vtl')]]));
      assert.deepEqual(medium.position(), { objectNumber: 4, fileNumber: 2, atEndOfData: true });
      await medium.close();
      const metadata = JSON.parse(await readFile(fixture.file(descriptor.barcode, CartridgeFile.METADATA), 'utf8')) as { loadCount: number; attributes: Record<string, string> };
      assert.equal(metadata.loadCount, 1);
      assert.deepEqual(metadata.attributes, { '0800': Buffer.from('vtl').toString('base64') });

      const again = await fixture.store.open(descriptor);
      assert.deepEqual(again.position(), { objectNumber: 0, fileNumber: 0, atEndOfData: false });
      assert.ok((await readBlock(again)).equals(pattern(1, 512)));
      assert.deepEqual(await again.read(), { kind: 'filemark' });
      assert.deepEqual(await again.read(), { kind: 'filemark' });
      assert.ok((await readBlock(again)).equals(pattern(2, 300_000)));
      assert.deepEqual(await again.read(), { kind: 'end-of-data' });
      assert.deepEqual(again.readAttributes().get(0x0800), Buffer.from('vtl'));
      const stats = again.statistics();
      assert.equal(stats.loadCount, 2);
      assert.equal(stats.blocksRead, 2);
      assert.equal(stats.lifetimeHostBytesWritten, 300_512);
      assert.equal(stats.lifetimeHostBytesRead, 300_512);
      await again.close();
      await assert.rejects(again.read(), /closed/);
    } finally {
      await fixture.cleanup();
    }
  });
});

describe('tape semantics', () => {
  async function mediumWith(objects: string, overrides = {}): Promise<{ medium: TapeMedium; storage: MemoryStorage; reopen: () => Promise<TapeMedium> }> {
    const { store, storage } = memoryStore();
    const descriptor = cartridge(overrides);
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    for (const [n, kind] of [...objects].entries()) {
      if (kind === 'F') await medium.writeFilemarks(1);
      else await medium.write(pattern(n, 100 + n), { compress: false });
    }
    return { medium, storage, reopen: () => store.open(descriptor) };
  }

  test('a write in the middle makes it the new end of data and cuts the file', async () => {
    const { medium, storage, reopen } = await mediumWith('bbFbbbFb');
    const dataPath = `${cartridge().barcode}/${CartridgeFile.DATA}`;
    await medium.flush();
    const before = storage.files.get(dataPath)!.length;
    await medium.locate(4);
    await medium.write(pattern(99, 10), { compress: false });
    assert.deepEqual(medium.position(), { objectNumber: 5, fileNumber: 1, atEndOfData: true });
    await medium.flush();
    assert.equal(storage.files.get(dataPath)!.length, 16 + 4 * 28 + 100 + 101 + 103 + 28 + 10);
    assert.ok(storage.files.get(dataPath)!.length < before);
    assert.deepEqual(await medium.read(), { kind: 'end-of-data' });
    await medium.close();
    const again = await reopen();
    await again.spaceToEndOfData();
    assert.deepEqual(again.position(), { objectNumber: 5, fileNumber: 1, atEndOfData: true });
    await again.locate(4);
    assert.ok((await readBlock(again)).equals(pattern(99, 10)));
    await again.close();
  });

  test('locate() and space() reach any object across index anchors and read the right block', async () => {
    const { medium } = await mediumWith('b'.repeat(40) + 'F' + 'b'.repeat(59) + 'F');
    for (const target of [0, 31, 32, 33, 63, 64, 99, 5, 77, 40, 41]) {
      await medium.locate(target);
      const outcome = await medium.read();
      if (target === 40) assert.deepEqual(outcome, { kind: 'filemark' });
      else assert.ok(outcome.kind === 'block' && outcome.data.equals(pattern(target, 100 + target)), `object ${target}`);
    }
    await medium.locate(70);
    assert.deepEqual(await medium.spaceBlocks(-50), { counted: 29, stoppedBy: 'filemark' });
    assert.deepEqual(medium.position(), { objectNumber: 40, fileNumber: 0, atEndOfData: false });
    assert.deepEqual(await medium.spaceBlocks(-1), { counted: 1 });
    assert.ok((await readBlock(medium)).equals(pattern(39, 139)));
    assert.deepEqual(await medium.locate(500), { counted: 61, stoppedBy: 'end-of-data' });
    assert.deepEqual(medium.position(), { objectNumber: 101, fileNumber: 2, atEndOfData: true });
    await medium.close();
  });

  test('compression stores a block compressed only when it shrinks, and reads it back whole', async () => {
    const { medium } = await mediumWith('');
    const compressible = Buffer.alloc(64 * 1024, 0x41);
    await medium.write(compressible, { compress: true });
    assert.equal(medium.capacity().usedBytes, 28 + 64 * 1024, 'until it is stored, a block counts at its full size');
    await medium.flush();
    const afterFirst = medium.capacity().usedBytes;
    assert.ok(afterFirst < 1024, `stored ${afterFirst} bytes for 64 KiB of one letter`);
    const noise = pattern(7, 4096);
    await medium.write(noise, { compress: true });
    await medium.flush();
    assert.equal(medium.capacity().usedBytes - afterFirst, 28 + 4096, 'incompressible data is stored as is');
    await medium.write(Buffer.alloc(0), { compress: true });
    await medium.rewind();
    assert.ok((await readBlock(medium)).equals(compressible));
    assert.ok((await readBlock(medium)).equals(noise));
    assert.equal((await readBlock(medium)).length, 0);
    assert.equal(medium.statistics().hostBytesWritten, 64 * 1024 + 4096);
    await medium.close();
  });

  test('a compressed block written over old data is stored compressed before write() returns, then appending resumes', async () => {
    const { medium, reopen } = await mediumWith('');
    const text = (n: number): Buffer => Buffer.from(`INSERT INTO t VALUES (${n}, 'row ${n}');\n`.repeat(3000));
    for (let n = 0; n < 3; n++) await medium.write(text(n), { compress: true });
    await medium.rewind();
    await medium.write(text(10), { compress: true }); // not at end of data: cuts objects 1 and 2
    assert.deepEqual(medium.position(), { objectNumber: 1, fileNumber: 0, atEndOfData: true });
    assert.ok(medium.capacity().usedBytes < text(10).length / 2, 'stored compressed at once, not counted at its full size');
    await medium.write(text(11), { compress: true }); // an append again: through the pipeline
    await medium.close();
    const again = await reopen();
    assert.ok((await readBlock(again)).equals(text(10)));
    assert.ok((await readBlock(again)).equals(text(11)));
    assert.deepEqual(await again.read(), { kind: 'end-of-data' });
    await again.close();
  });

  test('blocks longer than a compression slot are compressed too, stored before write() returns, and read back whole', async () => {
    const { medium, reopen } = await mediumWith('');
    const big = (n: number, length: number): Buffer => Buffer.from(`${n}: INSERT INTO t VALUES ('row');\n`.repeat(Math.ceil(length / 16))).subarray(0, length);
    const blocks = [big(1, 2 * 1024 * 1024), big(2, 3 * 1024 * 1024 + 17), pattern(5, 1536 * 1024), big(3, 1024 * 1024 + 1)];
    for (const block of blocks) {
      const before = medium.capacity().usedBytes;
      await medium.write(block, { compress: true });
      const stored = medium.capacity().usedBytes - before;
      if (block === blocks[2]) assert.equal(stored, 28 + block.length, 'incompressible: stored as it is');
      else assert.ok(stored < block.length / 4, `${block.length} bytes stored in ${stored}`);
    }
    await medium.close();
    const again = await reopen();
    for (const block of blocks) assert.ok((await readBlock(again)).equals(block));
    assert.deepEqual(await again.read(), { kind: 'end-of-data' });
    await again.close();
  });

  test('a small cartridge gives early warning before the end and MediumFullError at it, writing nothing', async () => {
    const capacityBytes = 1024 * 1024; // early warning at a quarter: 256 KiB
    const { medium } = await mediumWith('', { capacityBytes });
    assert.equal(medium.capacity().earlyWarningBytes, 256 * 1024);
    const block = pattern(1, 64 * 1024 - 28);
    const warnings: boolean[] = [];
    for (;;) {
      try {
        warnings.push((await medium.write(block, { compress: false })).earlyWarning);
      } catch (error) {
        assert.ok(error instanceof MediumFullError);
        break;
      }
    }
    // Records of exactly 64 KiB: warning once 4 or fewer fit (256 KiB), the 17th does not fit at all.
    assert.deepEqual(warnings, [...Array<boolean>(11).fill(false), ...Array<boolean>(5).fill(true)]);
    assert.deepEqual(medium.capacity(), { capacityBytes, usedBytes: capacityBytes, remainingBytes: 0, earlyWarningBytes: 256 * 1024 });
    assert.equal(medium.position().objectNumber, 16);
    await assert.rejects(medium.writeFilemarks(1), MediumFullError);
    assert.equal(medium.position().objectNumber, 16, 'the refused filemark wrote nothing');
    await medium.locate(15);
    await medium.writeFilemarks(2);
    assert.deepEqual(medium.position(), { objectNumber: 17, fileNumber: 2, atEndOfData: true }, 'room made by overwriting counts');
    await medium.close();
  });
});

describe('write path', () => {
  test('records are staged and go out in large background writes; write() does not wait for the file', async () => {
    const made = memoryStore();
    const writes: number[] = [];
    let hold: Promise<void> | undefined;
    const open = made.storage.open.bind(made.storage);
    made.storage.open = async (path, options): Promise<RandomAccessFile> => {
      const file = await open(path, options);
      const write = file.write.bind(file);
      file.write = async (buffers, position): Promise<void> => {
        writes.push(buffers.reduce((sum, b) => sum + b.length, 0));
        if (hold) await hold;
        return write(buffers, position);
      };
      return file;
    };
    const descriptor = cartridge();
    await made.store.create(descriptor);
    const medium = await made.store.open(descriptor);
    for (let n = 0; n < 1000; n++) await medium.write(pattern(n, 512), { compress: false });
    // Chunks go out once they hold EAGER_WRITE_BYTES (or after IDLE_WRITE_MS on a slow machine).
    assert.ok(writes.length >= 1 && writes.length < 50, `a thousand 512-byte blocks go out in a few writes (${writes.length})`);
    await medium.flush();
    const dataFile = (): number => made.storage.files.get(`${descriptor.barcode}/${CartridgeFile.DATA}`)!.length;
    assert.equal(dataFile(), 16 + 1000 * 540, 'the flush wrote the rest');

    let release: () => void = () => undefined;
    hold = new Promise((resolve) => (release = resolve));
    const before = writes.length;
    await medium.write(pattern(1, 256 * 1024), { compress: false });
    await medium.write(pattern(2, 256 * 1024), { compress: false });
    assert.equal(writes.length, before + 1, 'the first block is being written while the second is acknowledged');
    assert.equal(dataFile(), 16 + 1000 * 540, 'neither is in the file yet');
    const flushed = medium.flush();
    release();
    hold = undefined;
    await flushed;
    assert.equal(dataFile(), 16 + 1000 * 540 + 2 * (28 + 256 * 1024));
    await medium.locate(1001);
    assert.ok((await readBlock(medium)).equals(pattern(2, 256 * 1024)));
    await medium.close();
  });

  test('a record read ahead is dropped when the data after the position is overwritten', async () => {
    const { store } = memoryStore();
    await store.create(cartridge());
    const medium = await store.open(cartridge());
    for (let n = 0; n < 3; n++) await medium.write(pattern(n, 200_000), { compress: false });
    await medium.rewind();
    assert.ok((await readBlock(medium)).equals(pattern(0, 200_000))); // object 1 is read ahead
    await medium.write(pattern(7, 200_000), { compress: false }); // overwrites object 1, cuts object 2
    await medium.locate(1);
    assert.ok((await readBlock(medium)).equals(pattern(7, 200_000)));
    assert.deepEqual(medium.position(), { objectNumber: 2, fileNumber: 0, atEndOfData: true });
    await medium.close();
  });

  test('positions must be integers, and LOCATE targets not negative', async () => {
    const { store } = memoryStore();
    await store.create(cartridge());
    const medium = await store.open(cartridge());
    await assert.rejects(medium.locate(-1), RangeError);
    await assert.rejects(medium.spaceBlocks(1.5), RangeError);
    await medium.close();
  });
});
