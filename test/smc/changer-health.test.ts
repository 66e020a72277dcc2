import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LibraryManager } from '../../src/library/library-manager.js';
import { silentLogger } from '../../src/log.js';
import { ChangerDevice } from '../../src/scsi/smc/changer-device.js';
import { changerHarness, nexus } from './changer-harness.js';
import type { ChangerHarness } from './changer-harness.js';

const UNIT_ATTENTION = 0x6;
const ILLEGAL_REQUEST = 0x5;
const TUR = [0x00, 0, 0, 0, 0, 0];
const openMailSlot = (address: number): number[] => [0x1b, 0x00, address >> 8, address & 0xff, 0x00, 0x00];
const closeMailSlot = (address: number): number[] => [0x1b, 0x00, address >> 8, address & 0xff, 0x01, 0x00];
const move = (src: number, dst: number): number[] => [0xa5, 0x00, 0x00, 0x00, src >> 8, src & 0xff, dst >> 8, dst & 0xff, 0x00, 0x00, 0x00, 0x00];

/** LOG SENSE page 2Eh: the numbers of the flags that are set. */
async function tapeAlerts(h: ChangerHarness): Promise<number[]> {
  const page = await h.good([0x4d, 0x00, 0x40 | 0x2e, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00]);
  const set: number[] = [];
  for (let at = 4; at < 4 + page.readUInt16BE(2); at += 5) if (page[at + 4] !== 0) set.push(page.readUInt16BE(at));
  return set;
}

/** MODE SELECT(6) of page 1Ch with the given byte 2 (DEXCPT, TEST) and MRIE. */
function selectIePage(flags: number, mrie: number): { cdb: number[]; data: Buffer } {
  const data = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x1c, 0x0a, flags, mrie, 0, 0, 0, 0, 0, 0, 0, 0]);
  return { cdb: [0x15, 0x10, 0x00, 0x00, data.length, 0x00], data };
}

