// FORMAT.md "Partitions" on real files: an existing cartridge is layout 0 and opens unchanged, a format switches the
// files the metadata names, sealed records of two partitions never share a write generation, and a store that keeps
// one stream refuses a partitioned cartridge.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { MasterKey } from '../../src/media/crypto/master-key.js';
import { openBlock } from '../../src/media/crypto/open-block.js';
import { EnvelopeOffset } from '../../src/media/crypto/record-envelope.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { MediaFormatError } from '../../src/media/tape-medium.js';
import { cartridge, pattern, tempStore } from './cartridge-fixture.js';

const hostKey = { key: Buffer.alloc(32, 0x62), ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };

async function metadataOf(directory: string, barcode: string): Promise<{ layout?: { number: number; partitionBytes: number[] } }> {
  return JSON.parse(await readFile(path.join(directory, barcode, 'cartridge.json'), 'utf8')) as { layout?: { number: number; partitionBytes: number[] } };
}

describe('partition files', () => {
  test('a cartridge written before partitions is layout 0: it opens unchanged, and a format replaces its files by the new layout\'s', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'PART01', capacityBytes: 8_000_000 });
      await t.store.create(d);
      const medium = await t.store.open(d);
      await medium.write(pattern(1, 5000), { compress: false });
      await medium.close();
      assert.deepEqual((await readdir(path.join(t.directory, 'PART01'))).sort(), ['cartridge.json', 'data.vtape', 'index.vtidx']);
      assert.equal((await metadataOf(t.directory, 'PART01')).layout, undefined);

      const again = await t.store.open(d);
      const first = await again.read();
      assert.ok(first.kind === 'block' && first.data.equals(pattern(1, 5000)), 'the old data reads as before');
      await again.rewind();
      await again.format([6_000_000, 2_000_000]);
      await again.close();
      assert.deepEqual((await metadataOf(t.directory, 'PART01')).layout, { number: 1, partitionBytes: [6_000_000, 2_000_000] });
      assert.deepEqual((await readdir(path.join(t.directory, 'PART01'))).filter((n) => n.startsWith('data')).sort(), ['data-1-0.vtape', 'data-1-1.vtape']);

      const formatted = await t.store.open(d);
      await formatted.format([]);
      await formatted.close();
      assert.deepEqual((await metadataOf(t.directory, 'PART01')).layout, { number: 2, partitionBytes: [] });
      assert.deepEqual((await readdir(path.join(t.directory, 'PART01'))).filter((n) => n.startsWith('data')), ['data-2-0.vtape']);
    } finally {
      await t.cleanup();
    }
  });

  test('blocks sealed in two partitions at the same object numbers never share a write generation, and all read back', async () => {
    const t = await tempStore();
    try {
      const store = new FileMediaStore({ directory: t.directory, log: silentLogger(), masterKey: MasterKey.generate() });
      const d = cartridge({ barcode: 'PART02', capacityBytes: 8_000_000 });
      await store.create(d);
      const medium = await store.open(d);
      await medium.format([4_000_000, 4_000_000]);
      for (const partition of [0, 1, 0, 1]) {
        await medium.changePartition(partition);
        await medium.spaceToEndOfData();
        await medium.write(pattern(10 + partition, 3000), { compress: true, encrypt: hostKey });
      }
      await medium.close();
      const again = await store.open(d);
      const generations = new Map<string, number>();
      for (const partition of [0, 1]) {
        await again.changePartition(partition);
        for (let object = 0; object < 2; object++) {
          const outcome = await again.read();
          assert.ok(outcome.kind === 'encrypted-block');
          assert.deepEqual(openBlock(hostKey.key, outcome.envelope, outcome.place), pattern(10 + partition, 3000));
          generations.set(`${partition}/${object}`, outcome.envelope.readUInt32LE(EnvelopeOffset.GENERATION));
        }
      }
      for (let object = 0; object < 2; object++) {
        assert.notEqual(generations.get(`0/${object}`), generations.get(`1/${object}`), `object ${object} of each partition`);
      }
      await again.close();
    } finally {
      await t.cleanup();
    }
  });

  test('a deduplicating store refuses to open a partitioned cartridge, naming why', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'PART03', capacityBytes: 8_000_000 });
      await t.store.create(d);
      const medium = await t.store.open(d);
      await medium.format([4_000_000, 4_000_000]);
      await medium.close();
      const dedup = new DedupMediaStore({ directory: t.directory, log: silentLogger() });
      await assert.rejects(dedup.open(d), (error: unknown) => error instanceof MediaFormatError && /2 partitions/.test(error.message));
    } finally {
      await t.cleanup();
    }
  });

  test('in a process that deduplicates some library, a cartridge of a library that does not is partitioned like any other', async () => {
    const t = await tempStore();
    try {
      const dedup = new DedupMediaStore({ directory: t.directory, log: silentLogger(), deduplicates: (barcode) => barcode !== 'PART04' });
      const d = cartridge({ barcode: 'PART04', capacityBytes: 8_000_000 });
      await dedup.create(d);
      const medium = await dedup.open(d);
      await medium.format([4_000_000, 4_000_000]);
      await medium.write(pattern(1, 3000), { compress: false });
      await medium.close();
      const again = await dedup.open(d);
      assert.ok(again.partitionLimit > 1);
      assert.equal(again.partitionCapacities().length, 2);
      const read = await again.read();
      assert.ok(read.kind === 'block' && read.data.equals(pattern(1, 3000)));
      await again.close();
      assert.deepEqual((await readdir(path.join(t.directory, 'PART04'))).filter((n) => n.startsWith('data')).sort(), ['data-1-0.vtape', 'data-1-1.vtape']);
    } finally {
      await t.cleanup();
    }
  });
});
