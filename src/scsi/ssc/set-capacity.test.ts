import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { proportionalCapacity } from './set-capacity.js';
import { TapeAlert } from './tape-alert.js';
import { cdb, createHarness } from './testing/drive-harness.js';
import type { Harness } from './testing/drive-harness.js';

const setCapacity = (proportion: number, immed = false): number[] => [0x0b, immed ? 1 : 0, 0, proportion >> 8, proportion & 0xff, 0];
const logSense = (page: number): number[] => [0x4d, 0, 0x40 | page, 0, 0, 0, 0, 0x10, 0, 0];
const readAttribute = (first: number): number[] => [0x8c, 0, 0, 0, 0, 0, 0, 0, first >> 8, first & 0xff, 0, 0, 0x10, 0, 0, 0];

/** A drive with a cartridge of `capacityBytes` holding two blocks and a filemark, positioned at BOP. */
async function writtenTape(capacityBytes = 1_000_000): Promise<Harness> {
  const h = await createHarness();
  await h.load('A00001L8', { capacityBytes });
  await h.good(cdb.write6(100), { dataOut: Buffer.alloc(100, 7) });
  await h.good(cdb.write6(100), { dataOut: Buffer.alloc(100, 8) });
  await h.good(cdb.writeFilemarks(1));
  await h.good(cdb.rewind());
  return h;
}

/** Log page 31h parameters 1 (main partition remaining) and 3 (main partition maximum), in 10^6 bytes. */
async function tapeCapacityLog(h: Harness): Promise<[number, number]> {
  const data = await h.good(logSense(0x31));
  assert.deepEqual([data.readUInt16BE(4), data.readUInt16BE(20)], [1, 3]);
  return [data.readUInt32BE(8), data.readUInt32BE(24)];
}

