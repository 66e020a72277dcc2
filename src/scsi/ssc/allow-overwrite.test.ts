import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cdb, createHarness } from './testing/drive-harness.js';
import type { Harness } from './testing/drive-harness.js';

const DATA_PROTECT = 0x07;
const ILLEGAL_REQUEST = 0x05;

/** ALLOW OVERWRITE as SSC-4 lays it out: byte 2 low nibble the field, 3 PARTITION, 4-11 LOGICAL OBJECT IDENTIFIER. */
function allowOverwrite(field: number, objectId: number, partition = 0): number[] {
  return [0x82, 0, field, partition, 0, 0, 0, 0, 0, 0, 0, objectId, 0, 0, 0, 0];
}

/** Two records, append-only mode on (MODE SELECT page 10h/01h WRITE MODE 1h), rewound to the first. */
async function appendOnlyDrive(): Promise<Harness> {
  const h = await createHarness();
  await h.load();
  await h.good(cdb.write6(4), { dataOut: Buffer.alloc(4, 1) });
  await h.good(cdb.write6(4), { dataOut: Buffer.alloc(4, 2) });
  const page = Buffer.alloc(32);
  page[0] = 0x50;
  page[1] = 0x01;
  page.writeUInt16BE(28, 2);
  page[5] = 0x01;
  const list = Buffer.concat([Buffer.from([0, 0, 0x10, 0]), page]);
  await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
  await h.good(cdb.rewind());
  return h;
}

describe('ALLOW OVERWRITE', () => {
  test('in append-only mode it lets the next write overwrite at the current position, once', async () => {
    const h = await appendOnlyDrive();
    await h.good(cdb.locate10(1));
    await h.good(allowOverwrite(0x1, 1));
    await h.good(cdb.write6(4), { dataOut: Buffer.alloc(4, 9) });
    await h.good(cdb.locate10(1));
    assert.deepEqual(await h.good(cdb.read6(4)), Buffer.alloc(4, 9));
    await h.good(cdb.locate10(1));
    const s = await h.check(cdb.write6(4), { dataOut: Buffer.alloc(4, 8) });
    assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x50, 0x01], 'the permission was used up');
  });

  test('a permission does not carry to another position', async () => {
    const h = await appendOnlyDrive();
    await h.good(allowOverwrite(0x1, 0));
    await h.good(cdb.locate10(1));
    const s = await h.check(cdb.write6(4), { dataOut: Buffer.alloc(4, 9) });
    assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x50, 0x01]);
  });

  test('ALLOW OVERWRITE 0h cancels a permission', async () => {
    const h = await appendOnlyDrive();
    await h.good(allowOverwrite(0x1, 0));
    await h.good(allowOverwrite(0x0, 0));
    const s = await h.check(cdb.writeFilemarks(1));
    assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x50, 0x01]);
  });

  test('a position other than the current one is refused at byte 4, a partition other than the current one at byte 3, a reserved value at byte 2', async () => {
    const h = await appendOnlyDrive();
    const s = await h.check(allowOverwrite(0x1, 1));
    assert.deepEqual([s.key, s.asc, s.field], [ILLEGAL_REQUEST, 0x24, [4, undefined]]);
    assert.deepEqual((await h.check(allowOverwrite(0x3, 0))).field, [2, 3]);
    assert.deepEqual((await h.check(allowOverwrite(0x1, 0, 1))).field, [3, undefined]);
  });

  test('in append-only mode FORMAT MEDIUM needs ALLOW OVERWRITE 2h first (1h does not do)', async () => {
    const h = await appendOnlyDrive();
    const formatMedium = [0x04, 0, 0, 0, 0, 0];
    const s = await h.check(formatMedium);
    assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x50, 0x01]);
    await h.good(allowOverwrite(0x1, 0));
    assert.equal((await h.check(formatMedium)).asc, 0x50, 'a permission to overwrite at a position is not one to format');
    await h.good(allowOverwrite(0x2, 0));
    await h.good(formatMedium);
    assert.equal((await h.check(cdb.read6(4))).asc, 0x00, 'the cartridge is blank');
  });

  test('WRITE FILEMARKS(16) uses a permission as WRITE(6) does', async () => {
    const h = await appendOnlyDrive();
    await h.good(allowOverwrite(0x1, 0));
    await h.good([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    await h.good(cdb.rewind());
    const s = await h.check(cdb.read6(4));
    assert.equal(s.filemark, true);
  });
});
