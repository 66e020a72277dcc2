// Copy jobs under faults: vtl SIGKILLed in the middle of a copy resumes from its checkpoint after the restart and
// leaves a correct physical cartridge, also when the job list was saved between two checkpoints; an unreachable physical library makes the job retry, then fail with the
// connection error; a host loading the cartridge mid-copy stops the job until the cartridge is out of the drive.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { IscsiSession } from '../../src/initiator/iscsi-session.js';
import { PhysicalChanger } from '../../src/physical/changer.js';
import type { CopyJob } from '../../src/physical/copy-job-store.js';
import { PhysicalTapeDrive } from '../../src/physical/tape-drive.js';
import { startTcpProxy } from '../library/catalog-tcp-proxy.js';
import { holdTgtLibrary, tgtLibrary, TEST_INITIATOR } from './tgt-library.js';
import { copyJobs, makeRecords, readFromTgt, startStagedVtl, waitForJob, writeAndExport, type StagedVtl } from './staging-harness.js';

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

/** The copy job of `barcode` as vtl last saved it (copy-jobs.json in its data folder). */
async function savedJob(vtl: StagedVtl, barcode: string): Promise<CopyJob> {
  const { jobs } = JSON.parse(await readFile(join(vtl.dir, 'data', 'copy-jobs.json'), 'utf8')) as { jobs: CopyJob[] };
  const job = jobs.findLast((j) => j.barcode === barcode);
  assert.ok(job, `a saved job for ${barcode}`);
  return job;
}

test('a job-list save between two checkpoints stores the checkpoint, not what the drive acknowledged since, and the copy resumes there after a kill', async () => {
  // tgt behind a proxy that SIGSTOP freezes: the drive then acknowledges nothing more, so the copy's progress stands
  // still while another job's creation saves the whole job list.
  const proxy = await startTcpProxy(tgt.port);
  const vtl = await startStagedVtl({ portal: `127.0.0.1:${proxy.port}`, iqn: tgt.iqn }, { checkpointMiB: 4 });
  try {
    // 125 MiB: the copy is still running when the test freezes it, right after its first checkpoint is saved.
    const records = makeRecords(Array.from({ length: 500 }, (_, i) => (i % 25 === 24 ? 0 : 262144)));
    await writeAndExport(vtl, 'P00005L8', records);
    await waitForJob(vtl, 'P00005L8', (j) => j.state === 'running' && j.phase === 'copy', 60_000);
    // Polled like waitForJob: the first checkpoint's save lands while the copy writes on.
    while ((await savedJob(vtl, 'P00005L8')).objectsCopied === 0) await sleep(25);
    let saved: CopyJob | undefined;
    let live = 0;
    // Frozen right after a checkpoint, nothing is unflushed and both counts agree: let it run on and freeze again.
    for (let round = 1; round <= 5; round++) {
      proxy.process.kill('SIGSTOP');
      const other = `Q0000${round}L8`;
      await vtl.server.api('POST', '/cartridges', { library: 'lib0', barcode: other });
      // The new job is saved with the whole list before the answer (it then waits for the frozen library).
      await vtl.server.api('POST', `/cartridges/${other}/copy`, {});
      saved = await savedJob(vtl, 'P00005L8');
      live = (await copyJobs(vtl)).findLast((j) => j.barcode === 'P00005L8')?.objectsCopied ?? 0;
      if (saved.objectsCopied < live) break;
      proxy.process.kill('SIGCONT');
      await waitForJob(vtl, 'P00005L8', (j) => j.objectsCopied > live);
    }
    assert.ok(saved && saved.objectsCopied > 0, 'a checkpoint was saved before');
    assert.equal(saved.state, 'running');
    assert.ok(saved.objectsCopied < live, `saved ${saved.objectsCopied} objects, the checkpoint, while the drive had acknowledged ${live}`);
    await vtl.server.kill();
    // A checkpoint whose save was queued behind the other job's may have landed: the resume starts from the last one.
    const atKill = await savedJob(vtl, 'P00005L8');
    assert.ok(atKill.objectsCopied >= saved.objectsCopied && atKill.objectsCopied <= live, `saved at the kill: ${atKill.objectsCopied}`);
    proxy.process.kill('SIGCONT');
    await vtl.server.start();
    const resumed = await waitForJob(vtl, 'P00005L8', (j) => j.state === 'done' || j.state === 'failed');
    assert.equal(resumed.state, 'done', resumed.reason);
    assert.equal(resumed.resumedFromObjects, atKill.objectsCopied, 'resumed from the saved checkpoint');
    assert.ok(!vtl.server.logTail(400).includes('copied again from the beginning'), vtl.server.logTail(40));
    assert.equal(resumed.objectsVerified, records.length);
    const back = await readFromTgt(tgt, 'P00005L8');
    assert.equal(back.length, records.length);
    back.forEach((r, i) => assert.ok(r === 'FM' ? records[i] === 'FM' : records[i] !== 'FM' && r.equals(records[i]), `object ${i}`));
  } finally {
    proxy.process.kill('SIGCONT');
    await vtl.cleanup();
    proxy.process.kill('SIGKILL');
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
