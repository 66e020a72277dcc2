// A changer LUN over a temp-dir library with fake drives, and helpers to run CDBs and read sense.
import assert from 'node:assert/strict';
import type { ItNexus, ScsiResponse } from '../../src/scsi/logical-unit.js';
import { TaskAttribute } from '../../src/scsi/logical-unit.js';
import { createChangerUnit } from '../../src/scsi/smc/changer-unit.js';
import type { CommandDispatcher } from '../../src/scsi/dispatcher.js';
import type { ChangerDevice } from '../../src/scsi/smc/changer-device.js';
import { ScsiStatus } from '../../src/scsi/status.js';
import { silentLogger } from '../../src/log.js';
import { harness } from '../library/harness.js';
import type { Harness } from '../library/harness.js';
import type { VtlConfig } from '../../src/config/schema.js';

export function nexus(n: number): ItNexus {
  return { id: `nexus-${n}`, initiatorPort: `iqn.2026-01.test:host${n},i,0x00023d000001`, targetPort: 'iqn.2026-11.org.vtl:lib0,t,0x0001', relativeTargetPort: 1 };
}

export interface ChangerHarness extends Harness {
  unit: CommandDispatcher<ChangerDevice>;
  /** Restart the library (reopen the catalog) and build a new changer on it. */
  restartChanger(config?: VtlConfig): Promise<void>;
  run(cdb: readonly number[], options?: { nexus?: ItNexus; dataOut?: Buffer }): Promise<ScsiResponse>;
  /** Run and expect GOOD; returns data-in (empty buffer when none). */
  good(cdb: readonly number[], options?: { nexus?: ItNexus }): Promise<Buffer>;
  /** Run and expect CHECK CONDITION with this key/ASC/ASCQ. */
  check(cdb: readonly number[], key: number, asc: number, ascq: number, options?: { nexus?: ItNexus }): Promise<Buffer>;
  close(): void;
}

export async function changerHarness(config?: VtlConfig): Promise<ChangerHarness> {
  const h = await harness(config);
  let unit = createChangerUnit({ manager: h.manager, library: 'lib0', log: silentLogger() });
  const run = (cdb: readonly number[], options: { nexus?: ItNexus; dataOut?: Buffer } = {}): Promise<ScsiResponse> => {
    const padded = Buffer.alloc(Math.max(16, cdb.length));
    Buffer.from(cdb).copy(padded);
    return unit.execute({
      lun: 0, cdb: padded, dataOut: options.dataOut, expectedDataInLength: 0x10000, expectedDataOutLength: options.dataOut?.length ?? 0,
      taskAttribute: TaskAttribute.SIMPLE, nexus: options.nexus ?? nexus(1), signal: new AbortController().signal,
    });
  };
  const ch: ChangerHarness = Object.assign(h, {
    unit,
    run,
    async restartChanger(next?: VtlConfig): Promise<void> {
      unit.device.close();
      await h.restart(next);
      unit = createChangerUnit({ manager: h.manager, library: 'lib0', log: silentLogger() });
      ch.unit = unit;
      await run([0x00, 0, 0, 0, 0, 0]);
    },
    async good(cdb: readonly number[], options: { nexus?: ItNexus } = {}): Promise<Buffer> {
      const r = await run(cdb, options);
      assert.equal(r.status, ScsiStatus.GOOD, `expected GOOD, got ${r.status} sense ${r.sense?.toString('hex') ?? ''}`);
      return r.dataIn ?? Buffer.alloc(0);
    },
    async check(cdb: readonly number[], key: number, asc: number, ascq: number, options: { nexus?: ItNexus } = {}): Promise<Buffer> {
      const r = await run(cdb, options);
      assert.equal(r.status, ScsiStatus.CHECK_CONDITION, 'expected CHECK CONDITION');
      const s = r.sense ?? Buffer.alloc(18);
      assert.deepEqual([s[2] & 0x0f, s[12], s[13]], [key, asc, ascq], `sense ${s.toString('hex')}`);
      return s;
    },
    close(): void {
      unit.device.close();
      h.cleanup();
    },
  });
  // Consume the power-on unit attention of nexus 1.
  await run([0x00, 0, 0, 0, 0, 0]);
  return ch;
}

/** The 36-byte primary volume tag for a barcode: left-aligned, space padded to 32, then 4 zero bytes. */
export function volumeTag(barcode: string | undefined): number[] {
  if (barcode === undefined) return new Array<number>(36).fill(0);
  return [...Buffer.from(barcode.padEnd(32, ' '), 'ascii'), 0, 0, 0, 0];
}
