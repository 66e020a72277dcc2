// The partition behaviour of a TapeMedium (src/media/tape-medium.ts `format`, `changePartition`, `partition`,
// `partitionCapacities`), as one suite run against every implementation that offers two partitions
// (tape-medium-contract.test.ts), and the refusal of those that keep one (dedup-contract.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MediumFullError, PartitionsUnsupportedError, WormViolationError, type TapeMedium } from '../../src/media/tape-medium.js';
import type { MountBlank } from './tape-medium-contract.js';

const block = (n: number, length = 1000): Buffer => Buffer.alloc(length, n & 0xff);

async function readAll(medium: TapeMedium): Promise<string> {
  let seen = '';
  for (;;) {
    const outcome = await medium.read();
    if (outcome.kind === 'end-of-data') return seen;
    seen += outcome.kind === 'filemark' ? 'F' : outcome.kind === 'block' ? `b${outcome.data[0]}` : '?';
  }
}

const capacities = (m: TapeMedium): number[] => m.partitionCapacities().map((c) => c.capacityBytes);

export function partitionContract(name: string, mountBlank: MountBlank): void {
  describe(`TapeMedium partitions: ${name}`, () => {
    test('format() makes two partitions, each with its own objects, end of data and capacity, kept across a reopen', async () => {
      const mounted = await mountBlank({ capacityBytes: 10_000_000 });
      try {
        let m = mounted.medium;
        await m.write(block(9), { compress: false });
        await m.rewind();
        await m.format([8_000_000, 2_000_000]);
        assert.equal(m.statistics().blocksWritten, 1, 'the load\'s counters go on across a format (metrics are counters)');
        assert.deepEqual([m.partition, m.position().objectNumber, m.position().atEndOfData], [0, 0, true], 'formatted: blank, at BOP 0');
        assert.deepEqual(capacities(m), [8_000_000, 2_000_000]);
        await m.write(block(1), { compress: false });
        await m.writeFilemarks(1);
        await m.changePartition(1);
        assert.deepEqual([m.partition, m.position().objectNumber], [1, 0]);
        await m.write(block(2), { compress: false });
        await m.write(block(3), { compress: false });
        assert.equal(m.capacity().capacityBytes, 2_000_000, 'capacity() is the partition\'s');
        await m.rewind();
        assert.equal(m.partition, 0, 'rewind goes to partition 0');
        assert.equal(await readAll(m), 'b1F');
        assert.deepEqual([m.statistics().blocksWritten, m.statistics().filemarksWritten], [4, 1], 'every partition counts');
        await m.flush();
        m = await mounted.reopen();
        assert.deepEqual([m.partition, capacities(m)], [0, [8_000_000, 2_000_000]]);
        assert.equal(await readAll(m), 'b1F');
        await m.changePartition(1);
        assert.equal(await readAll(m), 'b2b3');
        await m.spaceToEndOfData();
        assert.equal(m.position().objectNumber, 2);
      } finally {
        await mounted.cleanup();
      }
    });

    test('an overwrite in one partition leaves the other whole; a write past a partition\'s capacity is refused there', async () => {
      const mounted = await mountBlank({ capacityBytes: 10_000_000 });
      try {
        const m = mounted.medium;
        await m.format([7_000_000, 3_000]);
        await m.write(block(1), { compress: false });
        await m.write(block(2), { compress: false });
        await m.changePartition(1);
        await m.write(block(3), { compress: false });
        await m.write(block(4), { compress: false });
        await assert.rejects(m.write(block(5, 2_000), { compress: false }), MediumFullError);
        await m.changePartition(0);
        await m.locate(1);
        await m.write(block(6), { compress: false });
        await m.rewind();
        assert.equal(await readAll(m), 'b1b6');
        await m.changePartition(1);
        assert.equal(await readAll(m), 'b3b4');
      } finally {
        await mounted.cleanup();
      }
    });

    test('format([]) erases every partition and makes one; bad layouts are RangeErrors; a WORM cartridge refuses', async () => {
      const mounted = await mountBlank({ capacityBytes: 10_000_000 });
      try {
        const m = mounted.medium;
        await m.format([5_000_000, 5_000_000]);
        await m.changePartition(1);
        await m.write(block(1), { compress: false });
        await assert.rejects(m.changePartition(2), RangeError);
        await assert.rejects(m.format([10_000_000]), RangeError);
        await assert.rejects(m.format([9_000_000, 2_000_000]), RangeError);
        await assert.rejects(m.format([1, 1, 1]), PartitionsUnsupportedError);
        await m.format([]);
        assert.deepEqual([capacities(m), m.partition, m.position().atEndOfData, m.position().objectNumber], [[10_000_000], 0, true, 0]);
      } finally {
        await mounted.cleanup();
      }
      const worm = await mountBlank({ worm: true });
      try {
        await assert.rejects(worm.medium.format([]), WormViolationError);
        await assert.rejects(worm.medium.format([1000, 1000]), WormViolationError);
      } finally {
        await worm.cleanup();
      }
    });
  });
}

/** A medium whose store keeps one stream per cartridge: no partitions, the default format still erases. */
export function onePartitionContract(name: string, mountBlank: MountBlank): void {
  test(`${name} refuses format() into partitions and erases with the default format`, async () => {
    const mounted = await mountBlank({ capacityBytes: 10_000_000 });
    try {
      const m = mounted.medium;
      assert.equal(m.partitionLimit, 1);
      await m.write(block(1), { compress: false });
      await m.rewind();
      await assert.rejects(m.format([5_000_000, 5_000_000]), PartitionsUnsupportedError);
      assert.equal(await readAll(m), 'b1', 'a refused format changes nothing');
      await m.rewind();
      await m.format([]);
      assert.deepEqual([m.partition, m.position().atEndOfData, capacities(m).length], [0, true, 1]);
      await assert.rejects(m.changePartition(1), RangeError);
    } finally {
      await mounted.cleanup();
    }
  });
}
