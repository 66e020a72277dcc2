import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cdb, createHarness, nexus } from './testing/drive-harness.js';
import type { Harness } from './testing/drive-harness.js';
import { RecordingProtection } from './testing/recording-protection.js';

const ILLEGAL_REQUEST = 0x05;
const BLANK_CHECK = 0x08;
const MISCOMPARE = 0x0e;
const DATA_PROTECT = 0x07;
const bytes = (n: number, seed = 1): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 5 + seed) & 0xff));

/** A 16-byte SSC CDB as SSC-4 lays it out: byte 1 flags, byte 3 PARTITION, 4-11 LOGICAL OBJECT IDENTIFIER, 12-14 length. */
function cdb16(opcode: number, flags: number, objectId: number, length: number, partition = 0): number[] {
  const id = [56, 48, 40, 32, 24, 16, 8, 0].map((shift) => Number((BigInt(objectId) >> BigInt(shift)) & 0xffn));
  return [opcode, flags, 0, partition, ...id, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0];
}
const read16 = (id: number, length: number, flags = 0): number[] => cdb16(0x88, flags, id, length);
const write16 = (id: number, length: number, flags = 0): number[] => cdb16(0x8a, flags, id, length);
const writeFilemarks16 = (id: number, count: number): number[] => cdb16(0x80, 0, id, count);
const verify16 = (id: number, length: number, flags = 0): number[] => cdb16(0x8f, flags, id, length);

async function position(h: Harness): Promise<number> {
  return (await h.good(cdb.readPositionShort())).readUInt32BE(4);
}

describe('READ(16) and WRITE(16)', () => {
  test('blocks written with WRITE(16) at the current position read back with READ(16) by logical object identifier', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(write16(0, 100), { dataOut: bytes(100) });
    await h.good(write16(1, 50), { dataOut: bytes(50, 7) });
    assert.equal(await position(h), 2);
    // No REWIND or LOCATE in between: READ(16) positions to the named object itself.
    assert.deepEqual(await h.good(read16(1, 50)), bytes(50, 7));
    assert.deepEqual(await h.good(read16(0, 100)), bytes(100));
    assert.equal(await position(h), 1);
  });

  test('READ(16) at the current position reads there, and WRITE(6) data reads back with it', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(10), { dataOut: bytes(10) });
    await h.good(cdb.rewind());
    assert.deepEqual(await h.good(read16(0, 10)), bytes(10));
  });

  test('WRITE(16) naming an object other than the current position is refused at byte 4 and writes nothing', async () => {
    const h = await createHarness();
    const m = await h.load();
    await h.good(cdb.write6(10), { dataOut: bytes(10) });
    await h.good(cdb.write6(10), { dataOut: bytes(10, 3) });
    await h.good(cdb.rewind());
    const s = await h.check(write16(1, 10), { dataOut: bytes(10, 9) });
    assert.deepEqual([s.key, s.asc, s.ascq, s.field], [ILLEGAL_REQUEST, 0x24, 0x00, [4, undefined]]);
    assert.equal(m.objects.length, 2, 'the data after the position is not cut');
    assert.equal(await position(h), 0);
  });

  test('READ(16) of an object beyond end of data answers BLANK CHECK 00/05 with the whole request as residue', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(10), { dataOut: bytes(10) });
    const s = await h.check(read16(5, 10));
    assert.deepEqual([s.key, s.asc, s.ascq, s.valid, s.information], [BLANK_CHECK, 0x00, 0x05, true, 10]);
  });

  test('fixed-block READ(16) and WRITE(16) move blocks of the block descriptor length', async () => {
    const h = await createHarness();
    await h.load();
    await h.good([0x15, 0x10, 0, 0, 12, 0], { dataOut: Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0x02, 0x00]) });
    await h.good(write16(0, 3, 0x01), { dataOut: bytes(3 * 512) });
    assert.deepEqual(await h.good(read16(1, 2, 0x01)), bytes(3 * 512).subarray(512));
  });

  test('SILI silences an underlength READ(16) as it does READ(6)', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(write16(0, 10), { dataOut: bytes(10) });
    const s = await h.check(read16(0, 64));
    assert.deepEqual([s.ili, s.information], [true, 54]);
    assert.deepEqual(await h.good(read16(0, 64, 0x02)), bytes(10));
  });
});

