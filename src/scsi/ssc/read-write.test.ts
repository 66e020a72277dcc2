import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaWriteError } from '../../media/tape-medium.js';
import { cdb, createHarness } from './testing/drive-harness.js';

const bytes = (n: number, seed = 1): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

/** MODE SELECT(6) with one block descriptor setting the block length (0 = variable). */
function modeSelectBlockLength(length: number): { cdb: number[]; dataOut: Buffer } {
  const list = Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
  return { cdb: [0x15, 0x10, 0, 0, list.length, 0], dataOut: list };
}

describe('READ(6) and WRITE(6) in variable mode', () => {
  test('a written block reads back identically after a rewind', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(1000), { dataOut: bytes(1000) });
    await h.good(cdb.rewind());
    assert.deepEqual(await h.good(cdb.read6(1000)), bytes(1000));
  });

  test('reading a longer record returns its first part with ILI and a negative residue, and moves past it', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(100), { dataOut: bytes(100) });
    await h.good(cdb.write6(10), { dataOut: bytes(10, 9) });
    await h.good(cdb.rewind());
    const s = await h.check(cdb.read6(60));
    assert.equal(s.key, 0x0);
    assert.equal(s.ili, true);
    assert.equal(s.valid, true);
    assert.equal(s.information, 60 - 100);
    assert.deepEqual(s.data, bytes(100).subarray(0, 60));
    assert.deepEqual(await h.good(cdb.read6(10)), bytes(10, 9));
  });

  test('reading a shorter record reports ILI with a positive residue unless SILI is set', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(10), { dataOut: bytes(10) });
    await h.good(cdb.write6(10), { dataOut: bytes(10) });
    await h.good(cdb.rewind());
    const s = await h.check(cdb.read6(64));
    assert.equal(s.ili, true);
    assert.equal(s.information, 54);
    assert.equal(s.data.length, 10);
    assert.deepEqual(await h.good(cdb.read6(64, 0x02)), bytes(10));
  });

  test('a variable read larger than the largest block is allowed and reads the block short', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(10), { dataOut: bytes(10) });
    await h.good(cdb.rewind());
    const s = await h.check(cdb.read6(0x900000));
    assert.deepEqual([s.ili, s.information, s.data.length], [true, 0x900000 - 10, 10]);
  });

  test('a filemark gives NO SENSE 00/01 with FM and the whole request as residue, position after it', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.writeFilemarks(1));
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
    await h.good(cdb.rewind());
    const s = await h.check(cdb.read6(512));
    assert.deepEqual([s.key, s.asc, s.ascq, s.filemark, s.valid, s.information], [0, 0x00, 0x01, true, true, 512]);
    assert.deepEqual(await h.good(cdb.read6(4)), bytes(4));
  });

  test('reading at end of data gives BLANK CHECK 00/05 with the residue and no EOM', async () => {
    const h = await createHarness();
    await h.load();
    const s = await h.check(cdb.read6(512));
    assert.deepEqual([s.key, s.asc, s.ascq, s.eom, s.information], [0x8, 0x00, 0x05, false, 512]);
  });

  test('a write in the middle of the data becomes the new end of data', async () => {
    const h = await createHarness();
    const m = await h.load();
    for (let i = 0; i < 3; i++) await h.good(cdb.write6(8), { dataOut: bytes(8, i) });
    await h.good(cdb.locate10(1));
    await h.good(cdb.write6(8), { dataOut: bytes(8, 42) });
    assert.equal(m.objects.length, 2);
    await h.good(cdb.locate10(1));
    assert.deepEqual(await h.good(cdb.read6(8)), bytes(8, 42));
    assert.equal((await h.check(cdb.read6(8))).key, 0x8);
  });

  test('an unreadable record gives MEDIUM ERROR 11/00 and never data', async () => {
    const h = await createHarness();
    const m = await h.load();
    await h.good(cdb.write6(8), { dataOut: bytes(8) });
    m.badObjects.add(0);
    await h.good(cdb.rewind());
    const s = await h.check(cdb.read6(8));
    assert.deepEqual([s.key, s.asc, s.ascq, s.information, s.commandSpecific], [0x3, 0x11, 0x00, 8, 0]);
    assert.equal(s.data.length, 0);
  });

  test('the drive compression setting (mode page 0Fh DCE) is passed to every write', async () => {
    const h = await createHarness({ compression: true });
    const m = await h.load();
    await h.good(cdb.write6(8), { dataOut: bytes(8) });
    // MODE SELECT(6) page 0Fh with DCE=0.
    const page = [0x0f, 0x0e, 0x40, 0x80, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0];
    const list = Buffer.from([0, 0, 0x10, 0, ...page]);
    await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
    await h.good(cdb.write6(8), { dataOut: bytes(8) });
    assert.deepEqual(m.objects.map((o) => o.kind === 'block' && o.compressed), [true, false]);
  });
});

