// Release to a stub and recall, against tgt: after a verified copy with copy.release, the disk copy is deleted and a
// stub kept (the cartridge stays in the catalog with its retention lock, `vtl tape list` says released); a host's
// MOVE MEDIUM of the cartridge into a drive recalls it from the tgt cartridge (the drive answers NOT READY 04/01
// meanwhile) and the host reads back what it wrote. A recall that fails keeps the stub and says why.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { IscsiSession } from '../../src/initiator/iscsi-session.js';
import { PhysicalChanger } from '../../src/physical/changer.js';
import { decodeSense } from '../../src/physical/sense-words.js';
import { PhysicalTapeDrive } from '../../src/physical/tape-drive.js';
import { runCli } from '../management/run-cli.js';
import { holdTgtLibrary, tgtLibrary, TEST_INITIATOR } from './tgt-library.js';
import { makeRecords, startStagedVtl, waitForJob, writeAndExport, type StagedVtl } from './staging-harness.js';

const tgt = tgtLibrary();
await holdTgtLibrary(tgt);
let vtl: StagedVtl;
before(async () => {
  vtl = await startStagedVtl(tgt, { release: 'release' });
});
after(() => vtl.cleanup());

interface CartridgeView {
  releasedTo?: string;
  loadError?: string;
  location: { kind: string };
}

/** Every file under the data folder whose name has the barcode (the cartridge's media). */
async function mediaFiles(barcode: string): Promise<string[]> {
  const all = await readdir(vtl.server.options.dataDir, { recursive: true });
  return all.filter((f) => f.includes(barcode));
}

/** The host's view: MOVE MEDIUM from the mail slot into the first drive, with TEST UNIT READY polled meanwhile. */
async function loadFromMailSlot(host: IscsiSession, barcode: string): Promise<{ moved: Promise<void>; senses: Promise<string[]>; drive: PhysicalTapeDrive }> {
  const changer = new PhysicalChanger(host);
  const inv = await changer.inventory();
  const mail = inv.mailSlots.find((m) => m.barcode === barcode);
  assert.ok(mail, `${barcode} is in a mail slot of vtl`);
  const lun = inv.drives[0].lun ?? 1;
  let done = false;
  const moved = changer.moveMedium(inv.transportAddress, mail.address, inv.drives[0].address).finally(() => (done = true));
  const senses = (async () => {
    const seen: string[] = [];
    while (!done) {
      const r = await host.execute({ lun, cdb: Buffer.alloc(6) });
      const s = r.sense ? decodeSense(r.sense) : undefined;
      if (s) seen.push(`${s.key}/${s.asc.toString(16)}/${s.ascq.toString(16)}`);
    }
    return seen;
  })();
  return { moved, senses, drive: new PhysicalTapeDrive(host, lun) };
}

/** Unloads the first drive and puts its cartridge in a free slot (no export). */
async function putAway(host: IscsiSession, drive: PhysicalTapeDrive): Promise<void> {
  await drive.unload();
  const changer = new PhysicalChanger(host);
  const inv = await changer.inventory();
  const free = inv.slots.find((x) => !x.full);
  assert.ok(free);
  await changer.moveMedium(inv.transportAddress, inv.drives[0].address, free.address);
}

