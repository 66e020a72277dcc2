import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crc32c } from '../../crc32c.js';
import { reedSolomonCrc } from './logical-block-protection.js';
import { cdb, createHarness } from './testing/drive-harness.js';
import type { Harness } from './testing/drive-harness.js';

const HARDWARE_ERROR = 0x4;
const ILLEGAL_REQUEST = 0x5;

/** MODE SELECT(6) of page 0Ah/F0h with LBP METHOD, LBP INFORMATION LENGTH and the LBP_W / LBP_R byte. */
function selectLbp(method: number, length: number, flags: number): { cdb: number[]; dataOut: Buffer } {
  const page = Buffer.alloc(32);
  page[0] = 0x4a;
  page[1] = 0xf0;
  page.writeUInt16BE(28, 2);
  page[4] = method;
  page[5] = length;
  page[6] = flags;
  const list = Buffer.concat([Buffer.from([0, 0, 0x10, 0]), page]);
  return { cdb: [0x15, 0x10, 0, 0, list.length, 0], dataOut: list };
}

/** A block with its CRC32C after it, least significant byte first (as LTFS sends it). */
function protectedBlock(data: Buffer): Buffer {
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32c(data) >>> 0, 0);
  return Buffer.concat([data, crc]);
}

async function protectedDrive(flags = 0xc0, method = 0x02): Promise<Harness & { objects: () => Buffer[] }> {
  const h = await createHarness();
  const m = await h.load();
  const s = selectLbp(method, 4, flags);
  await h.good(s.cdb, { dataOut: s.dataOut });
  return Object.assign(h, { objects: () => m.objects.flatMap((o) => (o.kind === 'block' ? [o.data] : [])) });
}

describe('logical block protection (mode page 0Ah/F0h, CRC32C)', () => {
  test('MODE SENSE reports the method, length and LBP_W / LBP_R that MODE SELECT set', async () => {
    const h = await protectedDrive();
    const page = await h.good([0x1a, 0x08, 0x0a, 0xf0, 0xff, 0x00]);
    assert.deepEqual([...page.subarray(4, 11)], [0x4a, 0xf0, 0x00, 0x1c, 0x02, 0x04, 0xc0]);
  });

  test('a protected WRITE with the right CRC stores the block without it; READ returns it with its CRC', async () => {
    const h = await protectedDrive();
    const data = Buffer.from('protected record');
    await h.good(cdb.write6(data.length + 4), { dataOut: protectedBlock(data) });
    assert.deepEqual(h.objects(), [data]);
    await h.good(cdb.rewind());
    assert.deepEqual(await h.good(cdb.read6(data.length + 4)), protectedBlock(data));
  });

  test('a protected WRITE whose CRC does not match is HARDWARE ERROR 10/01 and writes nothing', async () => {
    const h = await protectedDrive();
    const bad = protectedBlock(Buffer.from('record'));
    bad[0] ^= 0xff;
    const s = await h.check(cdb.write6(bad.length), { dataOut: bad });
    assert.deepEqual([s.key, s.asc, s.ascq, s.information], [HARDWARE_ERROR, 0x10, 0x01, bad.length]);
    assert.deepEqual(h.objects(), []);
  });

  test('in fixed mode the block length includes the CRC; one bad block refuses the whole command', async () => {
    const h = await protectedDrive();
    const blockLength = 68;
    const list = Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0, blockLength]);
    await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
    const blocks = [Buffer.alloc(64, 1), Buffer.alloc(64, 2)].map(protectedBlock);
    await h.good(cdb.write6(2, true), { dataOut: Buffer.concat(blocks) });
    assert.equal(h.objects().length, 2);
    assert.equal(h.objects()[0].length, 64);
    const broken = Buffer.concat(blocks);
    broken[70] ^= 1;
    const s = await h.check(cdb.write6(2, true), { dataOut: broken });
    assert.deepEqual([s.key, s.asc, s.information], [HARDWARE_ERROR, 0x10, 2]);
    assert.equal(h.objects().length, 2);
    await h.good(cdb.rewind());
    assert.deepEqual(await h.good(cdb.read6(2, 0x01)), Buffer.concat(blocks));
  });

  test('LBP_R alone: writes are taken as they come, reads carry the CRC', async () => {
    const h = await protectedDrive(0x40);
    await h.good(cdb.write6(5), { dataOut: Buffer.from('plain') });
    await h.good(cdb.rewind());
    assert.deepEqual(await h.good(cdb.read6(9)), protectedBlock(Buffer.from('plain')));
  });

  test('the Reed-Solomon CRC (method 01h) is the GF(256) remainder, most significant byte first', async () => {
    // Independent values: one byte b gives b times the generator's coefficients, as the published encoder table of
    // LTFS lists them (FFh -> 763F76FFh, CCh -> CAC7CACCh, F0h -> 035E03F0h); no data gives 0.
    assert.equal(reedSolomonCrc(Buffer.from([0xff])), 0x763f76ff);
    assert.equal(reedSolomonCrc(Buffer.from([0xcc])), 0xcac7cacc);
    assert.equal(reedSolomonCrc(Buffer.from([0xf0])), 0x035e03f0);
    assert.equal(reedSolomonCrc(Buffer.alloc(0)), 0);
    // Linear code: the CRC of a XOR b is the XOR of their CRCs.
    const a = Buffer.from('abcdefgh');
    const b = Buffer.from('12345678');
    const x = Buffer.from(a.map((v, i) => v ^ b[i]));
    assert.equal(reedSolomonCrc(x), (reedSolomonCrc(a) ^ reedSolomonCrc(b)) >>> 0);
    const h = await protectedDrive(0xc0, 0x01);
    const data = Buffer.from('rs protected');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(reedSolomonCrc(data), 0);
    await h.good(cdb.write6(data.length + 4), { dataOut: Buffer.concat([data, crc]) });
    const bad = Buffer.concat([data, crc]);
    bad[bad.length - 1] ^= 1;
    assert.equal((await h.check(cdb.write6(bad.length), { dataOut: bad })).asc, 0x10);
    await h.good(cdb.rewind());
    assert.deepEqual(await h.good(cdb.read6(data.length + 4)), Buffer.concat([data, crc]));
  });

  test('another method, or a wrong information length, is refused at its byte', async () => {
    const h = await createHarness();
    await h.load();
    for (const [method, length, byte] of [[0x03, 4, 8], [0xff, 4, 8], [0x02, 0, 9], [0x01, 2, 9], [0x00, 4, 9]]) {
      const s = selectLbp(method, length, 0xc0);
      const r = await h.check(s.cdb, { dataOut: s.dataOut });
      assert.deepEqual([r.key, r.asc, r.field?.[0]], [ILLEGAL_REQUEST, 0x26, byte], `method ${method} length ${length}`);
    }
  });
});
