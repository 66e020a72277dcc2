import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaWriteError } from '../../media/tape-medium.js';
import { cdb, createHarness } from './testing/drive-harness.js';
import type { Harness } from './testing/drive-harness.js';

/** Layout: b0 b1 FM b3 FM FM b6 (7 objects; filemarks at 2, 4, 5). */
async function tapeWithFiles(): Promise<Harness> {
  const h = await createHarness();
  await h.load();
  const block = Buffer.alloc(16, 1);
  await h.good(cdb.write6(16), { dataOut: block });
  await h.good(cdb.write6(16), { dataOut: block });
  await h.good(cdb.writeFilemarks(1));
  await h.good(cdb.write6(16), { dataOut: block });
  await h.good(cdb.writeFilemarks(2));
  await h.good(cdb.write6(16), { dataOut: block });
  await h.good(cdb.rewind());
  return h;
}

async function position(h: Harness): Promise<number> {
  return (await h.good(cdb.readPositionShort())).readUInt32BE(4);
}

describe('SPACE(6) and SPACE(16)', () => {
  test('spacing over blocks stops after a filemark with NO SENSE 00/01, FM and the residue', async () => {
    const h = await tapeWithFiles();
    const s = await h.check(cdb.space6(0, 5));
    assert.deepEqual([s.key, s.asc, s.ascq, s.filemark, s.valid, s.information], [0, 0, 1, true, true, 3]);
    assert.equal(await position(h), 3);
  });

  test('spacing forward over filemarks passes them and stops at end of data with BLANK CHECK and the residue', async () => {
    const h = await tapeWithFiles();
    await h.good(cdb.space6(1, 2));
    assert.equal(await position(h), 5);
    // `mt eod` without fast-eod: space 0x7fffff filemarks; the residue tells how many were passed.
    await h.good(cdb.rewind());
    const s = await h.check(cdb.space6(1, 0x7fffff));
    assert.deepEqual([s.key, s.asc, s.ascq, s.eom, s.information], [0x8, 0x00, 0x05, false, 0x7fffff - 3]);
    assert.equal(await position(h), 7);
  });

  test('spacing backward into the beginning of partition gives 00/04 with EOM and the residue', async () => {
    const h = await tapeWithFiles();
    await h.good(cdb.space6(0, 1));
    const s = await h.check(cdb.space6(0, -3 & 0xffffff));
    assert.deepEqual([s.key, s.asc, s.ascq, s.eom, s.information], [0x0, 0x00, 0x04, true, 2]);
    assert.equal(await position(h), 0);
  });

  test('spacing backward over one filemark ends on its beginning-of-partition side', async () => {
    const h = await tapeWithFiles();
    await h.good(cdb.space6(3, 0));
    await h.good(cdb.space6(1, -1 & 0xffffff));
    assert.equal(await position(h), 5);
    await h.good(cdb.space6(1, -2 & 0xffffff));
    assert.equal(await position(h), 2);
  });

  test('spacing to end of data and to sequential filemarks', async () => {
    const h = await tapeWithFiles();
    await h.good(cdb.space6(3, 0));
    assert.equal(await position(h), 7);
    await h.good(cdb.rewind());
    await h.good(cdb.space6(2, 2));
    assert.equal(await position(h), 6);
  });

  test('SPACE(16) takes a 64-bit count', async () => {
    const h = await tapeWithFiles();
    const c = Buffer.alloc(16);
    c[0] = 0x91;
    c[1] = 1;
    c.writeBigInt64BE(2n, 4);
    await h.good(c);
    assert.equal(await position(h), 5);
    c.writeBigInt64BE(-1n, 4);
    await h.good(c);
    assert.equal(await position(h), 4);
  });

  test('an unsupported SPACE code (setmarks) is refused, pointing at the CODE field', async () => {
    const h = await tapeWithFiles();
    const s = await h.check(cdb.space6(4, 1));
    assert.deepEqual([s.key, s.asc, s.field], [0x5, 0x24, [1, 3]]);
  });
});

