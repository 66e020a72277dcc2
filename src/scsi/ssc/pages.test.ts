import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cdb, createHarness } from './testing/drive-harness.js';

const logSense = (page: number): number[] => [0x4d, 0, 0x40 | page, 0, 0, 0, 0, 0x10, 0x00, 0];

describe('mode parameters', () => {
  test('MODE SENSE(6) reports medium type, WP and buffered mode, and one block descriptor', async () => {
    const h = await createHarness();
    await h.load('A00001L8', { writeProtected: true });
    const data = await h.good([0x1a, 0, 0x01, 0, 255, 0]);
    // header: length, medium type 88h (LTO-8 data), WP|buffered mode 1, descriptor length 8
    assert.deepEqual([...data.subarray(1, 4)], [0x88, 0x90, 0x08]);
    // descriptor: density 5Eh, number of blocks 0, block length 0 (variable)
    assert.deepEqual([...data.subarray(4, 12)], [0x5e, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('MODE SELECT sets a fixed block length that MODE SENSE then reports', async () => {
    const h = await createHarness();
    await h.load();
    const list = Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]);
    await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
    const data = await h.good([0x1a, 0, 0x01, 0, 255, 0]);
    assert.equal(data.readUIntBE(9, 3), 0x10000);
    assert.equal(h.drive.mode.blockLength, 0x10000);
  });

  test('MODE SELECT refuses a block length over 8 MiB and a density the drive cannot use', async () => {
    const h = await createHarness();
    await h.load();
    const big = Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0x80, 0x00, 0x01]);
    const s = await h.check([0x15, 0x10, 0, 0, big.length, 0], { dataOut: big });
    assert.deepEqual([s.key, s.asc, s.field?.[0]], [0x5, 0x26, 9]);
    const lto5 = Buffer.from([0, 0, 0x10, 8, 0x58, 0, 0, 0, 0, 0, 0, 0]);
    const d = await h.check([0x15, 0x10, 0, 0, lto5.length, 0], { dataOut: lto5 });
    assert.deepEqual([d.asc, d.field?.[0]], [0x26, 4]);
  });

  test('page 0Fh reports DCE, DCC, DDE and the default algorithm', async () => {
    const h = await createHarness({ compression: true });
    const data = await h.good([0x1a, 0x08, 0x0f, 0, 255, 0]);
    assert.deepEqual([...data.subarray(4)], [0x0f, 0x0e, 0xc0, 0x80, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  test('page 10h byte 14 also switches compression', async () => {
    const h = await createHarness({ compression: true });
    const page = [0x10, 0x0e, 0, 0, 0, 0, 0, 0, 0x40, 0, 0x18, 0, 0, 0, 0, 0];
    const list = Buffer.from([0, 0, 0x10, 0, ...page]);
    await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
    assert.equal(h.drive.mode.compression, false);
  });

  test('append-only mode (page 10h/01h WRITE MODE 1h) refuses a write away from end of data', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(4), { dataOut: Buffer.alloc(4) });
    const page = Buffer.alloc(32);
    page[0] = 0x50;
    page[1] = 0x01;
    page.writeUInt16BE(28, 2);
    page[5] = 0x01;
    const list = Buffer.concat([Buffer.from([0, 0, 0x10, 0]), page]);
    await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
    assert.equal(h.drive.mode.appendOnly, true);
    await h.good(cdb.write6(4), { dataOut: Buffer.alloc(4) });
    await h.good(cdb.rewind());
    const s = await h.check(cdb.write6(4), { dataOut: Buffer.alloc(4) });
    assert.deepEqual([s.key, s.asc, s.ascq], [0x7, 0x50, 0x01]);
  });

  test('page 11h reports one partition of at most two, with its size in 10^9 bytes and POFM', async () => {
    const h = await createHarness();
    await h.load('A00001L8', { capacityBytes: 12e12 });
    const data = await h.good([0x1a, 0x08, 0x11, 0, 255, 0]);
    assert.deepEqual([...data.subarray(4)], [0x11, 0x0a, 1, 0, 0x1c, 0x03, 0x09, 0, 0x2e, 0xe0, 0, 0]);
  });
});

describe('log pages', () => {
  test('LOG SENSE 2Eh reports 64 TapeAlert flags and clears them', async () => {
    const h = await createHarness();
    h.drive.tapeAlert.set(6);
    const data = await h.good(logSense(0x2e));
    assert.equal(data[0] & 0x3f, 0x2e);
    assert.equal(data.readUInt16BE(2), 64 * 5);
    assert.deepEqual([...data.subarray(4 + 5 * 5, 4 + 6 * 5)], [0x00, 0x06, 0x03, 0x01, 0x01]);
    const again = await h.good(logSense(0x2e));
    assert.equal(again[4 + 5 * 5 + 4], 0);
  });

  test('LOG SENSE 31h reports remaining and maximum capacity in megabytes', async () => {
    const h = await createHarness();
    await h.load('A00001L8', { capacityBytes: 5_000_000 });
    await h.good(cdb.write6(1_000_000), { dataOut: Buffer.alloc(1_000_000) });
    const data = await h.good(logSense(0x31));
    // parameter 1 (remaining) and 3 (maximum), each 4 + 4 bytes
    assert.deepEqual([data.readUInt16BE(4), data.readUInt32BE(8)], [1, 4]);
    assert.deepEqual([data.readUInt16BE(20), data.readUInt32BE(24)], [3, 5]);
  });

  test('LOG SENSE 00h lists the SSC pages', async () => {
    const h = await createHarness();
    const data = await h.good([0x4d, 0, 0x40, 0, 0, 0, 0, 0, 255, 0]);
    const pages = [...data.subarray(4, 4 + data.readUInt16BE(2))];
    for (const p of [0x02, 0x03, 0x0c, 0x17, 0x2e, 0x31]) assert.ok(pages.includes(p), `page ${p} listed`);
  });
});

describe('identity, limits and densities', () => {
  test('INQUIRY reports a sequential-access device with an LTO identity', async () => {
    const h = await createHarness();
    const data = await h.good([0x12, 0, 0, 0, 96, 0]);
    assert.equal(data[0], 0x01);
    assert.equal(data[1] & 0x80, 0x80);
    assert.equal(data.subarray(8, 16).toString('ascii'), 'IBM     ');
    assert.equal(data.subarray(16, 32).toString('ascii').trim(), 'ULT3580-TD8');
  });

  test('VPD B0h reports WORM support and B1h the serial', async () => {
    const h = await createHarness();
    assert.deepEqual([...(await h.good([0x12, 1, 0xb0, 0, 255, 0]))], [0x01, 0xb0, 0, 2, 0x01, 0]);
    const b1 = await h.good([0x12, 1, 0xb1, 0, 255, 0]);
    assert.equal(b1.subarray(4).toString('ascii'), h.drive.identity.serial);
  });

  test('READ BLOCK LIMITS reports 1 byte to 8 MiB', async () => {
    const h = await createHarness();
    assert.deepEqual([...(await h.good([0x05, 0, 0, 0, 0, 0]))], [0x00, 0x80, 0x00, 0x00, 0x00, 0x01]);
    assert.equal((await h.good([0x05, 1, 0, 0, 0, 0])).length, 20);
  });

  test('REPORT DENSITY SUPPORT lists LTO-7 and LTO-8 for an LTO-8 drive, LTO-8 as default', async () => {
    const h = await createHarness({ generation: 8 });
    const data = await h.good([0x44, 0, 0, 0, 0, 0, 0, 0x10, 0, 0]);
    assert.equal(data.readUInt16BE(0), 2 + 2 * 52);
    assert.deepEqual([data[4], data[6] & 0xa1], [0x5c, 0x81]);
    assert.deepEqual([data[56], data[58] & 0xa1, data.readUInt32BE(56 + 12)], [0x5e, 0xa1, 12_000_000]);
    const types = await h.good([0x44, 0x02, 0, 0, 0, 0, 0, 0x10, 0, 0]);
    assert.deepEqual([...[0, 1, 2, 3].map((i) => types[4 + 56 * i])], [0x78, 0x7c, 0x88, 0x8c]);
  });

  test('REPORT DENSITY SUPPORT with MEDIA needs a cartridge', async () => {
    const h = await createHarness();
    await h.run(cdb.testUnitReady());
    assert.equal((await h.check([0x44, 1, 0, 0, 0, 0, 0, 0x10, 0, 0])).asc, 0x3a);
  });
});

describe('READ ATTRIBUTE and WRITE ATTRIBUTE', () => {
  const readAttr = (sa: number, first = 0): number[] => [0x8c, sa, 0, 0, 0, 0, 0, 0, first >> 8, first & 0xff, 0, 0, 0x10, 0, 0, 0];

  test('device and medium attributes are read-only and reported in ascending order', async () => {
    const h = await createHarness();
    await h.load('A00001L8', { capacityBytes: 64 * 1024 * 1024 });
    const data = await h.good(readAttr(0));
    const first = data.subarray(4, 4 + 13);
    // 0000h REMAINING CAPACITY IN PARTITION, read-only binary, 8 bytes: 64 MiB
    assert.deepEqual([...first], [0x00, 0x00, 0x80, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 64]);
    const list = await h.good(readAttr(1));
    const ids = Array.from({ length: list.readUInt32BE(0) / 2 }, (_, i) => list.readUInt16BE(4 + 2 * i));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    for (const id of [0x0003, 0x020a, 0x0400, 0x0401, 0x0806]) assert.ok(ids.includes(id), `attribute ${id.toString(16)}`);
  });

  test('host attributes are written, persisted in the cartridge, read back and deleted', async () => {
    const h = await createHarness();
    const m = await h.load();
    const vendor = Buffer.from([0x08, 0x00, 0x01, 0x00, 0x08, ...Buffer.from('ACME    ')]);
    const list = Buffer.concat([Buffer.from([0, 0, 0, vendor.length]), vendor]);
    await h.good([0x8d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, list.length, 0, 0], { dataOut: list });
    assert.equal(m.attributes.get(0x0800)?.toString('ascii'), 'ACME    ');
    const data = await h.good(readAttr(0, 0x0800));
    assert.deepEqual([...data.subarray(4, 9)], [0x08, 0x00, 0x01, 0x00, 0x08]);
    const del = Buffer.from([0, 0, 0, 5, 0x08, 0x00, 0x01, 0x00, 0x00]);
    await h.good([0x8d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, del.length, 0, 0], { dataOut: del });
    assert.equal(m.attributes.has(0x0800), false);
  });

  test('writing a read-only attribute or a wrong length is refused with a parameter list pointer', async () => {
    const h = await createHarness();
    await h.load();
    const ro = Buffer.from([0, 0, 0, 6, 0x04, 0x00, 0x01, 0x00, 0x01, 0x41]);
    const s = await h.check([0x8d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ro.length, 0, 0], { dataOut: ro });
    assert.deepEqual([s.key, s.asc, s.field], [0x5, 0x26, [4, undefined]]);
    const len = Buffer.from([0, 0, 0, 6, 0x08, 0x00, 0x01, 0x00, 0x01, 0x41]);
    const l = await h.check([0x8d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, len.length, 0, 0], { dataOut: len });
    assert.deepEqual(l.field, [7, undefined]);
  });

  test('READ ATTRIBUTE for another partition is refused', async () => {
    const h = await createHarness();
    await h.load();
    const c = readAttr(0);
    c[7] = 1;
    assert.deepEqual((await h.check(c)).field, [7, undefined]);
  });
});

describe('REPORT SUPPORTED OPERATION CODES', () => {
  test('lists the SSC commands with the SPC ones', async () => {
    const h = await createHarness();
    const data = await h.good([0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0]);
    const ops = new Set<number>();
    for (let at = 4; at < 4 + data.readUInt32BE(0); at += 8 + ((data[at + 5] & 0x02) !== 0 ? 12 : 0)) ops.add(data[at]);
    for (const op of [0x00, 0x01, 0x04, 0x05, 0x08, 0x0a, 0x10, 0x11, 0x12, 0x13, 0x19, 0x1b, 0x2b, 0x34, 0x44, 0x80, 0x82, 0x88, 0x8a, 0x8c, 0x8d, 0x8f, 0x91, 0x92, 0xa2, 0xb5]) {
      assert.ok(ops.has(op), `opcode ${op.toString(16)}`);
    }
  });

  test('lists 64 command descriptors (SPC REPORT/SET TIMESTAMP, READ/WRITE BUFFER, FORMAT MEDIUM and SECURITY PROTOCOL IN/OUT included), 13 of them 16-byte CDBs (READ ATTRIBUTE once per service action)', async () => {
    const h = await createHarness();
    const data = await h.good([0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0]);
    const descriptors: number[][] = [];
    for (let at = 4; at < 4 + data.readUInt32BE(0); at += 8) descriptors.push([data[at], data.readUInt16BE(at + 6)]);
    assert.equal(descriptors.length, 64);
    const sixteen = descriptors.filter(([, length]) => length === 16).map(([op]) => op);
    assert.deepEqual(sixteen, [0x80, 0x82, 0x88, 0x8a, 0x8c, 0x8c, 0x8c, 0x8c, 0x8c, 0x8d, 0x8f, 0x91, 0x92]);
  });

  test('reports the CDB usage of SECURITY PROTOCOL IN and OUT: protocol, page and length, no INC_512', async () => {
    const h = await createHarness();
    for (const op of [0xa2, 0xb5]) {
      const data = await h.good([0xa3, 0x0c, 0x01, op, 0, 0, 0, 0, 0, 64, 0, 0]);
      assert.deepEqual([...data], [0, 0x03, 0, 12, op, 0xff, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00], op.toString(16));
    }
  });

  test('reports the 16-byte CDB usage of READ(16), WRITE(16), WRITE FILEMARKS(16) and VERIFY(16)', async () => {
    const h = await createHarness();
    // Byte 2 reserved, 3 PARTITION, 4-11 LOGICAL OBJECT IDENTIFIER, 12-14 length, 15 CONTROL (no bits used).
    const partition = [0xff];
    const identifier = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    const length = [0xff, 0xff, 0xff];
    const address = [0x00, ...partition, ...identifier, ...length, 0x00];
    for (const [op, flags] of [[0x80, 0x01], [0x88, 0x03], [0x8a, 0x01], [0x8f, 0x07]]) {
      const data = await h.good([0xa3, 0x0c, 0x01, op, 0, 0, 0, 0, 0, 64, 0, 0]);
      assert.deepEqual([...data], [0, 0x03, 0, 16, op, flags, ...address], op.toString(16));
    }
  });
});

describe('what Linux st sends', () => {
  test('MODE SENSE(6) page 00h with allocation 12 returns the header and block descriptor (st open)', async () => {
    const h = await createHarness();
    await h.load('A00001L8', { writeProtected: true });
    const data = await h.good([0x1a, 0, 0x00, 0, 12, 0]);
    assert.deepEqual([...data], [11, 0x88, 0x90, 8, 0x5e, 0, 0, 0, 0, 0, 0, 0]);
    const all = await h.good([0x1a, 0x08, 0x3f, 0, 255, 0]);
    assert.equal(all[0] + 1, all.length);
  });

  test('MTSETBLK: MODE SELECT(6) without PF of a header and block descriptor sets the block size', async () => {
    const h = await createHarness();
    await h.load();
    const list = Buffer.from([0, 0, 0x10, 8, 0x5e, 0, 0, 0, 0, 0, 0x80, 0x00]);
    await h.good([0x15, 0x00, 0, 0, 12, 0], { dataOut: list });
    assert.equal(h.drive.mode.blockLength, 0x8000);
  });
});
