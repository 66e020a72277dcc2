// SAM-5 4.6 SCSI target device: routes commands to logical units and answers for LUNs that do not exist
// (SPC-4 4.x: INQUIRY with peripheral qualifier 011b, REPORT LUNS, REQUEST SENSE; anything else 25h/00h).
import type { Logger } from '../log.js';
import { DataDirection } from './command.js';
import type { DecodedCdb } from './command.js';
import { checkCdbUsage, checkCondition } from './dispatcher.js';
import type { LogicalUnit, ScsiCommand, ScsiResponse, ScsiTargetDevice, TargetEvent } from './logical-unit.js';
import { encodeLun } from './lun.js';
import { encodeSense, Sense, SenseError, SenseFormat, senseOf } from './sense.js';
import { ScsiStatus } from './status.js';

const Op = { INQUIRY: 0x12, REQUEST_SENSE: 0x03, REPORT_LUNS: 0xa0 } as const;

/** SPC-4 6.33 REPORT LUNS parameter data for `luns` (SELECT REPORT 00h, 02h: all logical units). */
export function encodeReportLuns(luns: readonly number[]): Buffer {
  const b = Buffer.alloc(8 + 8 * luns.length);
  b.writeUInt32BE(8 * luns.length, 0);
  luns.forEach((lun, i) => encodeLun(lun).copy(b, 8 + 8 * i));
  return b;
}

/** CDB usage for REPORT LUNS (SPC-4 6.33). */
export const REPORT_LUNS_CDB_USAGE = [Op.REPORT_LUNS, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00] as const;

export interface ReportLunsCdb extends DecodedCdb {
  readonly selectReport: number;
}

/** SELECT REPORT and ALLOCATION LENGTH of a REPORT LUNS CDB whose usage mask has been checked. */
export function decodeReportLuns(cdb: Buffer): ReportLunsCdb {
  const select = cdb[2];
  // 00h all, 02h all; 01h well-known LUNs only (we have none); 10h-12h administrative LUN forms: none here.
  if (select !== 0x00 && select !== 0x01 && select !== 0x02 && select !== 0x10 && select !== 0x11 && select !== 0x12) {
    throw Sense.invalidFieldInCdb(2);
  }
  const allocation = cdb.readUInt32BE(6);
  if (allocation < 16) throw Sense.invalidFieldInCdb(6);
  return { direction: DataDirection.IN, lengthBytes: allocation, selectReport: select };
}

/** REPORT LUNS parameter data for a decoded CDB (SPC devices answer for their target with it). */
export function answerReportLuns(request: ReportLunsCdb, luns: readonly number[]): Buffer {
  const select = request.selectReport;
  const list = select === 0x00 || select === 0x02 ? luns : select === 0x11 ? luns : [];
  const data = encodeReportLuns(list);
  return data.subarray(0, Math.min(request.lengthBytes, data.length));
}

/** Check, decode and answer a REPORT LUNS CDB that no dispatcher has seen (LUNs without a logical unit). */
export function reportLuns(cdb: Buffer, luns: readonly number[]): Buffer {
  checkCdbUsage(cdb.subarray(0, 12), REPORT_LUNS_CDB_USAGE);
  return answerReportLuns(decodeReportLuns(cdb), luns);
}

export class ScsiTarget implements ScsiTargetDevice {
  private readonly units = new Map<number, LogicalUnit>();
  private sorted: number[] = [];

  constructor(private readonly log: Logger) {}

  attach(lun: number, unit: LogicalUnit): void {
    if (this.units.has(lun)) throw new Error(`LUN ${lun} is already attached`);
    this.units.set(lun, unit);
    this.sorted = [...this.units.keys()].sort((a, b) => a - b);
  }

  detach(lun: number): void {
    this.units.delete(lun);
    this.sorted = [...this.units.keys()].sort((a, b) => a - b);
  }

  luns(): readonly number[] {
    return this.sorted;
  }

  hasLun(lun: number): boolean {
    return this.units.has(lun);
  }

  async execute(command: ScsiCommand): Promise<ScsiResponse> {
    const unit = this.units.get(command.lun);
    if (unit) return unit.execute(command);
    return this.answerUnknownLun(command);
  }

  handleEvent(event: TargetEvent): void {
    if (event.kind === 'logical-unit-reset' || event.kind === 'clear-task-set') {
      this.units.get(event.lun)?.handleEvent(event);
      return;
    }
    for (const unit of this.units.values()) unit.handleEvent(event);
  }

  private answerUnknownLun(command: ScsiCommand): ScsiResponse {
    const cdb = command.cdb;
    try {
      switch (cdb[0]) {
        case Op.REPORT_LUNS:
          return { status: ScsiStatus.GOOD, dataIn: reportLuns(cdb, this.sorted) };
        case Op.INQUIRY: {
          if ((cdb[1] & 0x01) !== 0) throw Sense.logicalUnitNotSupported();
          const allocation = cdb.readUInt16BE(3);
          const data = Buffer.alloc(36);
          data[0] = 0x7f; // peripheral qualifier 011b, device type 1Fh: no logical unit here
          data[2] = 0x06;
          data[3] = 0x02;
          data[4] = 31;
          return { status: ScsiStatus.GOOD, dataIn: data.subarray(0, Math.min(allocation, 36)) };
        }
        case Op.REQUEST_SENSE: {
          const format = (cdb[1] & 0x01) !== 0 ? SenseFormat.DESCRIPTOR : SenseFormat.FIXED;
          const data = encodeSense(senseOf('LOGICAL_UNIT_NOT_SUPPORTED'), format);
          return { status: ScsiStatus.GOOD, dataIn: data.subarray(0, Math.min(cdb[4], data.length)) };
        }
        default:
          throw Sense.logicalUnitNotSupported();
      }
    } catch (err) {
      if (err instanceof SenseError) return checkCondition(err.sense, SenseFormat.FIXED);
      this.log.error({ err, lun: command.lun }, 'internal error answering for an unknown LUN');
      return checkCondition(senseOf('INTERNAL_TARGET_FAILURE'), SenseFormat.FIXED);
    }
  }
}