describe('READ POSITION, LOCATE and REWIND', () => {
  test('READ POSITION short form reports BOP and the logical object identifier twice', async () => {
    const h = await tapeWithFiles();
    const expected = Buffer.alloc(20);
    expected[0] = 0x80;
    assert.deepEqual(await h.good(cdb.readPositionShort()), expected);
    await h.good(cdb.space6(1, 1));
    const after = Buffer.alloc(20);
    after.writeUInt32BE(3, 4);
    after.writeUInt32BE(3, 8);
    assert.deepEqual(await h.good(cdb.readPositionShort()), after);
  });

  test('READ POSITION long form reports the object and file numbers', async () => {
    const h = await tapeWithFiles();
    await h.good(cdb.space6(1, 3));
    const data = await h.good([0x34, 0x06, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(data.length, 32);
    assert.equal(data.readBigUInt64BE(8), 6n);
    assert.equal(data.readBigUInt64BE(16), 3n);
  });

  test('READ POSITION extended form honours its allocation length', async () => {
    const h = await tapeWithFiles();
    const data = await h.good([0x34, 0x08, 0, 0, 0, 0, 0, 0, 32, 0]);
    assert.deepEqual([data.length, data.readUInt16BE(2), data[0] & 0x80], [32, 28, 0x80]);
  });

  test('an unknown READ POSITION service action is refused', async () => {
    const h = await tapeWithFiles();
    const s = await h.check([0x34, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([s.key, s.asc], [0x5, 0x24]);
  });

  test('LOCATE(10) moves to an object; past end of data it stops there with BLANK CHECK', async () => {
    const h = await tapeWithFiles();
    await h.good(cdb.locate10(3));
    assert.equal(await position(h), 3);
    const s = await h.check(cdb.locate10(100));
    assert.deepEqual([s.key, s.asc, s.ascq], [0x8, 0x00, 0x05]);
    assert.equal(await position(h), 7);
  });

  test('LOCATE(16) finds a logical file and end of data', async () => {
    const h = await tapeWithFiles();
    const c = Buffer.alloc(16);
    c[0] = 0x92;
    c[1] = 0x08; // DEST_TYPE 001b logical file
    c.writeBigUInt64BE(2n, 4);
    await h.good(c);
    assert.equal(await position(h), 5);
    c[1] = 0x18; // 011b end of data
    await h.good(c);
    assert.equal(await position(h), 7);
    c[1] = 0x10; // 010b reserved
    assert.deepEqual((await h.check(c)).field, [1, 4]);
  });

  test('REWIND flushes the buffer before moving to the beginning', async () => {
    const h = await tapeWithFiles();
    const m = h.store.media.get('A00001L8');
    const before = m?.flushCount ?? 0;
    await h.good(cdb.space6(3, 0));
    await h.good(cdb.rewind());
    assert.equal(m?.flushCount, before + 1);
    assert.equal(await position(h), 0);
  });

  test('REWIND with IMMED that fails reports a deferred error on the next command', async () => {
    const h = await tapeWithFiles();
    const m = h.store.media.get('A00001L8');
    assert.ok(m);
    m.flush = () => Promise.reject(new MediaWriteError('I/O error', 'EIO', m.objects.length));
    await h.good(cdb.rewind(true));
    const s = await h.check(cdb.readPositionShort());
    assert.deepEqual([s.deferred, s.key, s.asc], [true, 0x3, 0x0c]);
    await h.good(cdb.readPositionShort());
  });

  test('ERASE discards everything from the position and is refused on WORM', async () => {
    const h = await tapeWithFiles();
    await h.good(cdb.locate10(3));
    await h.good([0x19, 0x01, 0, 0, 0, 0]);
    assert.equal(h.store.media.get('A00001L8')?.objects.length, 3);
    const w = await createHarness();
    await w.store.create({ barcode: 'W00001LY', generation: 8, worm: true, capacityBytes: 1 << 20 });
    await w.load('W00001LY', { worm: true });
    assert.deepEqual([(await w.check([0x19, 0, 0, 0, 0, 0])).asc], [0x30]);
  });

  test('VERIFY(6) checks blocks without returning them and reports a filemark like READ', async () => {
    const h = await tapeWithFiles();
    assert.equal((await h.good([0x13, 0, 0, 0, 16, 0])).length, 0);
    await h.good([0x13, 0, 0, 0, 16, 0]);
    const s = await h.check([0x13, 0, 0, 0, 16, 0]);
    assert.deepEqual([s.filemark, s.information], [true, 16]);
    // VTE (byte 1 bit 5) is not supported.
    assert.deepEqual((await h.check([0x13, 0x20, 0, 0, 16, 0])).field, [1, 5]);
  });

  test('VERIFY(6) with IMMED answers GOOD at once; what it meets is the deferred error of the next medium command', async () => {
    const h = await tapeWithFiles();
    assert.equal((await h.good([0x13, 0x04, 0, 0, 16, 0])).length, 0);
    await h.good([0x13, 0x04, 0, 0, 16, 0]);
    // The third record is a filemark: GOOD now, then a deferred NO SENSE 00/01 with FILEMARK and the residue.
    await h.good([0x13, 0x04, 0, 0, 16, 0]);
    const s = await h.check([0x13, 0, 0, 0, 16, 0]);
    assert.deepEqual([s.deferred, s.key, s.asc, s.ascq, s.filemark, s.information], [true, 0x0, 0x00, 0x01, true, 16]);
    // A miscompare found behind an IMMED VERIFY with BYTCMP is deferred too.
    const wrong = Buffer.alloc(16, 1);
    wrong[0] = 7;
    await h.good([0x13, 0x06, 0, 0, 16, 0], { dataOut: wrong });
    const m = await h.check([0x01, 0, 0, 0, 0, 0]);
    assert.deepEqual([m.deferred, m.key, m.asc], [true, 0xe, 0x1d]);
  });

  test('VERIFY(6) with BYTCMP compares the medium with the data sent and reports MISCOMPARE 1D/00', async () => {
    const h = await tapeWithFiles();
    await h.good([0x13, 0x02, 0, 0, 16, 0], { dataOut: Buffer.alloc(16, 1) });
    const wrong = Buffer.alloc(16, 1);
    wrong[5] = 9;
    const s = await h.check([0x13, 0x02, 0, 0, 16, 0], { dataOut: wrong });
    assert.deepEqual([s.key, s.asc, s.ascq, s.information], [0xe, 0x1d, 0x00, 11]);
  });
});