describe('changer health: TapeAlert flags and informational exceptions', () => {
  let h: ChangerHarness;
  afterEach(() => h.close());

  test('an open mail slot sets TapeAlert flag 11h for as long as it is open, whatever reads the page', async () => {
    h = await changerHarness();
    assert.deepEqual(await tapeAlerts(h), []);
    await h.good(openMailSlot(0x0011));
    assert.deepEqual(await tapeAlerts(h), [0x11]);
    assert.deepEqual(await tapeAlerts(h), [0x11]);
    await h.good(closeMailSlot(0x0011));
    assert.deepEqual(await tapeAlerts(h), []);
  });

  test('a cartridge whose media file is missing sets flag 18h until a scan finds the file again', async () => {
    h = await changerHarness();
    const file = h.store.files.get('A00002L8');
    h.store.files.delete('A00002L8');
    await h.good([0x07, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert.deepEqual(await tapeAlerts(h), [0x18]);
    if (file) h.store.files.set('A00002L8', file);
    await h.good([0x07, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert.deepEqual(await tapeAlerts(h), []);
  });

  test('a drive that fails to load sets flag 01h once: reading the page clears it', async () => {
    h = await changerHarness();
    h.drives[1].failLoad = true;
    await h.check(move(0x1001, 0x0101), 0x3, 0x53, 0x00);
    assert.deepEqual(await tapeAlerts(h), [0x01]);
    assert.deepEqual(await tapeAlerts(h), []);
  });

  test('a drive element with no drive attached sets flag 16h', async () => {
    h = await changerHarness();
    // The changer of a library whose drives have not attached (yet): a second manager on the same catalog.
    const bare = new LibraryManager({ config: h.config, mediaStore: h.store, log: silentLogger(), catalogPath: h.catalogPath });
    await bare.start();
    const changer = new ChangerDevice({ manager: bare, library: 'lib0', log: silentLogger() });
    try {
      const flags = changer.health.takeAll();
      assert.deepEqual(flags.flatMap((on, i) => (on ? [i + 1] : [])), [0x16]);
    } finally {
      changer.close();
      bare.close();
    }
  });

  test('with MRIE 2h a new flag is a UNIT ATTENTION 5D/00 on every nexus; with DEXCPT=1 (the default) nothing is raised', async () => {
    h = await changerHarness();
    await h.run(TUR, { nexus: nexus(2) });
    await h.good(openMailSlot(0x0010));
    await h.good(TUR);
    await h.good(closeMailSlot(0x0010));
    const select = selectIePage(0x00, 0x02);
    const r = await h.run(select.cdb, { dataOut: select.data });
    assert.equal(r.status, 0);
    await h.check(TUR, UNIT_ATTENTION, 0x2a, 0x01, { nexus: nexus(2) }); // MODE PARAMETERS CHANGED
    await h.good(openMailSlot(0x0010));
    await h.check(TUR, UNIT_ATTENTION, 0x5d, 0x00);
    await h.check(TUR, UNIT_ATTENTION, 0x5d, 0x00, { nexus: nexus(2) });
    // The flag stays set while the slot is open, but it is not new: no second condition.
    await h.good(TUR);
  });

  test('with MRIE 6h the condition waits for REQUEST SENSE, which reports it once as NO SENSE 5D/00', async () => {
    h = await changerHarness();
    const select = selectIePage(0x00, 0x06);
    assert.equal((await h.run(select.cdb, { dataOut: select.data })).status, 0);
    await h.good(openMailSlot(0x0010));
    await h.good(TUR);
    const sense = await h.good([0x03, 0x00, 0x00, 0x00, 0xff, 0x00]);
    assert.deepEqual([sense[2] & 0x0f, sense[12], sense[13]], [0x0, 0x5d, 0x00]);
    const again = await h.good([0x03, 0x00, 0x00, 0x00, 0xff, 0x00]);
    assert.deepEqual([again[12], again[13]], [0x00, 0x00]);
  });

  test('TEST=1 makes a false condition (5D/FF); TEST with DEXCPT, or an MRIE the changer does not offer, is refused', async () => {
    h = await changerHarness();
    const test1 = selectIePage(0x04, 0x02);
    assert.equal((await h.run(test1.cdb, { dataOut: test1.data })).status, 0);
    await h.check(TUR, UNIT_ATTENTION, 0x5d, 0xff);
    const both = selectIePage(0x0c, 0x02);
    const s1 = await h.run(both.cdb, { dataOut: both.data });
    assert.deepEqual([s1.sense?.[2], s1.sense?.[12], s1.sense?.[15], s1.sense?.[17]], [ILLEGAL_REQUEST, 0x26, 0x8a, 6]);
    const mrie1 = selectIePage(0x00, 0x01);
    const s2 = await h.run(mrie1.cdb, { dataOut: mrie1.data });
    assert.deepEqual([s2.sense?.[2], s2.sense?.[12], s2.sense?.[17]], [ILLEGAL_REQUEST, 0x26, 7]);
  });

  test('with MRIE 4h the command during which a flag became set ends with RECOVERED ERROR 5D/00, once; with 5h NO SENSE', async () => {
    h = await changerHarness();
    const mrie4 = selectIePage(0x00, 0x04);
    assert.equal((await h.run(mrie4.cdb, { dataOut: mrie4.data })).status, 0);
    await h.check(openMailSlot(0x0010), 0x1, 0x5d, 0x00);
    assert.equal(h.manager.element('lib0', 0x0010).open, true, 'the command itself completed');
    await h.good(TUR);
    await h.good(closeMailSlot(0x0010));
    const mrie5 = selectIePage(0x00, 0x05);
    assert.equal((await h.run(mrie5.cdb, { dataOut: mrie5.data })).status, 0);
    await h.check(openMailSlot(0x0010), 0x0, 0x5d, 0x00);
    await h.good(TUR);
  });

  test('with MRIE 3h nothing is reported: the changer has no Read-Write Error Recovery page, so PER is 0', async () => {
    h = await changerHarness();
    const mrie3 = selectIePage(0x00, 0x03);
    assert.equal((await h.run(mrie3.cdb, { dataOut: mrie3.data })).status, 0);
    await h.good(openMailSlot(0x0010));
    await h.good(TUR);
  });

  test('an opened mail slot stays open across a restart', async () => {
    h = await changerHarness();
    await h.good(openMailSlot(0x0011));
    await h.restartChanger();
    assert.equal(h.manager.element('lib0', 0x0011).open, true);
    assert.equal(h.manager.element('lib0', 0x0010).open, false);
    await h.check(move(0x1000, 0x0011), ILLEGAL_REQUEST, 0x3b, 0x11);
    await h.good(closeMailSlot(0x0011));
    await h.restartChanger();
    assert.equal(h.manager.element('lib0', 0x0011).open, false);
  });

  test('an operator change to storage slots through the library raises UNIT ATTENTION 28/00; a host move does not', async () => {
    h = await changerHarness();
    await h.run(TUR, { nexus: nexus(2) });
    await h.manager.move('lib0', 0x1000, 0x1004);
    await h.check(TUR, UNIT_ATTENTION, 0x28, 0x00);
    await h.check(TUR, UNIT_ATTENTION, 0x28, 0x00, { nexus: nexus(2) });
    await h.manager.createCartridges({ library: 'lib0', barcodes: ['B00001L8'] });
    await h.check(TUR, UNIT_ATTENTION, 0x28, 0x00);
    await h.check(TUR, UNIT_ATTENTION, 0x28, 0x00, { nexus: nexus(2) });
    await h.good(move(0x1004, 0x1005));
    await h.good(TUR, { nexus: nexus(2) });
  });
});
