// One SCSI command seen from the initiator: immediate data, unsolicited Data-Out, answers to R2Ts, Data-In
// reassembly, status from the final Data-In or the SCSI Response (RFC 7143 11.3-11.8).
import type { ReceivedPdu } from '../../src/iscsi/pdu-reader.js';
import type { CommandOptions, CommandResult, IscsiInitiator } from './iscsi-initiator.js';
import { header, lunField, Op } from './pdu-builder.js';

export class CommandExchange {
  private readonly dataIn: Buffer;
  private dataInEnd = 0;
  private readonly dataInSegments: number[] = [];
  private readonly r2ts: { offset: number; length: number }[] = [];

  constructor(
    private readonly s: IscsiInitiator,
    private readonly itt: number,
    private readonly lun: number,
    private readonly options: CommandOptions,
    private readonly resolve: (r: CommandResult) => void,
    readonly fail: (err: Error) => void,
  ) {
    this.dataIn = Buffer.alloc(options.bidiReadLength ?? options.expectedDataInLength ?? 0);
  }

  sendCommand(cdb: Buffer, cmdSN: number): void {
    const s = this.s;
    const out = this.options.dataOut;
    const edtl = out ? out.length : (this.options.expectedDataInLength ?? 0);
    const targetMrdsl = Number(s.negotiated.get('MaxRecvDataSegmentLength') ?? 8192);
    const firstBurst = Number(s.negotiated.get('FirstBurstLength') ?? 65536);
    const immediateData = s.negotiated.get('ImmediateData') === 'Yes';
    const initialR2T = s.negotiated.get('InitialR2T') !== 'No';
    const unsolicitedEnd = out && !initialR2T ? Math.min(firstBurst, out.length) : 0;
    const immLength = out && immediateData ? Math.min(firstBurst, targetMrdsl, out.length) : 0;
    const moreUnsolicited = unsolicitedEnd > immLength;

    const extraCdb = cdb.length > 16 ? cdb.subarray(16) : undefined;
    const ahsParts: Buffer[] = [];
    if (extraCdb) {
      // AHSLength counts the reserved byte and the CDB bytes; the whole AHS is padded to 4 bytes.
      const padded = Buffer.alloc((4 + extraCdb.length + 3) & ~3);
      padded.writeUInt16BE(extraCdb.length + 1, 0);
      padded[2] = 1;
      extraCdb.copy(padded, 4);
      ahsParts.push(padded);
    }
    if (this.options.bidiReadLength !== undefined) {
      const a = Buffer.alloc(8);
      a.writeUInt16BE(5, 0);
      a[2] = 2;
      a.writeUInt32BE(this.options.bidiReadLength, 4);
      ahsParts.push(a);
    }
    const ahs = Buffer.concat(ahsParts);
    let flags = moreUnsolicited ? 0 : 0x80;
    if (out) flags |= 0x20;
    if ((this.options.expectedDataInLength ?? 0) > 0 || this.options.bidiReadLength !== undefined) flags |= 0x40;
    flags |= this.options.taskAttribute ?? 1;
    const bhs = header(Op.SCSI_COMMAND, this.options.immediate === true, flags);
    lunField(this.lun).copy(bhs, 8);
    bhs.writeUInt32BE(this.itt, 16);
    bhs.writeUInt32BE(edtl >>> 0, 20);
    bhs.writeUInt32BE(cmdSN, 24);
    cdb.copy(bhs, 32, 0, Math.min(16, cdb.length));
    s.send(bhs, out && immLength > 0 ? out.subarray(0, immLength) : undefined, ahs);
    if (moreUnsolicited && out) this.sendData(out, immLength, unsolicitedEnd - immLength, 0xffffffff, targetMrdsl);
  }

  onPdu(pdu: ReceivedPdu): boolean {
    const bhs = pdu.bhs;
    const opcode = bhs[0] & 0x3f;
    if (opcode === Op.R2T) {
      const offset = bhs.readUInt32BE(40);
      const length = bhs.readUInt32BE(44);
      this.r2ts.push({ offset, length });
      const out = this.options.dataOut ?? Buffer.alloc(0);
      const mrdsl = Number(this.s.negotiated.get('MaxRecvDataSegmentLength') ?? 8192);
      const ttt = bhs.readUInt32BE(20);
      const hold = this.options.holdDataOut;
      if (hold) void hold.then(() => this.sendData(out, offset, length, ttt, mrdsl));
      else this.sendData(out, offset, length, ttt, mrdsl);
      return false;
    }
    if (opcode === Op.DATA_IN) {
      const offset = bhs.readUInt32BE(40);
      pdu.data.copy(this.dataIn, offset);
      this.dataInEnd = Math.max(this.dataInEnd, offset + pdu.data.length);
      this.dataInSegments.push(pdu.data.length);
      if ((bhs[1] & 0x01) === 0) return false;
      this.finish(bhs, undefined, true);
      return true;
    }
    if (opcode === Op.SCSI_RESPONSE) {
      let sense: Buffer | undefined;
      if (pdu.data.length >= 2) {
        const n = pdu.data.readUInt16BE(0);
        sense = Buffer.from(pdu.data.subarray(2, 2 + n));
      }
      this.finish(bhs, sense, false);
      return true;
    }
    return false;
  }

  private finish(bhs: Buffer, sense: Buffer | undefined, statusInDataIn: boolean): void {
    const flags = bhs[1];
    const residual = bhs.readUInt32BE(44);
    this.resolve({
      status: bhs[3],
      response: statusInDataIn ? 0 : bhs[2],
      ...(sense && sense.length > 0 ? { sense } : {}),
      dataIn: this.dataIn.subarray(0, this.dataInEnd),
      ...((flags & 0x04) !== 0 ? { residualOverflow: residual } : {}),
      ...((flags & 0x02) !== 0 ? { residualUnderflow: residual } : {}),
      statusInDataIn,
      dataInSegments: this.dataInSegments,
      r2ts: this.r2ts,
    });
  }

  /** Data-Out PDUs for [offset, offset+length), split at the target's MaxRecvDataSegmentLength. */
  private sendData(out: Buffer, offset: number, length: number, ttt: number, mrdsl: number): void {
    let dataSN = 0;
    const end = offset + length;
    for (let at = offset; at < end; at += mrdsl) {
      const n = Math.min(mrdsl, end - at);
      const bhs = header(Op.DATA_OUT, false, at + n >= end ? 0x80 : 0);
      lunField(this.lun).copy(bhs, 8);
      bhs.writeUInt32BE(this.itt, 16);
      bhs.writeUInt32BE(ttt, 20);
      bhs.writeUInt32BE(dataSN++, 36);
      bhs.writeUInt32BE(at, 40);
      this.s.send(bhs, out.subarray(at, at + n));
    }
  }
}
