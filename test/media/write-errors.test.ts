// FORMAT.md "Write errors": what the medium does when the file system refuses a write, and what it reports.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CartridgeFile } from '../../src/media/cartridge-files.js';
import { MediaWriteError, StorageFullError, type TapeMedium } from '../../src/media/tape-medium.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { StorageError, type RandomAccessFile } from '../../src/storage/storage.js';
import { cartridge, memoryStore, pattern } from './cartridge-fixture.js';

async function readBlock(medium: TapeMedium): Promise<Buffer> {
  const outcome = await medium.read();
  assert.equal(outcome.kind, 'block');
  return outcome.kind === 'block' ? outcome.data : Buffer.alloc(0);
}

describe('write errors', () => {
  /** Memory storage whose data file fails writes (after storing half the bytes) while `full` is set. */
  function failingStore(): { store: ReturnType<typeof memoryStore>['store']; setFull: (full: boolean) => void; storage: MemoryStorage } {
    const made = memoryStore();
    let full = false;
    const open = made.storage.open.bind(made.storage);
    made.storage.open = async (path, options): Promise<RandomAccessFile> => {
      const file = await open(path, options);
      const write = file.write.bind(file);
      file.write = async (buffers, position): Promise<void> => {
        if (!full) return write(buffers, position);
        const all = Buffer.concat(buffers);
        await write([all.subarray(0, all.length >> 1)], position);
        throw new StorageError('Cannot write data.vtape: no space left on device', 'ENOSPC');
      };
      return file;
    };
    return { store: made.store, storage: made.storage, setFull: (value) => (full = value) };
  }

  test('a full disk fails with MediaWriteError, keeps the cartridge consistent and lets writing resume', async () => {
    const { store, storage, setFull } = failingStore();
    const descriptor = cartridge();
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    for (let n = 0; n < 5; n++) await medium.write(pattern(n, 1000), { compress: false });
    await medium.flush();
    setFull(true);
    // Buffered: both are acknowledged; the file write fails in the background and the flush reports it, naming
    // the two acknowledged records it lost.
    await medium.write(pattern(5, 1000), { compress: false });
    await medium.write(pattern(6, 200_000), { compress: false });
    await assert.rejects(medium.flush(), (error: unknown) => error instanceof MediaWriteError && error.code === 'ENOSPC' && error.lostAcknowledged === 2);
    assert.deepEqual(medium.position(), { objectNumber: 5, fileNumber: 0, atEndOfData: true }, 'end of data is the last good record');
    assert.equal(storage.files.get(`${descriptor.barcode}/${CartridgeFile.DATA}`)!.length, 16 + 5 * 1028, 'the partial write was cut');
    assert.equal(medium.statistics().writeErrors, 1);
    await medium.flush(); // nothing left to write: the flush has nothing to fail on
    setFull(false);
    await medium.write(pattern(5, 1000), { compress: false });
    await medium.close();
    const again = await store.open(descriptor);
    await again.spaceToEndOfData();
    assert.equal(again.position().objectNumber, 6);
    await again.locate(5);
    assert.ok((await readBlock(again)).equals(pattern(5, 1000)));
    await again.close();
  });

  test('a failure behind the compression pipeline is reported by the next operation, with what it lost', async () => {
    const { store, storage, setFull } = failingStore();
    const descriptor = cartridge();
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    const text = (n: number): Buffer => Buffer.from(`INSERT INTO t VALUES (${n}, 'someone@example.org');\n`.repeat(2000));
    for (let n = 0; n < 3; n++) await medium.write(text(n), { compress: true });
    await medium.flush();
    const stored = storage.files.get(`${descriptor.barcode}/${CartridgeFile.DATA}`)!.length;
    setFull(true);
    for (let n = 3; n < 7; n++) await medium.write(text(n), { compress: true }); // acknowledged from the pipeline
    assert.deepEqual(medium.position(), { objectNumber: 7, fileNumber: 0, atEndOfData: true });
    await assert.rejects(medium.flush(), (error: unknown) => error instanceof MediaWriteError && error.lostAcknowledged === 4 && error.endOfData === 3);
    assert.deepEqual(medium.position(), { objectNumber: 3, fileNumber: 0, atEndOfData: true }, 'end of data is the last stored record');
    assert.equal(storage.files.get(`${descriptor.barcode}/${CartridgeFile.DATA}`)!.length, stored, 'the partial write was cut');
    setFull(false);
    await medium.write(text(3), { compress: true });
    await medium.rewind();
    for (let n = 0; n < 4; n++) assert.ok((await readBlock(medium)).equals(text(n)), `object ${n}`);
    await medium.close();
  });

  test('while the disk stays full, writes are refused before they are acknowledged, and writing resumes once space returns', async () => {
    const { store, storage, setFull } = failingStore();
    const descriptor = cartridge();
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    const dataFile = (): number => storage.files.get(`${descriptor.barcode}/${CartridgeFile.DATA}`)!.length;
    for (let n = 0; n < 3; n++) await medium.write(pattern(n, 1000), { compress: false });
    await medium.flush();
    setFull(true);
    await medium.write(pattern(3, 1000), { compress: false }); // buffered: acknowledged before the disk says no
    await assert.rejects(medium.flush(), (error: unknown) => error instanceof MediaWriteError && !(error instanceof StorageFullError) && error.lostAcknowledged === 1);
    const flushed = dataFile();
    // From now on no write is acknowledged unless it reached the file: each is refused, whole, at once.
    for (let attempt = 0; attempt < 3; attempt++) {
      await assert.rejects(medium.write(pattern(3, 1000), { compress: false }), StorageFullError);
      await assert.rejects(medium.write(Buffer.alloc(4096, 1), { compress: true }), StorageFullError, 'the compression pipeline does not acknowledge either');
      await assert.rejects(medium.writeFilemarks(1), StorageFullError);
      assert.deepEqual(medium.position(), { objectNumber: 3, fileNumber: 0, atEndOfData: true });
      assert.equal(dataFile(), flushed, 'nothing of a refused write is kept');
    }
    await medium.flush();
    setFull(false);
    await medium.write(pattern(3, 1000), { compress: false }); // reaches the file before it is answered
    assert.equal(dataFile(), flushed + 1028);
    await medium.write(Buffer.alloc(4096, 4), { compress: true }); // buffered again
    await medium.writeFilemarks(1);
    await medium.close();
    const again = await store.open(descriptor);
    await again.locate(3);
    assert.ok((await readBlock(again)).equals(pattern(3, 1000)));
    assert.ok((await readBlock(again)).equals(Buffer.alloc(4096, 4)));
    assert.deepEqual(await again.read(), { kind: 'filemark' });
    assert.deepEqual(await again.read(), { kind: 'end-of-data' });
    await again.close();
  });
});