describe('WRITE FILEMARKS(16) and VERIFY(16)', () => {
  test('WRITE FILEMARKS(16) writes a filemark at the current position that READ(16) meets with FM', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(write16(0, 10), { dataOut: bytes(10) });
    await h.good(writeFilemarks16(1, 1));
    const s = await h.check(read16(1, 10));
    assert.deepEqual([s.key, s.asc, s.ascq, s.filemark, s.information], [0x00, 0x00, 0x01, true, 10]);
  });

  test('WRITE FILEMARKS(16) naming another position is refused at byte 4, also with a count of 0', async () => {
    const h = await createHarness();
    const m = await h.load();
    await h.good(write16(0, 10), { dataOut: bytes(10) });
    for (const count of [1, 0]) {
      const s = await h.check(writeFilemarks16(0, count));
      assert.deepEqual([s.key, s.asc, s.field], [ILLEGAL_REQUEST, 0x24, [4, undefined]]);
    }
    assert.equal(m.objects.length, 1);
  });

  test('VERIFY(16) with BYTCMP positions to the object and reports a miscompare with the residue', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(write16(0, 10), { dataOut: bytes(10) });
    await h.good(write16(1, 10), { dataOut: bytes(10, 4) });
    await h.good(verify16(1, 10, 0x02), { dataOut: bytes(10, 4) });
    const wrong = Buffer.from(bytes(10));
    wrong[6] ^= 0xff;
    const s = await h.check(verify16(0, 10, 0x02), { dataOut: wrong });
    assert.deepEqual([s.key, s.asc, s.information], [MISCOMPARE, 0x1d, 4]);
  });
});

describe('16-byte CDB fields', () => {
  test('a partition other than 0 is refused at byte 3 by every 16-byte read and write command', async () => {
    const h = await createHarness();
    await h.load();
    for (const opcode of [0x80, 0x88, 0x8a, 0x8f]) {
      const s = await h.check(cdb16(opcode, 0, 0, 0, 1));
      assert.deepEqual([s.key, s.asc, s.field], [ILLEGAL_REQUEST, 0x24, [3, undefined]], opcode.toString(16));
    }
  });

  test('FCS and LCS (byte 1 bits 3 and 2) are outside the usage masks and refused; VERIFY(16) has VBF and IMMED there', async () => {
    const h = await createHarness();
    await h.load();
    for (const opcode of [0x80, 0x88, 0x8a]) {
      assert.deepEqual((await h.check(cdb16(opcode, 0x08, 0, 0))).field, [1, 3], opcode.toString(16));
      assert.deepEqual((await h.check(cdb16(opcode, 0x04, 0, 0))).field, [1, 2], opcode.toString(16));
    }
    // VERIFY(16) byte 1: VTE, VLBAM, VBF (refused) and IMMED (supported) where the others have FCS and LCS.
    assert.deepEqual((await h.check(cdb16(0x8f, 0x08, 0, 0))).field, [1, 3]);
    await h.good(cdb16(0x8f, 0x04, 0, 0));
  });

  test('a logical object identifier beyond 2^53 is refused at byte 4', async () => {
    const h = await createHarness();
    await h.load();
    const c = read16(0, 10);
    c[4] = 0x80;
    assert.deepEqual((await h.check(c)).field, [4, undefined]);
  });
});

describe('the 16-byte writes under protection', () => {
  test('a read-only initiator is refused WRITE(16) and WRITE FILEMARKS(16) with 27/00 and may READ(16)', async () => {
    const p = new RecordingProtection();
    const h = await createHarness({ protection: p });
    await h.load();
    await h.good(write16(0, 10), { dataOut: bytes(10) });
    p.readOnly.add('iqn.test:i2');
    const ro = nexus(2);
    for (let i = 0; i < 3; i++) if ((await h.run(cdb.testUnitReady(), { nexus: ro })).sense?.[2] !== 0x06) break;
    for (const [c, dataOut] of [[write16(1, 10), bytes(10)], [writeFilemarks16(1, 1), undefined]] as const) {
      const s = await h.check(c, { nexus: ro, ...(dataOut ? { dataOut } : {}) });
      assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x27, 0x00]);
    }
    assert.deepEqual(await h.good(read16(0, 10), { nexus: ro }), bytes(10));
  });

  test('on a locked cartridge WRITE(16) before end of data is refused with 27/06', async () => {
    const p = new RecordingProtection();
    const h = await createHarness({ protection: p });
    await h.load();
    await h.good(write16(0, 10), { dataOut: bytes(10) });
    await h.good(cdb.rewind());
    p.lock('A00001L8');
    const s = await h.check(write16(0, 10), { dataOut: bytes(10, 2) });
    assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x27, 0x06]);
  });
});
