// Copy on export end to end: a host writes a virtual cartridge and moves it to a mail slot; vtl copies it to the
// tgt cartridge with the same barcode, verifies it, and tgt then holds exactly the records and filemarks written.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../management/run-cli.js';
import { holdTgtLibrary, tgtLibrary } from './tgt-library.js';
import { copyJobs, makeRecords, readFromTgt, startStagedVtl, waitForJob, writeAndExport, type StagedVtl } from './staging-harness.js';

const tgt = tgtLibrary();
await holdTgtLibrary(tgt);
let vtl: StagedVtl;
before(async () => {
  vtl = await startStagedVtl(tgt);
});
after(() => vtl.cleanup());

const summary = (rs: readonly (Buffer | 'FM')[]): string[] => rs.map((r) => (r === 'FM' ? 'FM' : String(r.length)));

test('an exported cartridge is copied record for record and filemark for filemark, verified, and readable from tgt', async () => {
  const records = makeRecords([1, 512, 65536, 0, 262144, 1048576, 3, 0, 0, 70000, 0]);
  await writeAndExport(vtl, 'P00001L8', records);
  const job = await waitForJob(vtl, 'P00001L8', (j) => j.state === 'done' || j.state === 'failed');
  assert.equal(job.state, 'done', job.reason);
  assert.equal(job.percent, 100);
  assert.equal(job.objectsVerified, records.length);
  // A job's change is published once its new state is saved, so the last event may trail GET /copy-jobs a little.
  const copyStates = async (): Promise<string[]> => {
    const events = (await vtl.server.api('GET', '/events?limit=1000')) as { type: string; barcode: string | null; copy?: { state: string; phase: string } }[];
    return events.filter((e) => e.type === 'copy-job-changed' && e.barcode === 'P00001L8').map((e) => `${e.copy?.state}/${e.copy?.phase}`);
  };
  let states = await copyStates();
  for (let i = 0; i < 200 && states.at(-1) !== 'done/verify'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    states = await copyStates();
  }
  assert.deepEqual([states[0], states.at(-1)], ['queued/copy', 'done/verify']);
  assert.ok(states.includes('running/verify'), states.join(' '));
  const back = await readFromTgt(tgt, 'P00001L8');
  assert.deepEqual(summary(back), summary(records));
  back.forEach((r, i) => assert.ok(r === records[i] || (r !== 'FM' && records[i] !== 'FM' && r.equals(records[i])), `record ${i}`));
});

test('a barcode no physical library holds makes a waiting job with the reason', async () => {
  await writeAndExport(vtl, 'Q00001L8', makeRecords([100]));
  const job = await waitForJob(vtl, 'Q00001L8', (j) => j.state === 'waiting');
  assert.match(job.reason ?? '', /no physical library \("tgt"\) holds a cartridge with barcode Q00001L8/);
  const cancelled = (await vtl.server.api('POST', `/copy-jobs/${job.id}/cancel`, {})) as { state: string };
  assert.equal(cancelled.state, 'cancelled');
});

test('a physical cartridge too small fails the job with the early-warning reason, and the virtual cartridge stays as written', async () => {
  const records = makeRecords(Array.from({ length: 40 }, () => 65536));
  await writeAndExport(vtl, 'S00000L8', records);
  const job = await waitForJob(vtl, 'S00000L8', (j) => j.state === 'failed' || j.state === 'done');
  assert.equal(job.state, 'failed');
  assert.match(job.reason ?? '', /early warning after \d+ of 40 objects .* too small/);
  // Nothing past early warning reached the physical tape.
  assert.ok((await readFromTgt(tgt, 'S00000L8')).length < 40);
  // A new copy of the same virtual cartridge still sees all 40 records (the failed job changed nothing).
  const again = (await vtl.server.api('POST', '/cartridges/S00000L8/copy', {})) as { id: string };
  const second = await waitForJob(vtl, 'S00000L8', (j) => j.id === again.id && (j.state === 'failed' || j.state === 'done'));
  assert.equal(second.totalObjects, 40);
  assert.equal((await copyJobs(vtl)).filter((j) => j.barcode === 'S00000L8').length, 2);
});

test('vtl physical list|show and vtl copy list show the library, its cartridges and the jobs', async () => {
  const env = {
    VTL_API: `http://127.0.0.1:${vtl.server.options.apiPort}`,
    VTL_TOKEN: readFileSync(join(vtl.server.options.dataDir, 'api-token'), 'utf8').trim(),
  };
  const list = await runCli(['physical', 'list'], env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`tgt\\s+${tgt.portal.replaceAll('.', '\\.')}\\s+${tgt.iqn.replaceAll('.', '\\.')}`));
  const show = await runCli(['physical', 'show', 'tgt'], env);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /256: empty {2}LUN 1/);
  assert.match(show.stdout, /4097: P00001L8/);
  const jobs = await runCli(['copy', 'list'], env);
  assert.equal(jobs.code, 0, jobs.stderr);
  assert.match(jobs.stdout, /P00001L8\s+tgt\s+done\s+100%/);
  const missing = await runCli(['physical', 'show', 'nope'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No physical library "nope"/);
});
