// A vtl server (child process, so a test can SIGKILL it) configured with tgt as its physical library, and a host
// that writes records to a virtual cartridge and exports it with MOVE MEDIUM — the host side is src/initiator and
// src/physical's client talking to vtl's own target.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { IscsiSession } from '../../src/initiator/iscsi-session.js';
import { PhysicalChanger } from '../../src/physical/changer.js';
import type { CopyJobView } from '../../src/physical/staging-service.js';
import { PhysicalTapeDrive } from '../../src/physical/tape-drive.js';
import { VtlServer, vtlPorts } from '../e2e/vtl-process.js';
import { TEST_INITIATOR, type TgtLibrary } from './tgt-library.js';

export interface StagedVtl {
  readonly server: VtlServer;
  readonly dir: string;
  readonly iqn: string;
  cleanup(): Promise<void>;
}

export async function startStagedVtl(physical: { portal: string; iqn: string }, copy: Record<string, unknown> = {}, library: Record<string, unknown> = {}): Promise<StagedVtl> {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-staging-'));
  const configPath = join(dir, 'vtl.yaml');
  await writeFile(
    configPath,
    stringify({
      libraries: [{ name: 'lib0', driveCount: 1, slots: 16, mailSlots: 4, initialCartridges: { count: 0 }, ...library }],
      physicalLibraries: [{ name: 'tgt', portal: physical.portal, iqn: physical.iqn }],
      copy: { retryDelaySeconds: 1, maxAttempts: 3, checkpointMiB: 1, ...copy },
    }),
  );
  // A free port can be taken by another process before vtl binds it (the machine is shared): new ports, once more.
  let server: VtlServer | undefined;
  for (let attempt = 1; !server; attempt++) {
    const candidate = new VtlServer({ dataDir: join(dir, 'data'), configPath, ...(await vtlPorts()), logPath: join(dir, 'vtl.log') });
    try {
      await candidate.start();
      server = candidate;
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
  return {
    server,
    dir,
    iqn: 'iqn.2026-11.org.vtl:lib0',
    async cleanup() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Records of the given sizes (`0` = a filemark), random content. */
export function makeRecords(sizes: readonly number[]): (Buffer | 'FM')[] {
  return sizes.map((n) => (n === 0 ? 'FM' : randomBytes(n)));
}

/** As a backup host would: create the cartridge, load it, write the records, unload, move it to a mail slot. */
export function writeAndExport(vtl: StagedVtl, barcode: string, records: readonly (Buffer | 'FM')[]): Promise<void> {
  return writeCartridge(vtl, barcode, records, 'mail slot');
}

/** Creates the cartridge, writes the records in the first drive, and moves it to a mail slot or back to its slot. */
export async function writeCartridge(vtl: StagedVtl, barcode: string, records: readonly (Buffer | 'FM')[], to: 'mail slot' | 'slot'): Promise<void> {
  await vtl.server.api('POST', '/cartridges', { library: 'lib0', barcode });
  const session = new IscsiSession({ host: '127.0.0.1', port: vtl.server.options.iscsiPort, initiatorName: TEST_INITIATOR, targetName: vtl.iqn });
  try {
    const changer = new PhysicalChanger(session);
    const inv = await changer.inventory();
    const slot = inv.slots.find((s) => s.barcode === barcode);
    assert.ok(slot, `${barcode} is in a slot of vtl`);
    await changer.moveMedium(inv.transportAddress, slot.address, inv.drives[0].address);
    const drive = new PhysicalTapeDrive(session, inv.drives[0].lun ?? 1);
    await drive.waitReady();
    for (const r of records) {
      if (r === 'FM') await drive.writeFilemarks(1);
      else await drive.write(r);
    }
    await drive.unload();
    const mail = inv.mailSlots.find((m) => !m.full);
    assert.ok(mail, 'a free mail slot in vtl');
    await changer.moveMedium(inv.transportAddress, inv.drives[0].address, to === 'slot' ? slot.address : mail.address);
  } finally {
    await session.close();
  }
}

export async function copyJobs(vtl: StagedVtl): Promise<CopyJobView[]> {
  return (await vtl.server.api('GET', '/copy-jobs')) as CopyJobView[];
}

/** Polls the newest copy job of `barcode` until `until(job)` holds (the copy runs in vtl; there is no event to wait on from here). */
export async function waitForJob(vtl: StagedVtl, barcode: string, until: (j: CopyJobView) => boolean, timeoutMs = 120_000): Promise<CopyJobView> {
  const deadline = Date.now() + timeoutMs;
  let last: CopyJobView | undefined;
  while (Date.now() < deadline) {
    // The newest job of the barcode (jobs are listed in creation order).
    last = (await copyJobs(vtl)).findLast((j) => j.barcode === barcode);
    if (last && until(last)) return last;
    await sleep(25);
  }
  throw new Error(`the copy job of ${barcode} did not reach the expected state; last: ${JSON.stringify(last)}\n${vtl.server.logTail(20)}`);
}

/** Reads the physical cartridge straight from tgt with the initiator: every record and filemark up to end of data. */
export async function readFromTgt(tgt: TgtLibrary, barcode: string): Promise<(Buffer | 'FM')[]> {
  const session = new IscsiSession({ host: tgt.host, port: tgt.port, initiatorName: `${TEST_INITIATOR}-reader`, targetName: tgt.iqn });
  try {
    const changer = new PhysicalChanger(session);
    const inv = await changer.inventory();
    const slot = inv.slots.find((s) => s.barcode === barcode);
    assert.ok(slot, `${barcode} is back in its tgt slot`);
    const d = inv.drives.find((x) => !x.full && x.lun !== undefined);
    assert.ok(d, 'a free tgt drive');
    await changer.moveMedium(inv.transportAddress, slot.address, d.address);
    const drive = new PhysicalTapeDrive(session, d.lun ?? 1);
    await drive.waitReady();
    await drive.rewind();
    const out: (Buffer | 'FM')[] = [];
    for (;;) {
      const r = await drive.read(8 * 1024 * 1024);
      if (r.kind === 'end-of-data') break;
      out.push(r.kind === 'filemark' ? 'FM' : Buffer.from(r.data));
    }
    await drive.unload();
    await changer.moveMedium(inv.transportAddress, d.address, slot.address);
    return out;
  } finally {
    await session.close();
  }
}
