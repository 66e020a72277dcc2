// SSC-4 client for one physical tape drive: load/unload, records of exact sizes in variable-block mode, filemarks,
// SPACE, LOCATE (when the drive has it: tgt has none) and READ POSITION. Early warning comes back with the write that reached it;
// VOLUME OVERFLOW, MEDIUM ERROR and the rest are PhysicalDeviceErrors with the sense in words.
import type { IscsiSession } from '../initiator/iscsi-session.js';
import { SenseKey } from '../scsi/sense.js';
import * as Cdb from './cdb.js';
import { PhysicalDeviceError } from './physical-device-error.js';
import { ScsiDevice } from './scsi-device.js';
import type { DecodedSense } from './sense-words.js';

export type PhysicalRead = { readonly kind: 'block'; readonly data: Buffer } | { readonly kind: 'filemark' } | { readonly kind: 'end-of-data' };

export interface PhysicalPosition {
  /**
   * Logical object identifier of the next object (blocks and filemarks counted from 0); undefined when the drive
   * says it does not know (LOLU), as tgt 1.0.85 always does: positions are then reached by SPACE from BOP.
   */
  readonly blockNumber?: number;
  readonly beginningOfPartition: boolean;
  readonly endOfPartition: boolean;
}

export interface WriteOptions {
  readonly inFlightWithOthers?: boolean;
}

/** The largest READ(6)/WRITE(6) transfer length. */
export const MAX_RECORD_BYTES = 0xffffff;

/** SSC-4 says BLANK CHECK 00/05; tgt answers BLANK CHECK 00/00 with EOM set. Any BLANK CHECK on a read is end of data. */
const isEndOfData = (s: DecodedSense): boolean => s.key === SenseKey.BLANK_CHECK;
const isEarlyWarning = (s: DecodedSense): boolean => s.key === SenseKey.NO_SENSE && s.eom;

export class PhysicalTapeDrive {
  readonly device: ScsiDevice;

  constructor(session: IscsiSession, readonly lun: number) {
    this.device = new ScsiDevice(session, lun);
  }

  /** Waits for the drive to report ready after a load (NOT READY becoming ready is waited out by ScsiDevice). */
  async waitReady(): Promise<void> {
    await this.device.run('TEST UNIT READY', Cdb.testUnitReady());
  }

  async load(): Promise<void> {
    await this.device.run('LOAD', Cdb.loadUnload(true), { timeoutMs: 900_000 });
  }

  async unload(): Promise<void> {
    await this.device.run('UNLOAD', Cdb.loadUnload(false), { timeoutMs: 900_000 });
  }

  async preventRemoval(prevent: boolean): Promise<void> {
    await this.device.run('PREVENT ALLOW MEDIUM REMOVAL', Cdb.preventAllowMediumRemoval(prevent));
  }

  async rewind(): Promise<void> {
    await this.device.run('REWIND', Cdb.rewind(), { timeoutMs: 900_000 });
  }

  /** One record of at most `maxBytes`; a longer record is an error (its tail would be lost). */
  async read(maxBytes: number): Promise<PhysicalRead> {
    const r = await this.device.run('READ', Cdb.readVariable(maxBytes), {
      dataInLength: maxBytes,
      accept: (s) => s.filemark || isEndOfData(s) || (s.ili && (s.information ?? 0) >= 0),
    });
    const s = r.sense;
    if (!s) return { kind: 'block', data: r.data };
    if (s.filemark) return { kind: 'filemark' };
    if (isEndOfData(s)) return { kind: 'end-of-data' };
    // ILI with a positive INFORMATION: the record was that much shorter than asked for.
    return { kind: 'block', data: r.data.subarray(0, maxBytes - (s.information ?? 0)) };
  }

  /**
   * Writes one record; `earlyWarning` when the drive passed its early-warning point (the record is written).
   * `inFlightWithOthers`: sent before the status of earlier writes came back (ScsiDevice's RunOptions).
   */
  async write(record: Buffer, o: WriteOptions = {}): Promise<{ earlyWarning: boolean }> {
    if (record.length > MAX_RECORD_BYTES) throw new RangeError(`a record of ${record.length} bytes is over the ${MAX_RECORD_BYTES} bytes WRITE(6) carries`);
    const r = await this.device.run('WRITE', Cdb.writeVariable(record.length), { dataOut: record, accept: isEarlyWarning, ...o });
    return { earlyWarning: r.sense !== undefined };
  }

  /**
   * The largest record a WRITE sends without waiting for an R2T (RFC 7143 13.11-13.14): FirstBurstLength with
   * InitialR2T=No, the immediate data alone with InitialR2T=Yes; 0 before the login.
   */
  unsolicitedBytes(): number {
    const p = this.device.session.negotiated;
    if (!p) return 0;
    if (!p.initialR2T) return p.firstBurstLength;
    return p.immediateData ? Math.min(p.firstBurstLength, p.targetMaxRecvDataSegmentLength) : 0;
  }

  async writeFilemarks(count: number, o: WriteOptions = {}): Promise<{ earlyWarning: boolean }> {
    const r = await this.device.run('WRITE FILEMARKS', Cdb.writeFilemarks(count), { accept: isEarlyWarning, ...o });
    return { earlyWarning: r.sense !== undefined };
  }

  /** SPACE forward over `count` blocks or filemarks, or to end of data; a count not done is an error. */
  async space(code: (typeof Cdb.SpaceCode)[keyof typeof Cdb.SpaceCode], count: number): Promise<void> {
    if (code !== Cdb.SpaceCode.END_OF_DATA && count === 0) return;
    await this.device.run('SPACE', Cdb.space(code, count), { timeoutMs: 900_000 });
  }

  /** Undefined until the first LOCATE says whether the drive implements it. */
  private locateSupported: boolean | undefined;

  /**
   * LOCATE(10) to logical object `objectNumber` (blocks and filemarks from BOP); false, without moving the tape, when
   * the drive answers ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (tgt 1.0.85): the caller then uses SPACE.
   */
  async locate(objectNumber: number): Promise<boolean> {
    if (this.locateSupported === false || objectNumber > 0xffffffff) return false;
    const r = await this.device.run('LOCATE', Cdb.locate10(objectNumber), {
      timeoutMs: 900_000,
      accept: (s) => s.key === SenseKey.ILLEGAL_REQUEST && s.asc === 0x20 && s.ascq === 0x00,
    });
    this.locateSupported = r.sense === undefined;
    return this.locateSupported;
  }

  async readPosition(): Promise<PhysicalPosition> {
    const r = await this.device.run('READ POSITION', Cdb.readPosition(), { dataInLength: 20 });
    if (r.data.length < 8) throw new PhysicalDeviceError('READ POSITION', 0, undefined, false);
    return {
      beginningOfPartition: (r.data[0] & 0x80) !== 0 && (r.data[0] & 0x04) === 0,
      endOfPartition: (r.data[0] & 0x40) !== 0,
      ...((r.data[0] & 0x04) === 0 ? { blockNumber: r.data.readUInt32BE(4) } : {}),
    };
  }
}