describe('SET CAPACITY', () => {
  test('proportionalCapacity() rounds up and gives the native capacity for 65535', () => {
    assert.equal(proportionalCapacity(12e12, 65535), 12e12);
    assert.equal(proportionalCapacity(12e12, 1), 183_108_263);
    assert.equal(proportionalCapacity(30e12, 32768), 15_000_228_885_329);
    assert.equal(proportionalCapacity(100_000, 32768), 50_001);
  });

  test('reserved CDB bits and a proportion of 0 are refused with INVALID FIELD IN CDB and a field pointer', async () => {
    const h = await writtenTape();
    const reserved = await h.check([0x0b, 0x02, 0, 0x80, 0, 0]);
    assert.deepEqual([reserved.key, reserved.asc, reserved.ascq, reserved.field], [0x5, 0x24, 0x00, [1, 1]]);
    const byte2 = await h.check([0x0b, 0, 0x01, 0x80, 0, 0]);
    assert.deepEqual([byte2.key, byte2.asc, byte2.field?.[0]], [0x5, 0x24, 2]);
    const zero = await h.check(setCapacity(0));
    assert.deepEqual([zero.key, zero.asc, zero.ascq, zero.field], [0x5, 0x24, 0x00, [3, undefined]]);
    assert.equal(h.store.media.get('A00001L8')?.objects.length, 3, 'nothing was erased');
  });

  test('REPORT SUPPORTED OPERATION CODES lists SET CAPACITY with its CDB usage data', async () => {
    const h = await createHarness();
    const data = await h.good([0xa3, 0x0c, 0x01, 0x0b, 0, 0, 0, 0, 0, 64, 0, 0]);
    assert.deepEqual([...data], [0, 0x03, 0, 6, 0x0b, 0x01, 0x00, 0xff, 0xff, 0x00]);
  });

  test('without a cartridge it answers NOT READY, MEDIUM NOT PRESENT', async () => {
    const h = await createHarness();
    const s = await h.check(setCapacity(0x8000));
    assert.deepEqual([s.key, s.asc, s.ascq], [0x2, 0x3a, 0x00]);
  });

  test('away from the beginning of the partition it answers POSITION PAST BEGINNING OF MEDIUM and keeps the data', async () => {
    const h = await writtenTape();
    await h.good(cdb.space6(0, 1));
    for (const immed of [false, true]) {
      const s = await h.check(setCapacity(0x8000, immed));
      assert.deepEqual([s.key, s.asc, s.ascq, s.deferred], [0x5, 0x3b, 0x0c, false]);
    }
    assert.equal(h.store.media.get('A00001L8')?.objects.length, 3);
    assert.equal((await tapeCapacityLog(h))[1], 1);
  });

  test('a write-protected cartridge is refused with DATA PROTECT, WRITE PROTECTED', async () => {
    const h = await createHarness();
    await h.load('A00001L8', { writeProtected: true, capacityBytes: 1_000_000 });
    const s = await h.check(setCapacity(0x8000));
    assert.deepEqual([s.key, s.asc, s.ascq], [0x7, 0x27, 0x00]);
  });

  test('a WORM cartridge is refused with DATA PROTECT 30/0C and TapeAlert 3Ch, even when blank', async () => {
    const h = await createHarness();
    await h.load('W00001LY', { worm: true, capacityBytes: 1_000_000 });
    const s = await h.check(setCapacity(0x8000));
    assert.deepEqual([s.key, s.asc, s.ascq], [0x7, 0x30, 0x0c]);
    assert.equal(h.drive.tapeAlert.isSet(TapeAlert.WORM_MEDIUM_OVERWRITE_ATTEMPTED), true);
    assert.equal((await tapeCapacityLog(h))[1], 1);
  });

  test('at BOP it erases the cartridge, stays at BOP and reports the new capacity in log page 31h and MAM', async () => {
    const h = await writtenTape(10_000_000);
    await h.good(setCapacity(13107)); // one fifth: 2,000,000 bytes
    assert.equal((await h.good(cdb.readPositionShort())).readUInt32BE(4), 0);
    const blank = await h.check(cdb.read6(100, 0x02));
    assert.deepEqual([blank.key, blank.asc, blank.ascq], [0x8, 0x00, 0x05]);
    assert.equal(h.store.media.get('A00001L8')?.objects.length, 0);
    assert.deepEqual(await tapeCapacityLog(h), [2, 2]);
    // 0001h MAXIMUM CAPACITY IN PARTITION in MiB: floor(2,000,000 / 2^20) = 1
    const mam = await h.good(readAttribute(0x0001));
    assert.deepEqual([...mam.subarray(4, 17)], [0x00, 0x01, 0x80, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  test('early warning follows the new capacity', async () => {
    const h = await createHarness();
    h.store.earlyWarningBytes = 1000;
    await h.load('A00001L8', { capacityBytes: 100_000 });
    await h.good(setCapacity(32768)); // 50,001 bytes
    await h.good(cdb.write6(49_000), { dataOut: Buffer.alloc(49_000) });
    const warned = await h.check(cdb.write6(100), { dataOut: Buffer.alloc(100) });
    assert.deepEqual([warned.key, warned.asc, warned.ascq, warned.eom], [0x0, 0x00, 0x02, true]);
    const overflow = await h.check(cdb.write6(1000), { dataOut: Buffer.alloc(1000) });
    assert.deepEqual([overflow.key, overflow.asc, overflow.ascq, overflow.eom], [0xd, 0x00, 0x02, true]);
  });

  test('65535 restores the native capacity after a smaller one', async () => {
    const h = await writtenTape(10_000_000);
    await h.good(setCapacity(6554));
    assert.deepEqual(await tapeCapacityLog(h), [1, 1]);
    await h.good(setCapacity(65535));
    assert.deepEqual(await tapeCapacityLog(h), [10, 10]);
  });

  test('with IMMED it answers GOOD at once and the next command sees the erased cartridge', async () => {
    const h = await writtenTape(10_000_000);
    await h.good(setCapacity(13107, true));
    assert.equal((await h.good(cdb.readPositionShort())).readUInt32BE(4), 0);
    const blank = await h.check(cdb.read6(100, 0x02));
    assert.deepEqual([blank.key, blank.asc, blank.ascq, blank.deferred], [0x8, 0x00, 0x05, false]);
    assert.deepEqual(await tapeCapacityLog(h), [2, 2]);
  });

  test('mode page 11h reports the size of the partition after SET CAPACITY', async () => {
    const h = await createHarness();
    await h.load('A00001L8', { capacityBytes: 12e12 });
    await h.good(setCapacity(32768)); // 6,000,091,554,132 bytes: 6000 x 10^9
    const data = await h.good([0x1a, 0x08, 0x11, 0, 255, 0]);
    assert.deepEqual([...data.subarray(4)], [0x11, 0x0a, 1, 0, 0x1c, 0x03, 0x09, 0, 0x17, 0x70, 0, 0]);
  });
});