test('a verified copy with release keeps a stub with its retention lock, and a host load recalls the records, NOT READY 04/01 meanwhile', async () => {
  const records = makeRecords([...Array.from({ length: 120 }, (_, i) => (i % 40 === 39 ? 0 : 262144)), 1, 0]);
  await writeAndExport(vtl, 'P00007L8', records);
  await vtl.server.api('POST', '/cartridges/P00007L8/retention', { mode: 'governance', days: 2 });
  const job = await waitForJob(vtl, 'P00007L8', (j) => j.state === 'done' || j.state === 'failed');
  assert.equal(job.state, 'done', job.reason);
  const released = await waitForJob(vtl, 'P00007L8', (j) => j.releasedAt !== undefined || (j.reason ?? '').includes('not released'));
  assert.ok(released.releasedAt, released.reason);

  const stub = (await vtl.server.api('GET', '/cartridges/P00007L8')) as CartridgeView;
  assert.equal(stub.releasedTo, 'tgt');
  assert.deepEqual(await mediaFiles('P00007L8'), [], 'the disk copy is gone');
  const lock = (await vtl.server.api('GET', '/cartridges/P00007L8/retention')) as { locked: boolean; mode: string };
  assert.equal(lock.locked, true, 'the stub keeps its retention lock');
  const env = { VTL_API: `http://127.0.0.1:${vtl.server.options.apiPort}`, VTL_TOKEN: readFileSync(join(vtl.server.options.dataDir, 'api-token'), 'utf8').trim() };
  const list = await runCli(['tape', 'list'], env);
  assert.match(list.stdout, /P00007L8.*released to tgt/);
  // Deleting a released cartridge is refused like any locked one: the stub stays.
  await assert.rejects(vtl.server.api('DELETE', '/cartridges/P00007L8'));

  const host = new IscsiSession({ host: '127.0.0.1', port: vtl.server.options.iscsiPort, initiatorName: `${TEST_INITIATOR}-host`, targetName: vtl.iqn });
  try {
    const { moved, senses, drive } = await loadFromMailSlot(host, 'P00007L8');
    await moved.catch((err: unknown) => assert.fail(`${String(err)}\n${vtl.server.logTail(15)}`));
    assert.ok((await senses).includes('2/4/1'), `NOT READY 04/01 while recalling: ${(await senses).join(' ')}`);
    await drive.waitReady();
    await drive.rewind();
    for (const [i, want] of records.entries()) {
      const got = await drive.read(8 * 1024 * 1024);
      if (want === 'FM') assert.equal(got.kind, 'filemark', `object ${i}`);
      else assert.ok(got.kind === 'block' && got.data.equals(want), `object ${i}`);
    }
    assert.equal((await drive.read(1)).kind, 'end-of-data');
    const back = (await vtl.server.api('GET', '/cartridges/P00007L8')) as CartridgeView;
    assert.equal(back.releasedTo, undefined, 'recalled: no longer a stub');
    assert.ok((await mediaFiles('P00007L8')).length > 0, 'the disk copy is back');
    assert.match(vtl.server.logTail(200), /recall: done/);
    await putAway(host, drive);
  } finally {
    await host.close();
  }
});

test('a recall that fails (tgt cannot open the physical cartridge) keeps the stub, and the load fails with the sense in words', async () => {
  const records = makeRecords([65536, 0, 1000]);
  await writeAndExport(vtl, 'P00008L8', records);
  await waitForJob(vtl, 'P00008L8', (j) => j.releasedAt !== undefined || j.state === 'failed');
  const host = new IscsiSession({ host: '127.0.0.1', port: vtl.server.options.iscsiPort, initiatorName: `${TEST_INITIATOR}-host`, targetName: vtl.iqn });
  try {
    // tgt's media file moved away: its changer refuses to load the cartridge into a drive.
    const file = join(tgt.mediaDir, 'P00008L8');
    await rename(file, `${file}.away`);
    const { moved, senses } = await loadFromMailSlot(host, 'P00008L8');
    await assert.rejects(moved);
    await senses;
    const stub = (await vtl.server.api('GET', '/cartridges/P00008L8')) as CartridgeView;
    assert.equal(stub.releasedTo, 'tgt', 'the stub is untouched');
    assert.equal(stub.location.kind, 'mailslot', 'the cartridge stays in its mail slot');
    assert.match(stub.loadError ?? '', /recall of P00008L8 from the physical library "tgt" failed: MOVE MEDIUM failed: [A-Z ]+: .* \(\w\w \w\w\/\w\w\)/);
    assert.deepEqual(await mediaFiles('P00008L8'), [], 'nothing of the failed recall is left');

    // With the file back, the same load recalls it.
    await rename(`${file}.away`, file);
    const again = await loadFromMailSlot(host, 'P00008L8');
    await again.moved;
    await again.senses;
    await again.drive.waitReady();
    await again.drive.rewind();
    const first = await again.drive.read(1 << 20);
    assert.ok(first.kind === 'block' && records[0] !== 'FM' && first.data.equals(records[0]));
    assert.equal(((await vtl.server.api('GET', '/cartridges/P00008L8')) as CartridgeView).releasedTo, undefined);
    await putAway(host, again.drive);
  } finally {
    await host.close();
  }
});
