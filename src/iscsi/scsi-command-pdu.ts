// RFC 7143 11.3 SCSI Command PDU pieces that need more than an offset: the AHS (extended CDB, bidirectional read
// length), and the key that identifies a session (initiator name, ISID, target).
import { AhsType, ScsiCommandBhs } from './pdu.js';

export function sessionKey(initiatorName: string, isid: Buffer, targetName: string | undefined): string {
  return `${initiatorName.toLowerCase()}|${isid.toString('hex')}|${(targetName ?? '').toLowerCase()}`;
}

/** 11.2.2: the CDB (with an Extended CDB AHS) and a Bidirectional Read Data Length AHS. */
export function decodeAhs(bhs: Buffer, ahs: Buffer): { cdb: Buffer; bidiReadLength: number | undefined; error?: string } {
  let cdb = Buffer.from(bhs.subarray(ScsiCommandBhs.CDB, ScsiCommandBhs.CDB + ScsiCommandBhs.CDB_LENGTH));
  let bidiReadLength: number | undefined;
  for (let at = 0; at < ahs.length; ) {
    if (at + 4 > ahs.length) return { cdb, bidiReadLength, error: 'truncated AHS' };
    const length = ahs.readUInt16BE(at);
    const type = ahs[at + 2];
    const total = (3 + length + 3) & ~3;
    if (length === 0 || at + total > ahs.length) return { cdb, bidiReadLength, error: 'AHS length beyond TotalAHSLength' };
    if (type === AhsType.EXTENDED_CDB) {
      cdb = Buffer.concat([cdb, ahs.subarray(at + 4, at + 3 + length)]);
    } else if (type === AhsType.BIDIRECTIONAL_READ_DATA_LENGTH && length === 5) {
      bidiReadLength = ahs.readUInt32BE(at + 4);
    } else {
      return { cdb, bidiReadLength, error: `unsupported AHS type ${type}` };
    }
    at += total;
  }
  return { cdb, bidiReadLength };
}
