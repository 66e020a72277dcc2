import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cdb, createHarness, nexus } from './testing/drive-harness.js';
import type { Harness } from './testing/drive-harness.js';

/** MODE SELECT(6) of page 10h/01h with PROGRAMMABLE EARLY WARNING SIZE `megabytes`. */
async function selectPews(h: Harness, megabytes: number): Promise<void> {
  const page = Buffer.alloc(32);
  page[0] = 0x50;
  page[1] = 0x01;
  page.writeUInt16BE(28, 2);
  page.writeUInt16BE(megabytes, 6);
  const list = Buffer.concat([Buffer.from([0, 0, 0x10, 0]), page]);
  await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
}

/** A 10 MB cartridge whose early warning starts 1 MB before the end. */
async function smallCartridge(): Promise<Harness> {
  const h = await createHarness();
  h.store.earlyWarningBytes = 1_000_000;
  await h.store.create({ barcode: 'P00001L8', generation: 8, worm: false, capacityBytes: 10_000_000 });
  await h.load('P00001L8');
  return h;
}

describe('programmable early warning (mode page 10h/01h PEWS)', () => {
  test('the write that enters the zone PEWS megabytes before early warning ends with NO SENSE, EOM and 00/07, once', async () => {
    const h = await smallCartridge();
    await selectPews(h, 2);
    const page = await h.good([0x1a, 0x08, 0x10, 0x01, 0xff, 0x00]);
    assert.equal(page.readUInt16BE(4 + 6), 2);
    await h.good(cdb.write6(6_000_000), { dataOut: Buffer.alloc(6_000_000) });
    // Remaining 4 MB: 1.5 MB more leaves 2.5 MB, inside the 2 MB zone before the 1 MB early warning.
    const s = await h.check(cdb.write6(1_500_000), { dataOut: Buffer.alloc(1_500_000) });
    assert.deepEqual([s.key, s.asc, s.ascq, s.eom, s.information], [0x0, 0x00, 0x07, true, 0]);
    await h.good(cdb.write6(1_000), { dataOut: Buffer.alloc(1_000) });
    const f = await h.good([0x10, 0x00, 0, 0, 1, 0]);
    assert.equal(f.length, 0);
    // Early warning itself still comes at its own point.
    const e = await h.check(cdb.write6(1_600_000), { dataOut: Buffer.alloc(1_600_000) });
    assert.deepEqual([e.asc, e.ascq, e.eom], [0x00, 0x02, true]);
  });

  test('PEWS 0 (the default, and after a logical unit reset) reports no programmable early warning', async () => {
    const h = await smallCartridge();
    await selectPews(h, 2);
    h.unit.handleEvent({ kind: 'logical-unit-reset', lun: 1, by: nexus(1) });
    await h.run(cdb.testUnitReady());
    const page = await h.good([0x1a, 0x08, 0x10, 0x01, 0xff, 0x00]);
    assert.equal(page.readUInt16BE(4 + 6), 0);
    await h.good(cdb.write6(7_500_000), { dataOut: Buffer.alloc(7_500_000) });
  });

  test('a write that crosses both the zone and early warning reports programmable early warning first, early warning on the next write', async () => {
    const h = await smallCartridge();
    await selectPews(h, 2);
    await h.good(cdb.write6(6_000_000), { dataOut: Buffer.alloc(6_000_000) });
    // Remaining 4 MB: 3.5 MB more leaves 0.5 MB, past the 1 MB early warning and through the whole zone.
    const p = await h.check(cdb.write6(3_500_000), { dataOut: Buffer.alloc(3_500_000) });
    assert.deepEqual([p.key, p.asc, p.ascq, p.eom], [0x0, 0x00, 0x07, true]);
    const e = await h.check(cdb.write6(1_000), { dataOut: Buffer.alloc(1_000) });
    assert.deepEqual([e.key, e.asc, e.ascq, e.eom], [0x0, 0x00, 0x02, true]);
  });

  test('PEWS set while the position is already in the zone: the next write reports it, once; a rewind and overwrite re-arm it', async () => {
    const h = await smallCartridge();
    await h.good(cdb.write6(7_500_000), { dataOut: Buffer.alloc(7_500_000) });
    await selectPews(h, 2);
    const p = await h.check(cdb.write6(1_000), { dataOut: Buffer.alloc(1_000) });
    assert.deepEqual([p.asc, p.ascq, p.eom], [0x00, 0x07, true]);
    await h.good(cdb.write6(1_000), { dataOut: Buffer.alloc(1_000) });
    await h.good([0x01, 0, 0, 0, 0, 0]); // REWIND
    await h.good(cdb.write6(1_000), { dataOut: Buffer.alloc(1_000) });
    await h.good(cdb.write6(6_000_000), { dataOut: Buffer.alloc(6_000_000) });
    const again = await h.check(cdb.write6(1_500_000), { dataOut: Buffer.alloc(1_500_000) });
    assert.deepEqual([again.asc, again.ascq], [0x00, 0x07]);
  });
});
