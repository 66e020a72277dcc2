// Idle copy (tape caching) against tgt: a cartridge a host wrote is copied once the library has been quiet for
// `copy.idleMinutes`; host I/O on another drive of the library pauses it at a checkpoint, and it goes on from that
// checkpoint (SPACE on tgt, which has no LOCATE), not from the beginning, once the library is quiet again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IscsiSession } from '../../src/initiator/iscsi-session.js';
import { PhysicalChanger } from '../../src/physical/changer.js';
import { PhysicalTapeDrive } from '../../src/physical/tape-drive.js';
import { holdTgtLibrary, tgtLibrary, TEST_INITIATOR } from './tgt-library.js';
import { copyJobs, makeRecords, readFromTgt, startStagedVtl, waitForJob, writeCartridge } from './staging-harness.js';

const tgt = tgtLibrary();
await holdTgtLibrary(tgt);

test('an idle copy starts after the idle time, pauses while a host writes on another drive, and goes on from where it stopped', async () => {
  // 3 s of quiet (a host WRITE counts when it is answered: on this shared machine one can take a second); no copy on
  // export (the cartridge goes back to its slot anyway).
  const vtl = await startStagedVtl(tgt, { idleMinutes: 0.05, onExport: false }, { driveCount: 2 });
  const host = new IscsiSession({ host: '127.0.0.1', port: vtl.server.options.iscsiPort, initiatorName: `${TEST_INITIATOR}-host`, targetName: vtl.iqn });
  try {
    // 160 MiB in 256 KiB records with a filemark every 64 records: long enough to be caught by the host's I/O.
    const records = makeRecords(Array.from({ length: 650 }, (_, i) => (i % 65 === 64 ? 0 : 262144)));
    await writeCartridge(vtl, 'P00006L8', records, 'slot');
    await vtl.server.api('POST', '/cartridges', { library: 'lib0', barcode: 'Q00009L8' });
    const running = await waitForJob(vtl, 'P00006L8', (j) => j.state === 'running' && j.phase === 'copy' && j.objectsCopied >= 8, 60_000);
    assert.equal(running.trigger, 'idle');

    // A host loads another cartridge into the second drive and writes: the copy pauses at its next object.
    const changer = new PhysicalChanger(host);
    const inv = await changer.inventory();
    const slot = inv.slots.find((s) => s.barcode === 'Q00009L8');
    assert.ok(slot);
    await changer.moveMedium(inv.transportAddress, slot.address, inv.drives[1].address);
    const drive = new PhysicalTapeDrive(host, inv.drives[1].lun ?? 2);
    await drive.waitReady();
    const block = Buffer.alloc(65536, 7);
    await drive.write(block);
    const paused = await waitForJob(vtl, 'P00006L8', (j) => j.state === 'paused');
    assert.equal(paused.phase, 'copy', 'paused during the copy phase');
    assert.ok(paused.objectsCopied > 0 && paused.objectsCopied < records.length, `paused at ${paused.objectsCopied}`);
    assert.match(paused.reason ?? '', /a host is doing I\/O on the library "lib0"/);
    // More host I/O keeps it paused where it stopped.
    for (let i = 0; i < 50; i++) await drive.write(block);
    const still = (await copyJobs(vtl)).find((j) => j.id === paused.id);
    assert.equal(still?.state, 'paused');
    assert.equal(still.objectsCopied, paused.objectsCopied);
    await drive.unload();
    await changer.moveMedium(inv.transportAddress, inv.drives[1].address, slot.address);

    // Quiet again: it goes on from the pause's checkpoint and completes, verified.
    const done = await waitForJob(vtl, 'P00006L8', (j) => j.state === 'done' || j.state === 'failed');
    assert.equal(done.state, 'done', done.reason);
    assert.equal(done.id, paused.id, 'the same job went on');
    assert.equal(done.resumedFromObjects, paused.objectsCopied, `resumed where it paused, not from the beginning\n${vtl.server.logTail(30)}`);
    assert.equal(done.objectsVerified, records.length);
    assert.match(vtl.server.logTail(400), /copy: paused for host I\/O/);
    const back = await readFromTgt(tgt, 'P00006L8');
    assert.equal(back.length, records.length);
    back.forEach((r, i) => assert.ok(r === 'FM' ? records[i] === 'FM' : records[i] !== 'FM' && r.equals(records[i]), `object ${i}`));
    // Q00009L8 was written too, but no physical library holds its barcode: no idle job for it.
    assert.equal((await copyJobs(vtl)).filter((j) => j.barcode === 'Q00009L8').length, 0);
  } finally {
    await host.close();
    await vtl.cleanup();
  }
});