describe('fixed-block mode', () => {
  test('WRITE(6) and READ(6) with FIXED move blocks of the block descriptor length', async () => {
    const h = await createHarness();
    const m = await h.load();
    const sel = modeSelectBlockLength(512);
    await h.good(sel.cdb, { dataOut: sel.dataOut });
    await h.good(cdb.write6(3, true), { dataOut: bytes(1536) });
    assert.equal(m.objects.length, 3);
    await h.good(cdb.rewind());
    assert.deepEqual(await h.good(cdb.read6(3, 0x01)), bytes(1536));
  });

  test('a filemark during a fixed read reports the residue in blocks with the blocks before it', async () => {
    const h = await createHarness();
    await h.load();
    const sel = modeSelectBlockLength(16);
    await h.good(sel.cdb, { dataOut: sel.dataOut });
    await h.good(cdb.write6(2, true), { dataOut: bytes(32) });
    await h.good(cdb.writeFilemarks(1));
    await h.good(cdb.rewind());
    const s = await h.check(cdb.read6(5, 0x01));
    assert.deepEqual([s.filemark, s.information, s.data.length], [true, 3, 32]);
  });

  test('FIXED with a block length of zero is refused, pointing at the FIXED bit', async () => {
    const h = await createHarness();
    await h.load();
    const s = await h.check(cdb.read6(1, 0x01));
    assert.deepEqual([s.key, s.asc, s.field], [0x5, 0x24, [1, 0]]);
  });

  test('SILI together with FIXED is refused, pointing at SILI', async () => {
    const h = await createHarness();
    await h.load();
    const sel = modeSelectBlockLength(512);
    await h.good(sel.cdb, { dataOut: sel.dataOut });
    const s = await h.check(cdb.read6(1, 0x03));
    assert.deepEqual([s.key, s.asc, s.field], [0x5, 0x24, [1, 1]]);
  });
});

