// FORMAT.md "Capacity" and "Metadata file": setCapacity() on real files (SSC SET CAPACITY underneath).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { CartridgeFile } from '../../src/media/cartridge-files.js';
import { MediaFormatError, MediumFullError, WormViolationError } from '../../src/media/tape-medium.js';
import { cartridge, pattern, tempStore } from './cartridge-fixture.js';

const MiB = 1024 * 1024;

interface StoredCapacity {
  readonly capacityBytes: number;
  readonly nativeCapacityBytes?: number;
}

describe('setCapacity()', () => {
  test('erases the cartridge, keeps the native capacity, and survives close and reopen', async () => {
    const fixture = await tempStore();
    try {
      const descriptor = cartridge({ capacityBytes: 64 * MiB });
      await fixture.store.create(descriptor);
      const medium = await fixture.store.open(descriptor);
      await medium.write(pattern(1, 200_000), { compress: false });
      await medium.writeFilemarks(1);
      await medium.flush();
      await medium.write(pattern(2, 512), { compress: false }); // still in the write buffer
      await medium.rewind();
      await medium.setCapacity(8 * MiB);
      assert.deepEqual(medium.position(), { objectNumber: 0, fileNumber: 0, atEndOfData: true });
      assert.deepEqual(await medium.read(), { kind: 'end-of-data' });
      assert.deepEqual(medium.capacity(), { capacityBytes: 8 * MiB, usedBytes: 0, remainingBytes: 8 * MiB, earlyWarningBytes: 2 * MiB });
      assert.equal(medium.nativeCapacityBytes, 64 * MiB);
      assert.equal((await stat(fixture.file(descriptor.barcode, CartridgeFile.DATA))).size, 16, 'only the file header is left');
      const saved = JSON.parse(await readFile(fixture.file(descriptor.barcode, CartridgeFile.METADATA), 'utf8')) as StoredCapacity;
      assert.deepEqual([saved.capacityBytes, saved.nativeCapacityBytes], [8 * MiB, 64 * MiB], 'durable before close');
      await medium.close();

      const again = await fixture.store.open(descriptor);
      assert.equal(again.capacity().capacityBytes, 8 * MiB);
      assert.equal(again.nativeCapacityBytes, 64 * MiB);
      assert.deepEqual(await again.read(), { kind: 'end-of-data' });
      await again.setCapacity(again.nativeCapacityBytes);
      assert.equal(again.capacity().capacityBytes, 64 * MiB);
      await again.close();
      const third = await fixture.store.open(descriptor);
      assert.deepEqual([third.capacity().capacityBytes, third.nativeCapacityBytes], [64 * MiB, 64 * MiB]);
      await third.close();
    } finally {
      await fixture.cleanup();
    }
  });

  test('early warning and the physical end follow the new capacity', async () => {
    const fixture = await tempStore();
    try {
      const descriptor = cartridge({ capacityBytes: 64 * MiB });
      await fixture.store.create(descriptor);
      const medium = await fixture.store.open(descriptor);
      await medium.setCapacity(8 * MiB);
      // Records of 1 MiB + 28 bytes: early warning (2 MiB remaining) from the 6th, the 8th passes the end.
      const warnings: boolean[] = [];
      for (let i = 0; i < 7; i++) warnings.push((await medium.write(pattern(i, MiB), { compress: false })).earlyWarning);
      assert.deepEqual(warnings, [false, false, false, false, false, true, true]);
      await assert.rejects(medium.write(pattern(8, MiB), { compress: false }), MediumFullError);
      assert.equal(medium.position().objectNumber, 7);
      await medium.close();
    } finally {
      await fixture.cleanup();
    }
  });

  test('refuses a capacity out of range and any WORM cartridge, changing nothing', async () => {
    const fixture = await tempStore();
    try {
      const descriptor = cartridge({ capacityBytes: 64 * MiB });
      await fixture.store.create(descriptor);
      const medium = await fixture.store.open(descriptor);
      await medium.write(pattern(1, 512), { compress: false });
      for (const bad of [0, -1, 1.5, 64 * MiB + 1]) await assert.rejects(medium.setCapacity(bad), RangeError);
      assert.equal(medium.position().objectNumber, 1);
      await medium.close();

      const worm = cartridge({ barcode: 'W00001LY', worm: true, capacityBytes: 64 * MiB });
      await fixture.store.create(worm);
      const wormMedium = await fixture.store.open(worm);
      await assert.rejects(wormMedium.setCapacity(MiB), WormViolationError);
      assert.equal(wormMedium.capacity().capacityBytes, 64 * MiB);
      await wormMedium.close();
    } finally {
      await fixture.cleanup();
    }
  });

  test('a metadata file whose capacity exceeds its native capacity is refused on open', async () => {
    const fixture = await tempStore();
    try {
      const descriptor = cartridge({ capacityBytes: 64 * MiB });
      await fixture.store.create(descriptor);
      const path = fixture.file(descriptor.barcode, CartridgeFile.METADATA);
      const metadata = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      await writeFile(path, JSON.stringify({ ...metadata, nativeCapacityBytes: 32 * MiB }));
      await assert.rejects(fixture.store.open(descriptor), (error: unknown) => error instanceof MediaFormatError && /exceeds its native capacity/.test(error.message));
    } finally {
      await fixture.cleanup();
    }
  });
});
