// The SMC/SSC client (src/physical) against Debian's tgt: discovery maps drive elements to tape LUNs, MOVE MEDIUM
// loads a cartridge, records of exact sizes and filemarks read back as written, SPACE reaches a record by filemarks and blocks, and a
// cartridge too small for what is written reports early warning and then VOLUME OVERFLOW in words.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { IscsiSession } from '../../src/initiator/iscsi-session.js';
import { SpaceCode } from '../../src/physical/cdb.js';
import { PhysicalChanger } from '../../src/physical/changer.js';
import { PhysicalDeviceError } from '../../src/physical/physical-device-error.js';
import { PhysicalTapeDrive } from '../../src/physical/tape-drive.js';
import { holdTgtLibrary, tgtLibrary, TEST_INITIATOR } from './tgt-library.js';

const tgt = tgtLibrary();
await holdTgtLibrary(tgt);
const session = new IscsiSession({ host: tgt.host, port: tgt.port, initiatorName: TEST_INITIATOR, targetName: tgt.iqn });
const changer = new PhysicalChanger(session);
after(() => session.close());

async function loadInto(barcode: string, driveIndex: number): Promise<{ drive: PhysicalTapeDrive; home: number; address: number }> {
  const inv = await changer.inventory();
  const home = inv.slots.find((s) => s.barcode === barcode);
  assert.ok(home, `${barcode} is in a slot`);
  const d = inv.drives[driveIndex];
  await changer.moveMedium(inv.transportAddress, home.address, d.address);
  const drive = new PhysicalTapeDrive(session, d.lun ?? -1);
  await drive.waitReady();
  return { drive, home: home.address, address: d.address };
}

async function putBack(at: { drive: PhysicalTapeDrive; home: number; address: number }): Promise<void> {
  await at.drive.unload();
  const inv = await changer.inventory();
  await changer.moveMedium(inv.transportAddress, at.address, at.home);
}

test('discovery finds the changer, maps each drive element to its tape LUN, and reads the barcodes', async () => {
  const inv = await changer.inventory();
  assert.equal(inv.changerLun, 3);
  assert.deepEqual(inv.drives.map((d) => [d.address, d.lun]), [[256, 1], [257, 2]]);
  assert.equal(inv.mailSlots.length, 4);
  assert.ok(inv.slots.some((s) => s.barcode === 'P00013L8' && s.full));
});

test('records of exact sizes and filemarks read back as written; SPACE reaches a record by filemarks and blocks', async () => {
  const at = await loadInto('P00013L8', 0);
  const d = at.drive;
  const records = [1, 100, 65536, 300_000, 4].map((n) => randomBytes(n));
  await d.rewind();
  for (const r of records.slice(0, 3)) await d.write(r);
  await d.writeFilemarks(1);
  for (const r of records.slice(3)) await d.write(r);
  await d.writeFilemarks(1);
  // tgt answers READ POSITION with "location unknown" (LOLU): the client must say so rather than report block 0.
  assert.equal((await d.readPosition()).blockNumber, undefined);
  await d.rewind();
  const seen: string[] = [];
  for (;;) {
    const r = await d.read(1 << 20);
    if (r.kind === 'end-of-data') break;
    seen.push(r.kind === 'filemark' ? 'FM' : String(r.data.length));
    if (r.kind === 'block') assert.ok(records.some((x) => x.equals(r.data)));
  }
  assert.deepEqual(seen, ['1', '100', '65536', 'FM', '300000', '4', 'FM']);
  await d.rewind();
  await d.space(SpaceCode.FILEMARKS, 1);
  await d.space(SpaceCode.BLOCKS, 1);
  const next = await d.read(1 << 20);
  assert.ok(next.kind === 'block' && next.data.equals(records[4]));
  await putBack(at);
});

test('a cartridge too small for the data reports early warning with the write that reaches it', async () => {
  const at = await loadInto('S00001L8', 1);
  const d = at.drive;
  await d.rewind();
  let warnedAt = -1;
  for (let i = 0; i < 64 && warnedAt < 0; i++) if ((await d.write(Buffer.alloc(65536, i))).earlyWarning) warnedAt = i;
  // 1 MiB cartridge, 64 KiB records: tgt warns near its end (thin images grow past it instead of VOLUME OVERFLOW).
  assert.ok(warnedAt > 0 && warnedAt < 20, `early warning at record ${warnedAt}`);
  await putBack(at);
});

test('a command the drive refuses fails with its sense in words', async () => {
  const d = new PhysicalTapeDrive(session, 2);
  await assert.rejects(d.read(1024), (err: unknown) => err instanceof PhysicalDeviceError && /NOT READY: MEDIUM NOT PRESENT/.test(err.message));
});
