// Test support: one tape drive logical unit over a FileMediaStore on a FaultyStorage, driven by raw CDBs, and the
// read-back of a cartridge through a second store on the same bytes that injects nothing.
import { silentLogger } from '../../src/log.js';
import type { MountRequest } from '../../src/library/drive-port.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { TaskAttribute, type LogicalUnit } from '../../src/scsi/logical-unit.js';
import { createDriveUnit } from '../../src/scsi/ssc/drive-unit.js';
import type { TapeDrive } from '../../src/scsi/ssc/tape-drive.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { FaultyStorage } from '../../src/storage/testing/faulty-storage.js';
import { FILEMARK, block, type TapeObject } from './host-tape-model.js';
import { decodeFixedSense, TapeCdb, type FixedSense } from './tape-cdb.js';

export const BARCODE = 'F00001L8';
const MIB = 1024 * 1024;
export const MOUNT: MountRequest = { barcode: BARCODE, generation: 8, worm: false, cleaning: false, writeProtected: false, capacityBytes: 64 * MIB };

const NEXUS = {
  id: 'iqn.test:faults,i,0x000000000001|iqn.test:t,t,0x1',
  initiatorPort: 'iqn.test:faults,i,0x000000000001',
  targetPort: 'iqn.test:t,t,0x1',
  relativeTargetPort: 1,
};

export type Answer = { readonly good: true; readonly data: Buffer } | { readonly good: false; readonly sense: FixedSense };

export class FaultDrive {
  /** The bytes of the store, shared by the faulty view and the checking view. */
  readonly bytes = new MemoryStorage();
  readonly storage = new FaultyStorage(this.bytes, { failedSyncLosesData: true });
  readonly store = new FileMediaStore({ directory: '.', log: silentLogger(), storage: this.storage });
  readonly drive: TapeDrive;
  private readonly unit: LogicalUnit;

  constructor() {
    const { unit, drive } = createDriveUnit({
      name: 'drive0', generation: 8, compressionDefault: true, mediaStore: this.store,
      targetName: 'iqn.2026-11.org.vtl:faults', lunInventory: () => [0], log: silentLogger(),
    });
    this.unit = unit;
    this.drive = drive;
  }

  async run(cdb: readonly number[], dataOut?: Buffer): Promise<Answer> {
    const r = await this.unit.execute({
      lun: 0, cdb: Buffer.from(cdb), dataOut, expectedDataInLength: 1 << 24, expectedDataOutLength: dataOut?.length ?? 0,
      taskAttribute: TaskAttribute.SIMPLE, nexus: NEXUS, signal: new AbortController().signal,
    });
    if (r.status === 0) return { good: true, data: r.dataIn ?? Buffer.alloc(0) };
    if (r.status !== 2 || r.sense === undefined) throw new Error(`status ${r.status} without sense for ${Buffer.from(cdb).toString('hex')}`);
    return { good: false, sense: decodeFixedSense(r.sense) };
  }

  /** Robot load, then TEST UNIT READY until the unit attentions (power on, medium change) are consumed. */
  async load(): Promise<void> {
    await this.drive.load(MOUNT);
    for (let i = 0; i < 4; i++) if ((await this.run(TapeCdb.testUnitReady())).good) return;
    throw new Error('the drive does not become ready after a load');
  }

  /** READ POSITION: the first block location. */
  async position(): Promise<Answer & { objectNumber?: number }> {
    const a = await this.run(TapeCdb.readPosition());
    return a.good ? { ...a, objectNumber: a.data.readUInt32BE(4) } : a;
  }
}

/** Open the cartridge from the bytes alone (no faults, a new store: what a restarted server would see) and read it all. */
export async function readBack(bytes: MemoryStorage): Promise<TapeObject[]> {
  const store = new FileMediaStore({ directory: '.', log: silentLogger(), storage: bytes });
  const medium = await store.open(MOUNT);
  try {
    const objects: TapeObject[] = [];
    for (;;) {
      const r = await medium.read();
      if (r.kind === 'end-of-data') return objects;
      if (r.kind === 'encrypted-block') throw new Error(`object ${objects.length} is encrypted: this drive writes none`);
      objects.push(r.kind === 'filemark' ? FILEMARK : block(r.data));
      if (r.kind === 'block') r.release?.();
    }
  } finally {
    await medium.close();
  }
}
