// Copy jobs under faults: vtl SIGKILLed in the middle of a copy resumes from its checkpoint after the restart and
// leaves a correct physical cartridge; an unreachable physical library makes the job retry, then fail with the
// connection error; a host loading the cartridge mid-copy stops the job until the cartridge is out of the drive.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { IscsiSession } from '../../src/initiator/iscsi-session.js';
import { PhysicalChanger } from '../../src/physical/changer.js';
import { PhysicalTapeDrive } from '../../src/physical/tape-drive.js';
import { holdTgtLibrary, tgtLibrary, TEST_INITIATOR } from './tgt-library.js';
import { makeRecords, readFromTgt, startStagedVtl, waitForJob, writeAndExport } from './staging-harness.js';

const tgt = tgtLibrary();
await holdTgtLibrary(tgt);

test('vtl killed in the middle of a copy resumes from its checkpoint and the physical cartridge is exact', async () => {
  const vtl = await startStagedVtl(tgt);
  try {
    // 240 records of 256 KiB with filemarks between groups: checkpoints every MiB, 60 MiB in all.
    const sizes = Array.from({ length: 250 }, (_, i) => (i % 25 === 24 ? 0 : 262144));
    const records = makeRecords(sizes);
    await writeAndExport(vtl, 'P00002L8', records);
    const midway = await waitForJob(vtl, 'P00002L8', (j) => j.state === 'running' && j.phase === 'copy' && j.objectsCopied >= 12, 60_000);
    await vtl.server.kill();
    assert.ok(midway.objectsCopied < records.length, 'killed before the copy ended');
    await vtl.server.start();
    const resumed = await waitForJob(vtl, 'P00002L8', (j) => j.state === 'done' || j.state === 'failed');
    assert.equal(resumed.state, 'done', resumed.reason);
    assert.equal(resumed.id, midway.id, 'the same job resumed');
    // It went on from a checkpoint (every 4 records of 256 KiB), not from the beginning: also when the kill came right
    // after a checkpoint, where tgt's tape ends and its SPACE onto end of data reports END OF DATA.
    assert.ok(!vtl.server.logTail(400).includes('copied again from the beginning'), vtl.server.logTail(40));
    assert.ok((resumed.resumedFromObjects ?? 0) > 0 && (resumed.resumedFromObjects ?? 0) <= midway.objectsCopied, `resumed from ${resumed.resumedFromObjects}`);
    assert.equal(resumed.objectsVerified, records.length);
    const back = await readFromTgt(tgt, 'P00002L8');
    assert.equal(back.length, records.length);
    back.forEach((r, i) => assert.ok(r === 'FM' ? records[i] === 'FM' : records[i] !== 'FM' && r.equals(records[i]), `object ${i}`));
  } finally {
    await vtl.cleanup();
  }
});

test('an unreachable physical library makes the job retry, then fail with the connection error', async () => {
  // A port that was just closed: connections to it are refused.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
  const vtl = await startStagedVtl({ portal: `127.0.0.1:${port}`, iqn: tgt.iqn }, { maxAttempts: 2 });
  try {
    await vtl.server.api('POST', '/cartridges', { library: 'lib0', barcode: 'P00003L8' });
    await vtl.server.api('POST', '/cartridges/P00003L8/copy', {});
    const retrying = await waitForJob(vtl, 'P00003L8', (j) => j.state === 'queued' && j.attempts === 1);
    assert.match(retrying.reason ?? '', /attempt 1 of 2 failed: cannot connect to 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    const failed = await waitForJob(vtl, 'P00003L8', (j) => j.state === 'failed');
    assert.match(failed.reason ?? '', /gave up after 2 attempts: cannot connect .*ECONNREFUSED/);
    const libs = (await vtl.server.api('GET', '/physical-libraries')) as { name: string; connected: boolean; lastError?: string }[];
    assert.equal(libs[0].connected, false);
    assert.match(libs[0].lastError ?? '', /ECONNREFUSED/);
  } finally {
    await vtl.cleanup();
  }
});

test('a host loading the virtual cartridge during its copy stops the job, which copies it again once it is back', async () => {
  const vtl = await startStagedVtl(tgt);
  const session = new IscsiSession({ host: '127.0.0.1', port: vtl.server.options.iscsiPort, initiatorName: `${TEST_INITIATOR}-host`, targetName: vtl.iqn });
  try {
    const records = makeRecords(Array.from({ length: 160 }, () => 262144));
    await writeAndExport(vtl, 'P00004L8', records);
    await waitForJob(vtl, 'P00004L8', (j) => j.state === 'running' && j.objectsCopied > 4, 60_000);
    const changer = new PhysicalChanger(session);
    const inv = await changer.inventory();
    const mail = inv.mailSlots.find((m) => m.barcode === 'P00004L8');
    assert.ok(mail);
    await changer.moveMedium(inv.transportAddress, mail.address, inv.drives[0].address);
    const stopped = await waitForJob(vtl, 'P00004L8', (j) => j.state === 'waiting');
    assert.match(stopped.reason ?? '', /a host loaded the virtual cartridge P00004L8 during the copy/);
    assert.equal(stopped.objectsCopied, 0, 'the checkpoint is dropped: the drive may have changed the cartridge');
    await new PhysicalTapeDrive(session, inv.drives[0].lun ?? 1).unload();
    await changer.moveMedium(inv.transportAddress, inv.drives[0].address, mail.address);
    const done = await waitForJob(vtl, 'P00004L8', (j) => j.state === 'done' || j.state === 'failed');
    assert.equal(done.state, 'done', done.reason);
    assert.equal(done.objectsVerified, records.length);
  } finally {
    await session.close();
    await vtl.cleanup();
  }
});
