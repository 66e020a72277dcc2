// Test support: a drive logical unit on an in-memory store, commands as raw CDBs, and an independent decoder
// of fixed-format sense data (so tests do not trust the encoder under test).
import { silentLogger } from '../../../log.js';
import type { MountRequest } from '../../../library/drive-port.js';
import type { DriveProtection } from '../../../library/drive-protection.js';
import type { LtoGeneration } from '../../../library/lto.js';
import { TaskAttribute } from '../../logical-unit.js';
import type { ItNexus, LogicalUnit, ScsiResponse } from '../../logical-unit.js';
import { createDriveUnit } from '../drive-unit.js';
import type { TapeDrive } from '../tape-drive.js';
import { MemoryMediaStore } from './memory-media-store.js';
import type { MemoryTapeMedium } from './memory-tape-medium.js';

export function nexus(n = 1): ItNexus {
  return {
    id: `iqn.test:i${n},i,0x00023d00000${n}|iqn.test:t,t,0x1`,
    initiatorPort: `iqn.test:i${n},i,0x00023d00000${n}`,
    targetPort: 'iqn.test:t,t,0x1',
    relativeTargetPort: 1,
  };
}

export interface DecodedSense {
  readonly valid: boolean;
  readonly deferred: boolean;
  readonly filemark: boolean;
  readonly eom: boolean;
  readonly ili: boolean;
  readonly key: number;
  /** INFORMATION as a signed 32-bit number. */
  readonly information: number;
  readonly commandSpecific: number;
  readonly asc: number;
  readonly ascq: number;
  /** [byte, bit | undefined] of a field pointer, when SKSV is set. */
  readonly field: readonly [number, number | undefined] | undefined;
}

export function decodeFixedSense(b: Buffer): DecodedSense {
  if ((b[0] & 0x7e) !== 0x70) throw new Error(`not fixed sense: ${b.toString('hex')}`);
  const sksv = (b[15] & 0x80) !== 0;
  return {
    valid: (b[0] & 0x80) !== 0,
    deferred: (b[0] & 0x7f) === 0x71,
    filemark: (b[2] & 0x80) !== 0,
    eom: (b[2] & 0x40) !== 0,
    ili: (b[2] & 0x20) !== 0,
    key: b[2] & 0x0f,
    information: b.readInt32BE(3),
    commandSpecific: b.readUInt32BE(8),
    asc: b[12],
    ascq: b[13],
    field: sksv ? [b.readUInt16BE(16), (b[15] & 0x08) !== 0 ? b[15] & 0x07 : undefined] : undefined,
  };
}

export interface Harness {
  readonly unit: LogicalUnit;
  readonly drive: TapeDrive;
  readonly store: MemoryMediaStore;
  run(cdb: readonly number[] | Buffer, options?: { dataOut?: Buffer; nexus?: ItNexus; expectedIn?: number }): Promise<ScsiResponse>;
  /** Run and expect GOOD; returns data-in (possibly empty). */
  good(cdb: readonly number[] | Buffer, options?: { dataOut?: Buffer; nexus?: ItNexus }): Promise<Buffer>;
  /** Run and expect CHECK CONDITION; returns decoded sense and data-in. */
  check(cdb: readonly number[] | Buffer, options?: { dataOut?: Buffer; nexus?: ItNexus }): Promise<DecodedSense & { data: Buffer }>;
  /** Robot-load a cartridge and consume the unit attentions for nexus 1. */
  load(barcode?: string, request?: Partial<MountRequest>): Promise<MemoryTapeMedium>;
}

export async function createHarness(
  options: { generation?: LtoGeneration; compression?: boolean; protection?: DriveProtection; store?: MemoryMediaStore } = {},
): Promise<Harness> {
  const store = options.store ?? new MemoryMediaStore();
  const { unit, drive } = createDriveUnit({
    name: 'drive0',
    generation: options.generation ?? 8,
    compressionDefault: options.compression ?? true,
    mediaStore: store,
    targetName: 'iqn.2026-11.org.vtl:test',
    lunInventory: () => [0, 1],
    log: silentLogger(),
    lun: 1,
    ...(options.protection ? { protection: options.protection } : {}),
  });
  const run: Harness['run'] = (cdb, o = {}) =>
    unit.execute({
      lun: 1,
      cdb: Buffer.from(cdb),
      dataOut: o.dataOut,
      expectedDataInLength: o.expectedIn ?? 1 << 24,
      expectedDataOutLength: o.dataOut?.length ?? 0,
      taskAttribute: TaskAttribute.SIMPLE,
      nexus: o.nexus ?? nexus(1),
      signal: new AbortController().signal,
    });
  const h: Harness = {
    unit,
    drive,
    store,
    run,
    async good(cdb, o) {
      const r = await run(cdb, o);
      if (r.status !== 0) throw new Error(`expected GOOD for ${Buffer.from(cdb).toString('hex')}, got ${r.status} ${r.sense?.toString('hex')}`);
      return r.dataIn ?? Buffer.alloc(0);
    },
    async check(cdb, o) {
      const r = await run(cdb, o);
      if (r.status !== 2 || !r.sense) throw new Error(`expected CHECK CONDITION for ${Buffer.from(cdb).toString('hex')}, got ${r.status}`);
      return { ...decodeFixedSense(r.sense), data: r.dataIn ?? Buffer.alloc(0) };
    },
    async load(barcode = 'A00001L8', request = {}) {
      await drive.load({ barcode, generation: 8, worm: false, cleaning: false, writeProtected: false, capacityBytes: 1 << 30, ...request });
      // The first command of a nexus reports power-on, the next the medium change; clear both.
      for (let i = 0; i < 3; i++) if ((await run([0x00, 0, 0, 0, 0, 0])).sense?.[2] !== 0x06) break;
      return store.media.get(barcode) as MemoryTapeMedium;
    },
  };
  await run([0x00, 0, 0, 0, 0, 0]); // nexus 1 sees its power-on unit attention here
  return h;
}

// CDB builders (bytes as the standard lays them out).
export const cdb = {
  testUnitReady: (): number[] => [0x00, 0, 0, 0, 0, 0],
  rewind: (immed = false): number[] => [0x01, immed ? 1 : 0, 0, 0, 0, 0],
  read6: (length: number, flags = 0): number[] => [0x08, flags, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0],
  write6: (length: number, fixed = false): number[] => [0x0a, fixed ? 1 : 0, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0],
  writeFilemarks: (count: number, immed = false): number[] => [0x10, immed ? 1 : 0, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff, 0],
  space6: (code: number, count: number): number[] => [0x11, code, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff, 0],
  readPositionShort: (): number[] => [0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  erase: (immed = false, long = false): number[] => [0x19, (immed ? 2 : 0) | (long ? 1 : 0), 0, 0, 0, 0],
  setCapacity: (proportion: number, immed = false): number[] => [0x0b, immed ? 1 : 0, 0, (proportion >> 8) & 0xff, proportion & 0xff, 0],
  locate10: (object: number): number[] => [0x2b, 0, 0, (object >>> 24) & 0xff, (object >> 16) & 0xff, (object >> 8) & 0xff, object & 0xff, 0, 0, 0],
};
