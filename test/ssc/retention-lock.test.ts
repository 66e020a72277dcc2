// The drive half of issue 14 end to end below iSCSI: a real catalog (RetentionBook), a real audit log, cartridges
// on disk (FileMediaStore), and a drive built as main.ts builds it (libraryDriveProtection).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { AuditTrail } from '../../src/library/audit-trail.js';
import type { Cartridge } from '../../src/library/cartridge.js';
import { libraryDriveProtection } from '../../src/library/drive-protection.js';
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { TaskAttribute } from '../../src/scsi/logical-unit.js';
import type { ItNexus, ScsiResponse } from '../../src/scsi/logical-unit.js';
import { createDriveUnit } from '../../src/scsi/ssc/drive-unit.js';
import { cdb, decodeFixedSense, nexus } from '../../src/scsi/ssc/testing/drive-harness.js';
import { harness, smallConfig } from '../library/harness.js';

const RESTORE_HOST = 'iqn.2026-12.org.example:restore';
const BACKUP_HOST = 'iqn.2026-12.org.example:backup';

/** Session `who` (1: the backup server, 2: the restore host), each with its own ISID. */
function session(who: number): ItNexus {
  const port = `${who === 2 ? RESTORE_HOST : BACKUP_HOST},i,0x00023d00000${who}`;
  return { ...nexus(who), id: `${port}|iqn.test:t,t,0x1`, initiatorPort: port };
}

async function rig(config = smallConfig({ access: { readOnlyInitiators: [RESTORE_HOST] } })) {
  const h = await harness(config);
  const store = new FileMediaStore({ directory: join(h.dir, 'cartridges'), log: silentLogger() });
  const audit = new AuditTrail({ file: join(h.dir, 'audit.log'), log: silentLogger() });
  const { unit, drive } = createDriveUnit({
    name: 'lib0/drive0', generation: 8, mediaStore: store, targetName: 'iqn.test:t', lunInventory: () => [0, 1], log: silentLogger(), lun: 1,
    protection: libraryDriveProtection(h.manager.retention, config.libraries[0], audit),
  });
  const cartridge: Cartridge = h.manager.cartridges()[0];
  const run = (c: number[], o: { dataOut?: Buffer; who?: number } = {}): Promise<ScsiResponse> =>
    unit.execute({
      lun: 1, cdb: Buffer.from(c), dataOut: o.dataOut, expectedDataInLength: 1 << 20, expectedDataOutLength: o.dataOut?.length ?? 0,
      taskAttribute: TaskAttribute.SIMPLE, nexus: session(o.who ?? 1), signal: new AbortController().signal,
    });
  /** The sense (key, ASC, ASCQ) once unit attentions are out of the way; [] for GOOD. */
  const answer = async (c: number[], o: { dataOut?: Buffer; who?: number } = {}): Promise<number[]> => {
    for (;;) {
      const r = await run(c, o);
      if (!r.sense) return [];
      const s = decodeFixedSense(r.sense);
      if (s.key !== 0x06) return [s.key, s.asc, s.ascq];
    }
  };
  const load = async (): Promise<void> => {
    if (!(await store.exists(cartridge.barcode))) await store.create({ ...cartridge, generation: cartridge.generation ?? 8 });
    await drive.load({ barcode: cartridge.barcode, generation: cartridge.generation ?? 8, worm: false, cleaning: false, writeProtected: false, capacityBytes: cartridge.capacityBytes });
  };
  const writeBackup = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) assert.deepEqual(await answer(cdb.write6(512), { dataOut: Buffer.alloc(512, i) }), []);
    assert.deepEqual(await answer(cdb.writeFilemarks(1)), []);
    assert.deepEqual(await answer(cdb.rewind()), []);
  };
  return { h, store, audit, drive, cartridge, answer, load, writeBackup };
}

test('a lock set through the library survives a catalog restored without it: the cartridge carries it back', async (t) => {
  const r = await rig();
  t.after(() => r.h.cleanup());
  await r.load();
  await r.writeBackup();
  r.h.manager.retention.set(r.cartridge.barcode, { mode: 'compliance', until: '2099-01-01T00:00:00.000Z', by: 'admin', bypassGovernance: false });
  assert.deepEqual(await r.answer(cdb.erase()), [0x07, 0x27, 0x06]);
  await r.drive.unload({ force: true });
  // An old catalog: the lock row is gone (as if restored from a backup taken before the lock).
  const db = new Database(r.h.catalogPath);
  db.prepare('DELETE FROM retention_locks').run();
  db.close();
  assert.equal(r.h.manager.retention.retentionOf(r.cartridge.barcode).locked, false);
  await r.load();
  assert.deepEqual(r.h.manager.retention.retentionOf(r.cartridge.barcode), { locked: true, mode: 'compliance', until: '2099-01-01T00:00:00.000Z' });
  assert.deepEqual(await r.answer(cdb.write6(512), { dataOut: Buffer.alloc(512) }), [0x07, 0x27, 0x06]);
  assert.deepEqual(await r.answer(cdb.read6(512)), [], 'the backup still reads');
  const entries = await r.audit.list();
  assert.deepEqual(entries.map((e) => [e.kind, e.outcome, e.initiator, e.isid, e.lun]), [
    ['scsi.erase', 'refused', BACKUP_HOST, '00023d000001', 1],
    ['scsi.write', 'refused', BACKUP_HOST, '00023d000001', 1],
  ]);
});

test('a first-write policy locks a cartridge from its first write: the backup appends, a rewrite from the beginning is refused', async (t) => {
  const config = smallConfig({ retention: [{ mode: 'governance', days: 30, from: 'first-write' }] });
  const r = await rig(config);
  t.after(() => r.h.cleanup());
  await r.load();
  await r.writeBackup();
  assert.equal(r.h.manager.retention.retentionOf(r.cartridge.barcode).locked, true);
  assert.deepEqual(await r.answer(cdb.write6(512), { dataOut: Buffer.alloc(512) }), [0x07, 0x27, 0x06]);
  assert.deepEqual(await r.answer(cdb.space6(3, 0)), []);
  assert.deepEqual(await r.answer(cdb.write6(512), { dataOut: Buffer.alloc(512, 9) }), []);
});

test('the access list makes an initiator read-only: it reads, the backup server writes', async (t) => {
  const r = await rig();
  t.after(() => r.h.cleanup());
  await r.load();
  await r.writeBackup();
  assert.deepEqual(await r.answer(cdb.write6(512), { dataOut: Buffer.alloc(512), who: 2 }), [0x07, 0x27, 0x00]);
  assert.deepEqual(await r.answer(cdb.erase(), { who: 2 }), [0x07, 0x27, 0x00]);
  assert.deepEqual(await r.answer(cdb.read6(512), { who: 2 }), []);
  assert.deepEqual(await r.answer(cdb.space6(3, 0)), []);
  assert.deepEqual(await r.answer(cdb.write6(512), { dataOut: Buffer.alloc(512) }), []);
  assert.deepEqual((await r.audit.list()).map((e) => [e.kind, e.initiator, e.detail?.reason]), [
    ['scsi.write', RESTORE_HOST, 'read-only-initiator'], ['scsi.erase', RESTORE_HOST, 'read-only-initiator'],
  ]);
});
