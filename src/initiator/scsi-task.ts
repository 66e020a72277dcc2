// One SCSI command in flight, from the initiator's side (RFC 7143 11.3-11.8): immediate and unsolicited Data-Out
// within FirstBurstLength, solicited Data-Out for each R2T, Data-In placed at its buffer offset, and the status from
// the SCSI Response or from a Data-In with the S bit.
import { Bhs, DataBhs, encodeLun, newBhs, opcodeOf, PduOpcode, R2tBhs, RESERVED_TAG, ResponseBhs, type Pdu } from './pdu.js';
import type { NegotiatedParameters } from './login.js';

export interface ScsiRequest {
  readonly lun: number;
  readonly cdb: Buffer;
  /** Bytes to send to the device (a write). */
  readonly dataOut?: Buffer;
  /** Bytes expected from the device (a read): the buffer the target fills. */
  readonly dataInLength?: number;
  /**
   * SAM-5 task attribute (default SIMPLE). ORDERED keeps commands that are in flight together in CmdSN order on the
   * device: tape WRITEs sent without waiting for each other's status.
   */
  readonly taskAttribute?: TaskAttribute;
}

/** RFC 7143 11.3.1 ATTR field values. */
export const TaskAttribute = { SIMPLE: 1, ORDERED: 2 } as const;
export type TaskAttribute = (typeof TaskAttribute)[keyof typeof TaskAttribute];

export interface ScsiResult {
  /** SAM status: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, 0x18 RESERVATION CONFLICT... */
  readonly status: number;
  readonly sense?: Buffer;
  /** The Data-In bytes received (up to what the target sent). */
  readonly data: Buffer;
  /** Bytes the device wanted to transfer beyond the expected length (overflow) or did not (underflow). */
  readonly residualOverflow: number;
  readonly residualUnderflow: number;
}

export const Status = { GOOD: 0x00, CHECK_CONDITION: 0x02, BUSY: 0x08, RESERVATION_CONFLICT: 0x18, TASK_SET_FULL: 0x28 } as const;

export type SendPdu = (bhs: Buffer, data?: Buffer) => void;

export class ScsiTask {
  private readonly dataIn: Buffer;
  private received = 0;

  constructor(
    readonly itt: number,
    private readonly request: ScsiRequest,
    private readonly params: NegotiatedParameters,
    private readonly send: SendPdu,
    readonly resolve: (result: ScsiResult) => void,
    readonly reject: (err: Error) => void,
  ) {
    this.dataIn = Buffer.allocUnsafe(request.dataInLength ?? 0);
  }

  /** The SCSI Command PDU with its immediate data, then any unsolicited Data-Out. */
  start(cmdSN: number): void {
    const { cdb, dataOut, lun } = this.request;
    if (cdb.length > 16) throw new RangeError('CDBs longer than 16 bytes need an AHS, which this initiator does not send');
    const outLength = dataOut?.length ?? 0;
    const p = this.params;
    const unsolicited = dataOut && !p.initialR2T ? Math.min(p.firstBurstLength, outLength) : 0;
    const immediate = dataOut && p.immediateData ? Math.min(p.firstBurstLength, p.targetMaxRecvDataSegmentLength, outLength) : 0;
    let flags = immediate < unsolicited ? 0 : 0x80;
    if (outLength > 0) flags |= 0x20;
    if ((this.request.dataInLength ?? 0) > 0) flags |= 0x40;
    flags |= this.request.taskAttribute ?? TaskAttribute.SIMPLE;
    const bhs = newBhs(PduOpcode.SCSI_COMMAND, false, flags);
    encodeLun(lun, bhs);
    bhs.writeUInt32BE(this.itt, Bhs.INITIATOR_TASK_TAG);
    bhs.writeUInt32BE(outLength > 0 ? outLength : (this.request.dataInLength ?? 0), 20);
    bhs.writeUInt32BE(cmdSN >>> 0, Bhs.CMD_SN);
    cdb.copy(bhs, 32);
    this.send(bhs, immediate > 0 ? dataOut?.subarray(0, immediate) : undefined);
    if (dataOut && unsolicited > immediate) this.sendDataOut(dataOut, immediate, unsolicited - immediate, RESERVED_TAG);
  }

