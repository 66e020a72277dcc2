import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cdb, createHarness } from './testing/drive-harness.js';
import type { Harness } from './testing/drive-harness.js';
import { RecordingProtection } from './testing/recording-protection.js';

// Hand-built CDBs and parameter lists (SSC-4 / SPC-4 layouts), independent of the decoders under test.
const formatMedium = (format: number, flags = 0): number[] => [0x04, flags, format, 0, 0, 0];
const modeSense11 = [0x1a, 0x08, 0x11, 0, 255, 0];
const modeSelect = (list: Buffer): number[] => [0x15, 0x10, 0, 0, list.length, 0];
const readPosition = (form: number): number[] => [0x34, form, 0, 0, 0, 0, 0, 0, 32, 0];
const locate10 = (partition: number, object: number): number[] => [0x2b, 0x02, 0, 0, 0, object >> 8, object & 0xff, 0, partition, 0];
const locate16 = (partition: number, object: number, destinationType = 0): number[] => [0x92, 0x02 | (destinationType << 3), 0, partition, 0, 0, 0, 0, 0, 0, object >> 8, object & 0xff, 0, 0, 0, 0];
const readAttribute = (action: number, partition: number, first = 0): number[] => [0x8c, action, 0, 0, 0, 0, 0, partition, first >> 8, first & 0xff, 0, 0, 0x10, 0, 0, 0];
const logSense = (page: number): number[] => [0x4d, 0, 0x40 | page, 0, 0, 0, 0, 0x10, 0, 0];

/** MODE SELECT(6) list: header (buffered mode 1, no block descriptor) + page 11h with `body` after its header. */
function page11(body: readonly number[]): Buffer {
  return Buffer.from([0, 0, 0x10, 0, 0x11, 0x0a, ...body]);
}
/** Two partitions, IDP, sizes in megabytes: partition 0 the rest, partition 1 `megabytes`. */
const twoPartitions = (megabytes: number): Buffer => page11([1, 1, 0x34, 0x03, 0, 0, 0xff, 0xff, megabytes >> 8, megabytes & 0xff]);

async function partitioned(megabytes = 100): Promise<Harness> {
  const h = await createHarness();
  await h.load('A00001L8', { capacityBytes: 1_000_000_000 });
  await h.good(modeSelect(twoPartitions(megabytes)), { dataOut: twoPartitions(megabytes) });
  await h.good(formatMedium(1));
  return h;
}

