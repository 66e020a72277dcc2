// SET CAPACITY end to end on a drive backed by a real FileMediaStore in a temporary folder: the new capacity is
// reported, the data is gone, and both survive an unload and a restart (a new store on the same folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import type { MountRequest } from '../../src/library/drive-port.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { TaskAttribute } from '../../src/scsi/logical-unit.js';
import type { LogicalUnit, ScsiResponse } from '../../src/scsi/logical-unit.js';
import { createDriveUnit } from '../../src/scsi/ssc/drive-unit.js';
import type { TapeDrive } from '../../src/scsi/ssc/tape-drive.js';
import { decodeFixedSense, nexus } from '../../src/scsi/ssc/testing/drive-harness.js';

const MB = 1_000_000;
const REQUEST: MountRequest = { barcode: 'S00001L8', generation: 8, worm: false, cleaning: false, writeProtected: false, capacityBytes: 100 * MB };

interface Drive {
  readonly drive: TapeDrive;
  readonly store: FileMediaStore;
  run(cdb: readonly number[], dataOut?: Buffer): Promise<ScsiResponse>;
  good(cdb: readonly number[], dataOut?: Buffer): Promise<Buffer>;
}

function driveOn(directory: string): Drive {
  const log = silentLogger();
  const store = new FileMediaStore({ directory, log });
  const { unit, drive }: { unit: LogicalUnit; drive: TapeDrive } = createDriveUnit({
    name: 'drive0', generation: 8, mediaStore: store, targetName: 'iqn.2026-11.org.vtl:set-capacity', lunInventory: () => [0], log,
  });
  const run = (cdb: readonly number[], dataOut?: Buffer): Promise<ScsiResponse> =>
    unit.execute({
      lun: 0, cdb: Buffer.from(cdb), dataOut, expectedDataInLength: 1 << 16, expectedDataOutLength: dataOut?.length ?? 0,
      taskAttribute: TaskAttribute.SIMPLE, nexus: nexus(1), signal: new AbortController().signal,
    });
  return {
    drive,
    store,
    run,
    async good(cdb, dataOut) {
      const r = await run(cdb, dataOut);
      assert.equal(r.status, 0, `GOOD for ${Buffer.from(cdb).toString('hex')}, sense ${r.sense?.toString('hex')}`);
      return r.dataIn ?? Buffer.alloc(0);
    },
  };
}

/** Load and consume the unit attentions (power on, medium change). */
async function load(d: Drive): Promise<void> {
  await d.drive.load(REQUEST);
  for (let i = 0; i < 3; i++) if ((await d.run([0x00, 0, 0, 0, 0, 0])).status === 0) return;
}

/** Log page 31h: main partition remaining and maximum, in 10^6 bytes. */
async function capacityLog(d: Drive): Promise<[number, number]> {
  const data = await d.good([0x4d, 0, 0x71, 0, 0, 0, 0, 0x10, 0, 0]);
  return [data.readUInt32BE(8), data.readUInt32BE(24)];
}

test('SET CAPACITY on a file cartridge persists across unload, restart, and is undone by 65535', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'vtl-set-capacity-'));
  try {
    const first = driveOn(directory);
    await first.store.create({ barcode: REQUEST.barcode, generation: 8, worm: false, capacityBytes: REQUEST.capacityBytes });
    await load(first);
    await first.good([0x0a, 0, 0, 0x10, 0x00, 0], Buffer.alloc(4096, 5));
    await first.good([0x10, 0, 0, 0, 1, 0]);
    await first.good([0x01, 0, 0, 0, 0, 0]);
    await first.good([0x0b, 0, 0, 0x33, 0x33, 0]); // 13107 / 65535 = one fifth: 20 MB
    assert.deepEqual(await capacityLog(first), [20, 20]);
    await first.drive.unload({ force: false });
    await load(first);
    assert.deepEqual(await capacityLog(first), [20, 20]);
    await first.drive.shutdown();

    const second = driveOn(directory);
    await load(second);
    assert.deepEqual(await capacityLog(second), [20, 20]);
    const blank = await second.run([0x08, 0x02, 0, 0x10, 0x00, 0]);
    assert.ok(blank.sense !== undefined);
    const s = decodeFixedSense(blank.sense);
    assert.deepEqual([s.key, s.asc, s.ascq], [0x8, 0x00, 0x05], 'the data written before is gone');
    await second.good([0x0b, 0, 0, 0xff, 0xff, 0]);
    assert.deepEqual(await capacityLog(second), [100, 100]);
    await second.drive.shutdown();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