describe('write protection, WORM, end of medium and write errors', () => {
  test('a write-protected cartridge refuses writes with DATA PROTECT 27/00', async () => {
    const h = await createHarness();
    await h.load('A00002L8', { writeProtected: true });
    const s = await h.check(cdb.write6(4), { dataOut: bytes(4) });
    assert.deepEqual([s.key, s.asc, s.ascq], [0x7, 0x27, 0x00]);
  });

  test('WORM allows appending but refuses overwriting with DATA PROTECT 30/0C', async () => {
    const h = await createHarness();
    await h.store.create({ barcode: 'A00003LY', generation: 8, worm: true, capacityBytes: 1 << 20 });
    await h.load('A00003LY', { worm: true });
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
    await h.good(cdb.rewind());
    const s = await h.check(cdb.write6(4), { dataOut: bytes(4) });
    assert.deepEqual([s.key, s.asc, s.ascq], [0x7, 0x30, 0x0c]);
  });

  test('past early warning a write succeeds with NO SENSE, EOM and 00/02', async () => {
    const h = await createHarness();
    h.store.earlyWarningBytes = 100;
    await h.store.create({ barcode: 'A00004L8', generation: 8, worm: false, capacityBytes: 1000 });
    const m = await h.load('A00004L8');
    await h.good(cdb.write6(800), { dataOut: bytes(800) });
    const s = await h.check(cdb.write6(150), { dataOut: bytes(150) });
    assert.deepEqual([s.key, s.asc, s.ascq, s.eom, s.valid, s.information], [0x0, 0x00, 0x02, true, true, 0]);
    assert.equal(m.objects.length, 2);
  });

  test('at the physical end a write fails with VOLUME OVERFLOW 00/02, EOM and the unwritten residue', async () => {
    const h = await createHarness();
    await h.store.create({ barcode: 'A00005L8', generation: 8, worm: false, capacityBytes: 1000 });
    await h.load('A00005L8');
    const sel = modeSelectBlockLength(300);
    await h.good(sel.cdb, { dataOut: sel.dataOut });
    const s = await h.check(cdb.write6(5, true), { dataOut: bytes(1500) });
    assert.deepEqual([s.key, s.asc, s.ascq, s.eom, s.information], [0xd, 0x00, 0x02, true, 2]);
  });

  test('a cartridge write error (disk full) gives MEDIUM ERROR 0C/00 and sets TapeAlert WRITE FAILURE', async () => {
    const h = await createHarness();
    const m = await h.load();
    m.failNextWrite = new MediaWriteError('no space left on device', 'ENOSPC', 0);
    const s = await h.check(cdb.write6(4), { dataOut: bytes(4) });
    assert.deepEqual([s.key, s.asc, s.ascq, s.information], [0x3, 0x0c, 0x00, 4]);
    assert.equal(h.drive.tapeAlert.isSet(6), true);
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
  });

  test('buffered records lost by a later write failure are a deferred MEDIUM ERROR counting them', async () => {
    const h = await createHarness();
    const m = await h.load();
    for (let i = 0; i < 3; i++) await h.good(cdb.write6(4), { dataOut: bytes(4) });
    m.failNextWrite = new MediaWriteError('no space left on device', 'ENOSPC', 0, 3);
    const s = await h.check(cdb.writeFilemarks(1));
    assert.deepEqual([s.deferred, s.key, s.asc, s.ascq, s.valid, s.information], [true, 0x3, 0x0c, 0x00, true, 3]);
  });

  test('WRITE FILEMARKS flushes without IMMED, not with it, and WRITE FILEMARKS 0 flushes', async () => {
    const h = await createHarness();
    const m = await h.load();
    await h.good(cdb.writeFilemarks(1, true));
    assert.equal(m.flushCount, 0);
    await h.good(cdb.writeFilemarks(1));
    assert.equal(m.flushCount, 1);
    await h.good(cdb.writeFilemarks(0));
    assert.equal(m.flushCount, 2);
    assert.equal(m.objects.length, 2);
  });

  test('unbuffered mode (BUFFERED MODE 0) flushes after every write', async () => {
    const h = await createHarness();
    const m = await h.load();
    const list = Buffer.from([0, 0, 0x00, 0]);
    await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
    assert.equal(m.flushCount, 1);
  });

  test('WRITE FILEMARKS with WSMK set is refused, pointing at WSMK', async () => {
    const h = await createHarness();
    await h.load();
    const s = await h.check([0x10, 0x02, 0, 0, 1, 0]);
    assert.deepEqual([s.key, s.asc, s.field], [0x5, 0x24, [1, 1]]);
  });
});

describe('descriptor sense', () => {
  test('with D_SENSE a filemark is reported in the stream commands descriptor with the residue', async () => {
    const h = await createHarness();
    await h.load();
    const control = Buffer.from([0, 0, 0x10, 0, 0x0a, 0x0a, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    await h.good([0x15, 0x10, 0, 0, control.length, 0], { dataOut: control });
    await h.good(cdb.writeFilemarks(1));
    await h.good(cdb.rewind());
    const r = await h.run(cdb.read6(100));
    const s = r.sense ?? Buffer.alloc(0);
    assert.deepEqual([s[0], s[1], s[2], s[3]], [0x72, 0x00, 0x00, 0x01]);
    // information descriptor (00h, VALID, 8-byte value 100) then stream commands descriptor (04h, FILEMARK)
    assert.deepEqual([...s.subarray(8, 20)], [0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 100]);
    assert.deepEqual([...s.subarray(20, 24)], [0x04, 0x02, 0x00, 0x80]);
  });
});

describe('commands queued behind a block size change', () => {
  test('a fixed WRITE sized before a queued MODE SELECT changed the block length is refused, not mis-written', async () => {
    const h = await createHarness();
    const m = await h.load();
    const sel = modeSelectBlockLength(512);
    const [selected, written] = await Promise.all([
      h.run(sel.cdb, { dataOut: sel.dataOut }),
      h.run(cdb.write6(2, true), { dataOut: bytes(1024) }),
    ]);
    assert.equal(selected.status, 0);
    assert.equal(written.status, 2);
    assert.equal(m.objects.length, 0);
  });
});