describe('mode page 11h and FORMAT MEDIUM', () => {
  test('MODE SELECT page 11h takes effect at FORMAT MEDIUM, which makes the two partitions it asks for', async () => {
    const h = await createHarness();
    const medium = await h.load('A00001L8', { capacityBytes: 1_000_000_000 });
    await h.good(modeSelect(twoPartitions(100)), { dataOut: twoPartitions(100) });
    assert.deepEqual([...(await h.good(modeSense11)).subarray(4)], [0x11, 0x0a, 1, 1, 0x34, 0x03, 0, 0, 0xff, 0xff, 0, 100], 'the selection is reported');
    assert.equal(medium.partitionCapacities().length, 1, 'POFM: nothing changes before FORMAT MEDIUM');
    await h.good(formatMedium(1));
    assert.deepEqual(medium.partitionCapacities().map((c) => c.capacityBytes), [900_000_000, 100_000_000]);
    // Now the cartridge's layout: IDP, sizes in megabytes.
    assert.deepEqual([...(await h.good(modeSense11)).subarray(4)], [0x11, 0x0a, 1, 1, 0x34, 0x03, 0, 0, 0x03, 0x84, 0, 100]);
    // Changeable: ADDITIONAL PARTITIONS DEFINED, FDP/SDP/IDP and PSUM, PARTITION UNITS, the sizes. Default: one partition.
    assert.deepEqual([...(await h.good([0x1a, 0x08, 0x51, 0, 255, 0])).subarray(4)], [0x11, 0x0a, 0, 0xff, 0xf8, 0, 0x0f, 0, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual([...(await h.good([0x1a, 0x08, 0x91, 0, 255, 0])).subarray(4)], [0x11, 0x0a, 1, 0, 0x14, 0x03, 0, 0, 0x03, 0xe8, 0, 0]);
  });

  test('the bytes Linux st sends for mt mkpartition 2000 (MODE SENSE, MODE SELECT of the edited page, FORMAT MEDIUM 1h) make partition 1 of 2 GB', async () => {
    const h = await createHarness();
    const medium = await h.load('A00001L8', { capacityBytes: 12e12 });
    // st reads page 11h with its block descriptor, then edits it as partition_tape() does for a POFM drive.
    const sense = await h.good([0x1a, 0x00, 0x11, 0, 255, 0]);
    const pgo = 4 + sense[3];
    assert.equal(sense[pgo + 4] & 0x1c, 0x1c, 'PSUM 11b and POFM offered');
    const list = Buffer.from(sense.subarray(0, pgo + 12));
    list[0] = 0;
    list[1] = 0;
    list[2] &= 0x7f;
    list[pgo] &= 0x3f;
    list.writeUInt16BE(0xffff, pgo + 8); // partition 0: the rest
    list.writeUInt16BE(2, pgo + 10); // partition 1: 2 x 10^9 bytes
    list[pgo + 3] = 1;
    list[pgo + 6] = 9;
    list[pgo + 7] = 0;
    list[pgo + 4] = 0x20 | 0x18 | (list[pgo + 4] & 0x07);
    list[pgo + 1] = 10;
    await h.good(modeSelect(list), { dataOut: list });
    await h.good(formatMedium(1));
    assert.deepEqual(medium.partitionCapacities().map((c) => c.capacityBytes), [12e12 - 2e9, 2e9]);
  });

  test('FDP (what mt mkpartition 1 sends) makes two partitions of equal size; FORMAT MEDIUM 0h makes one again', async () => {
    const h = await createHarness();
    const medium = await h.load('A00001L8', { capacityBytes: 1_000_000_000 });
    const fdp = page11([1, 1, 0x84, 0x03, 0, 0, 0, 1, 0, 0]);
    await h.good(modeSelect(fdp), { dataOut: fdp });
    await h.good(formatMedium(2));
    assert.deepEqual(medium.partitionCapacities().map((c) => c.capacityBytes), [500_000_000, 500_000_000]);
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10) });
    await h.good(cdb.rewind());
    await h.good(formatMedium(0, 0x01)); // IMMED: the next command waits for it
    await h.good(readPosition(0));
    assert.deepEqual(medium.partitionCapacities().map((c) => c.capacityBytes), [1_000_000_000]);
    assert.equal(medium.objects.length, 0, 'the default format erased the data');
  });

  test('MODE SELECT page 11h refuses what an LTO drive cannot honour, with a field pointer into the parameter list', async () => {
    const h = await createHarness();
    await h.load('A00001L8', { capacityBytes: 1_000_000_000 });
    const cases: [string, number[], number, number | undefined][] = [
      ['three partitions', [1, 2, 0x34, 0x03, 0, 0, 0xff, 0xff, 0, 1], 7, undefined],
      ['FDP and IDP together', [1, 1, 0xb4, 0x03, 0, 0, 0xff, 0xff, 0, 1], 8, 5],
      ['two partitions with no way to make them', [1, 1, 0x14, 0x03, 0, 0, 0xff, 0xff, 0, 1], 8, 7],
      ['sizes in bytes', [1, 1, 0x24, 0x03, 0, 0, 0xff, 0xff, 0, 1], 8, 4],
      ['units of 10^5 bytes', [1, 1, 0x3c, 0x03, 5, 0, 0xff, 0xff, 0, 1], 10, 3],
      ['a partition of size 0', [1, 1, 0x34, 0x03, 0, 0, 0xff, 0xff, 0, 0], 14, undefined],
      ['two partitions of the remaining capacity', [1, 1, 0x34, 0x03, 0, 0, 0xff, 0xff, 0xff, 0xff], 14, undefined],
      ['more than the cartridge holds', [1, 1, 0x34, 0x03, 0, 0, 0x03, 0xe8, 0, 1], 14, undefined],
      ['a changed MAXIMUM ADDITIONAL PARTITIONS', [3, 1, 0x34, 0x03, 0, 0, 0xff, 0xff, 0, 1], 6, 1],
      ['POFM cleared', [1, 1, 0x30, 0x03, 0, 0, 0xff, 0xff, 0, 1], 8, 2],
    ];
    for (const [what, body, byte, bit] of cases) {
      const s = await h.check(modeSelect(page11(body)), { dataOut: page11(body) });
      assert.deepEqual([s.key, s.asc, s.ascq, s.field?.[0], s.field?.[1]], [0x5, 0x26, 0x00, byte, bit], what);
    }
  });

  test('FORMAT MEDIUM is refused away from the beginning of partition 0, on WORM and write-protected cartridges, and for reserved fields', async () => {
    const h = await partitioned();
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10) });
    const past = await h.check(formatMedium(0));
    assert.deepEqual([past.key, past.asc, past.ascq], [0x5, 0x3b, 0x0c]);
    await h.good(locate10(1, 0));
    const inOne = await h.check(formatMedium(0, 0x01));
    assert.deepEqual([inOne.key, inOne.asc, inOne.ascq], [0x5, 0x3b, 0x0c], 'the beginning of partition 1 is not BOP 0, also with IMMED');
    await h.good(cdb.rewind());
    const reserved = await h.check(formatMedium(3));
    assert.deepEqual([reserved.key, reserved.asc, reserved.field?.[0], reserved.field?.[1]], [0x5, 0x24, 2, 3]);
    const length = await h.check([0x04, 0, 0, 0, 1, 0]);
    assert.deepEqual([length.key, length.asc, length.field?.[0]], [0x5, 0x24, 4]);

    const worm = await createHarness();
    await worm.load('W00001LY', { worm: true });
    const w = await worm.check(formatMedium(0));
    assert.deepEqual([w.key, w.asc, w.ascq], [0x7, 0x30, 0x0c]);
    const protectedDrive = await createHarness();
    await protectedDrive.load('P00001L8', { writeProtected: true });
    const p = await protectedDrive.check(formatMedium(0));
    assert.deepEqual([p.key, p.asc, p.ascq], [0x7, 0x27, 0x00]);
  });

  test('on a retention-locked cartridge FORMAT MEDIUM is refused with 27/06 and recorded, and the data stays', async () => {
    const protection = new RecordingProtection();
    protection.lock('A00001L8');
    const h = await createHarness({ protection });
    const medium = await h.load('A00001L8');
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10) });
    await h.good(cdb.rewind());
    for (const flags of [0, 0x01]) {
      const s = await h.check(formatMedium(0, flags));
      assert.deepEqual([s.key, s.asc, s.ascq], [0x7, 0x27, 0x06]);
    }
    assert.equal(medium.objects.length, 1);
    assert.deepEqual(protection.records.map((r) => [r.kind, r.outcome]), [['scsi.format-medium', 'refused'], ['scsi.format-medium', 'refused']]);
  });
});