  /** Returns true when the PDU ended the task. */
  onPdu(pdu: Pdu): boolean {
    const op = opcodeOf(pdu.bhs);
    if (op === PduOpcode.R2T) {
      const offset = pdu.bhs.readUInt32BE(DataBhs.BUFFER_OFFSET);
      const length = pdu.bhs.readUInt32BE(R2tBhs.DESIRED_DATA_TRANSFER_LENGTH);
      const out = this.request.dataOut;
      if (!out || offset + length > out.length) {
        this.reject(new Error(`the target asked (R2T) for bytes ${offset}+${length} beyond the ${out?.length ?? 0} bytes of the command`));
        return true;
      }
      this.sendDataOut(out, offset, length, pdu.bhs.readUInt32BE(Bhs.TARGET_TRANSFER_TAG));
      return false;
    }
    if (op === PduOpcode.SCSI_DATA_IN) {
      const offset = pdu.bhs.readUInt32BE(DataBhs.BUFFER_OFFSET);
      if (offset + pdu.data.length > this.dataIn.length) {
        this.reject(new Error(`the target sent Data-In bytes ${offset}+${pdu.data.length} beyond the ${this.dataIn.length} expected`));
        return true;
      }
      pdu.data.copy(this.dataIn, offset);
      this.received = Math.max(this.received, offset + pdu.data.length);
      if ((pdu.bhs[Bhs.FLAGS] & 0x01) === 0) return false;
      this.finish(pdu.bhs, undefined);
      return true;
    }
    if (op === PduOpcode.SCSI_RESPONSE) {
      if (pdu.bhs[2] !== 0) {
        this.reject(new Error(`the target failed the command (iSCSI response 0x${pdu.bhs[2].toString(16)})`));
        return true;
      }
      const senseLength = pdu.data.length >= 2 ? pdu.data.readUInt16BE(0) : 0;
      this.finish(pdu.bhs, senseLength > 0 ? Buffer.from(pdu.data.subarray(2, 2 + senseLength)) : undefined);
      return true;
    }
    return false;
  }

  private finish(bhs: Buffer, sense: Buffer | undefined): void {
    const flags = bhs[Bhs.FLAGS];
    const residual = bhs.readUInt32BE(ResponseBhs.RESIDUAL_COUNT);
    this.resolve({
      status: bhs[3],
      ...(sense ? { sense } : {}),
      data: this.dataIn.subarray(0, this.received),
      residualOverflow: (flags & 0x04) !== 0 ? residual : 0,
      residualUnderflow: (flags & 0x02) !== 0 ? residual : 0,
    });
  }

  /** Data-Out PDUs for [offset, offset + length), each within the target's MaxRecvDataSegmentLength. */
  private sendDataOut(out: Buffer, offset: number, length: number, ttt: number): void {
    const step = this.params.targetMaxRecvDataSegmentLength;
    const end = offset + length;
    let dataSN = 0;
    for (let at = offset; at < end; at += step) {
      const n = Math.min(step, end - at);
      const bhs = newBhs(PduOpcode.SCSI_DATA_OUT, false, at + n >= end ? 0x80 : 0);
      encodeLun(this.request.lun, bhs);
      bhs.writeUInt32BE(this.itt, Bhs.INITIATOR_TASK_TAG);
      bhs.writeUInt32BE(ttt, Bhs.TARGET_TRANSFER_TAG);
      bhs.writeUInt32BE(dataSN++, DataBhs.DATA_SN);
      bhs.writeUInt32BE(at, DataBhs.BUFFER_OFFSET);
      this.send(bhs, out.subarray(at, at + n));
    }
  }
}
