// Import against tgt: a physical cartridge written elsewhere (here by our initiator straight to tgt) becomes a new
// virtual cartridge with every record and filemark, compared after the import, and a host reads it back through vtl.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IscsiSession } from '../../src/initiator/iscsi-session.js';
import { PhysicalChanger } from '../../src/physical/changer.js';
import { PhysicalTapeDrive } from '../../src/physical/tape-drive.js';
import { runCli } from '../management/run-cli.js';
import { holdTgtLibrary, tgtLibrary, TEST_INITIATOR } from './tgt-library.js';
import { makeRecords, startStagedVtl, waitForJob } from './staging-harness.js';

const tgt = tgtLibrary();
await holdTgtLibrary(tgt);

/** Writes the records to the tgt cartridge from BOP with our initiator, as another backup server would. */
async function writeToTgt(barcode: string, records: readonly (Buffer | 'FM')[]): Promise<void> {
  const session = new IscsiSession({ host: tgt.host, port: tgt.port, initiatorName: `${TEST_INITIATOR}-writer`, targetName: tgt.iqn });
  try {
    const changer = new PhysicalChanger(session);
    const inv = await changer.inventory();
    const slot = inv.slots.find((s) => s.barcode === barcode);
    const d = inv.drives.find((x) => !x.full && x.lun !== undefined);
    assert.ok(slot && d);
    await changer.moveMedium(inv.transportAddress, slot.address, d.address);
    const drive = new PhysicalTapeDrive(session, d.lun ?? 1);
    await drive.waitReady();
    await drive.rewind();
    for (const r of records) {
      if (r === 'FM') await drive.writeFilemarks(1);
      else await drive.write(r);
    }
    await drive.unload();
    await changer.moveMedium(inv.transportAddress, d.address, slot.address);
  } finally {
    await session.close();
  }
}

test('vtl copy import makes a virtual cartridge of a tgt cartridge written elsewhere, record for record and filemark for filemark', async () => {
  const records = makeRecords([80, 0, 65536, 262144, 1048576, 0, 0, 1, 131072, 0, 5000]);
  await writeToTgt('P00010L8', records);
  const vtl = await startStagedVtl(tgt);
  const host = new IscsiSession({ host: '127.0.0.1', port: vtl.server.options.iscsiPort, initiatorName: `${TEST_INITIATOR}-host`, targetName: vtl.iqn });
  try {
    const env = { VTL_API: `http://127.0.0.1:${vtl.server.options.apiPort}`, VTL_TOKEN: readFileSync(join(vtl.server.options.dataDir, 'api-token'), 'utf8').trim() };
    const started = await runCli(['copy', 'import', '--library', 'tgt', '--barcode', 'P00010L8'], env);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /P00010L8\s+tgt/);
    const job = await waitForJob(vtl, 'P00010L8', (j) => j.state === 'done' || j.state === 'failed');
    assert.equal(job.state, 'done', job.reason);
    assert.equal(job.trigger, 'import');
    assert.equal(job.objectsVerified, records.length, 'compared after the import');

    // A host loads the new virtual cartridge and reads every object back.
    const changer = new PhysicalChanger(host);
    const inv = await changer.inventory();
    const slot = inv.slots.find((s) => s.barcode === 'P00010L8');
    assert.ok(slot, 'the imported cartridge is in a slot of vtl');
    await changer.moveMedium(inv.transportAddress, slot.address, inv.drives[0].address);
    const drive = new PhysicalTapeDrive(host, inv.drives[0].lun ?? 1);
    await drive.waitReady();
    for (const [i, want] of records.entries()) {
      const got = await drive.read(2 * 1024 * 1024);
      if (want === 'FM') assert.equal(got.kind, 'filemark', `object ${i}`);
      else assert.ok(got.kind === 'block' && got.data.equals(want), `object ${i}`);
    }
    assert.equal((await drive.read(1)).kind, 'end-of-data');
    await drive.unload();
    await changer.moveMedium(inv.transportAddress, inv.drives[0].address, slot.address);

    // The barcode is taken now: a second import is refused and says why.
    const again = await runCli(['copy', 'import', '--library', 'tgt', '--barcode', 'P00010L8'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /P00010L8/);
    const unknown = await runCli(['copy', 'import', '--library', 'nope', '--barcode', 'P00011L8'], env);
    assert.match(unknown.stderr, /No physical library "nope"/);
  } finally {
    await host.close();
    await vtl.cleanup();
  }
});