describe('partitioned positioning', () => {
  test('READ POSITION reports the partition in its short, long and extended forms; LOCATE(10) with CP changes it', async () => {
    const h = await partitioned();
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 1) });
    await h.good(locate10(1, 0));
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 2) });
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 3) });
    const short = await h.good(readPosition(0));
    assert.deepEqual([short[1], short.readUInt32BE(4), short.readUInt32BE(8)], [1, 2, 2]);
    const long = await h.good(readPosition(6));
    assert.deepEqual([long.readUInt32BE(4), Number(long.readBigUInt64BE(8))], [1, 2]);
    const extended = await h.good(readPosition(8));
    assert.deepEqual([extended[1], Number(extended.readBigUInt64BE(8))], [1, 2]);
    // End of data is the partition's own: partition 0 still holds one block.
    await h.good(locate16(0, 0, 3));
    const p0 = await h.good(readPosition(6));
    assert.deepEqual([p0.readUInt32BE(4), Number(p0.readBigUInt64BE(8))], [0, 1]);
    const beyond = await h.check(locate10(0, 5));
    assert.deepEqual([beyond.key, beyond.asc, beyond.ascq], [0x8, 0x00, 0x05], 'past end of data of partition 0');
  });

  test('LOCATE(16) with CP reads the other partition; REWIND goes to the beginning of partition 0', async () => {
    const h = await partitioned();
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 1) });
    await h.good(locate16(1, 0));
    await h.good(cdb.write6(10), { dataOut: Buffer.alloc(10, 2) });
    await h.good(cdb.writeFilemarks(1));
    await h.good(locate16(1, 0));
    assert.deepEqual([...(await h.good(cdb.read6(10)))], new Array<number>(10).fill(2));
    const fm = await h.check(cdb.read6(10));
    assert.deepEqual([fm.filemark, fm.asc, fm.ascq], [true, 0x00, 0x01]);
    await h.good(cdb.rewind());
    const at = await h.good(readPosition(0));
    assert.deepEqual([at[0] & 0x80, at[1], at.readUInt32BE(4)], [0x80, 0, 0]);
    assert.deepEqual([...(await h.good(cdb.read6(10)))], new Array<number>(10).fill(1));
  });

  test('READ(16) reads from the partition it names; WRITE(16) naming another partition than the current one is refused', async () => {
    const h = await partitioned();
    const cdb16 = (op: number, partition: number, object: number, length: number): number[] => [op, 0, 0, partition, 0, 0, 0, 0, 0, 0, 0, object, 0, 0, length, 0];
    await h.good(cdb16(0x8a, 0, 0, 10), { dataOut: Buffer.alloc(10, 5) });
    const elsewhere = await h.check(cdb16(0x8a, 1, 0, 10), { dataOut: Buffer.alloc(10, 6) });
    assert.deepEqual([elsewhere.key, elsewhere.asc, elsewhere.field?.[0]], [0x5, 0x24, 3]);
    await h.good(locate10(1, 0));
    await h.good(cdb16(0x8a, 1, 0, 10), { dataOut: Buffer.alloc(10, 6) });
    assert.deepEqual([...(await h.good(cdb16(0x88, 0, 0, 10)))], new Array<number>(10).fill(5), 'READ(16) went to partition 0');
    assert.equal((await h.good(readPosition(0)))[1], 0);
    const none = await h.check(cdb16(0x88, 2, 0, 10));
    assert.deepEqual([none.key, none.asc, none.field?.[0]], [0x5, 0x24, 3]);
  });

  test('LOCATE with CP to a partition the cartridge does not have is refused with INVALID FIELD IN CDB on PARTITION', async () => {
    const h = await createHarness();
    await h.load();
    const ten = await h.check(locate10(1, 0));
    assert.deepEqual([ten.key, ten.asc, ten.field?.[0]], [0x5, 0x24, 8]);
    const sixteen = await h.check([...locate16(2, 0).slice(0, 1), 0x03, ...locate16(2, 0).slice(2)]);
    assert.deepEqual([sixteen.key, sixteen.asc, sixteen.field?.[0]], [0x5, 0x24, 3], 'also with IMMED');
  });

  test('READ ATTRIBUTE reports the capacity of the partition asked; PARTITION LIST counts two; a third is refused', async () => {
    const h = await partitioned();
    const capacityOf = async (partition: number): Promise<number[]> => {
      const data = await h.good(readAttribute(0, partition));
      // 0000h REMAINING CAPACITY IN PARTITION then 0001h MAXIMUM CAPACITY IN PARTITION, 8 bytes each, in MiB.
      assert.deepEqual([data.readUInt16BE(4), data.readUInt16BE(17)], [0x0000, 0x0001]);
      return [Number(data.readBigUInt64BE(9)), Number(data.readBigUInt64BE(22))];
    };
    assert.deepEqual(await capacityOf(0), [858, 858]);
    assert.deepEqual(await capacityOf(1), [95, 95]);
    assert.deepEqual([...(await h.good(readAttribute(3, 0)))], [0, 2, 0, 2]);
    const third = await h.check(readAttribute(0, 2));
    assert.deepEqual([third.key, third.asc, third.field?.[0]], [0x5, 0x24, 7]);
  });

  test('log pages 17h and 31h report the capacity of each partition in megabytes', async () => {
    const h = await partitioned();
    await h.good(locate10(1, 0));
    await h.good(cdb.write6(2_000_000), { dataOut: Buffer.alloc(2_000_000) });
    const page = await h.good(logSense(0x17));
    const parameters = new Map<number, Buffer>();
    for (let at = 4; at < 4 + page.readUInt16BE(2); at += 4 + page[at + 3]) parameters.set(page.readUInt16BE(at), page.subarray(at + 4, at + 4 + page[at + 3]));
    const records = (code: number): number[][] => {
      const v = parameters.get(code)!;
      const out: number[][] = [];
      for (let at = 0; at < v.length; at += v[at] + 1) out.push([v[at], v.readUInt16BE(at + 2), v.readUInt32BE(at + 4)]);
      return out;
    };
    assert.deepEqual(records(0x0202), [[7, 0, 900], [7, 1, 100]]);
    assert.deepEqual(records(0x0203), [[7, 0, 0], [7, 1, 2]]);
    assert.deepEqual(records(0x0204), [[7, 0, 900], [7, 1, 98]]);
    const capacity = await h.good(logSense(0x31));
    assert.deepEqual([1, 2, 3, 4].map((i) => capacity.readUInt32BE(8 * i)), [900, 98, 900, 100]);
  });
});
