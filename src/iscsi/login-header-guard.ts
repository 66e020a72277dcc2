// RFC 7143 11.12: the header fields of a login that must not change. ISID, TSIH and CID identify the connection
// being logged in and stay those of the first Login Request; a request that continues text split with the C bit
// (6.2, 11.12.2) also keeps the ITT, the CSG and CmdSN of the one it continues. A change is 02/00 (issue 22).
import { LoginReject } from './login-reject.js';
import { Bhs, LoginBhs, LoginStatus } from './pdu.js';

interface FirstRequest {
  readonly isid: Buffer;
  readonly tsih: number;
  readonly cid: number;
  readonly cmdSN: number;
}

export class LoginHeaderGuard {
  private first: FirstRequest | undefined;
  /** The previous request when it had the C bit. */
  private continuing: Buffer | undefined;

  /** Takes the fields of the first request, or checks a later one against them. True for the first request. */
  accept(req: Buffer): boolean {
    const isFirst = this.first === undefined;
    if (this.first === undefined) {
      this.first = {
        isid: Buffer.from(req.subarray(LoginBhs.ISID, LoginBhs.ISID + 6)),
        tsih: req.readUInt16BE(LoginBhs.TSIH),
        cid: req.readUInt16BE(LoginBhs.CID),
        cmdSN: req.readUInt32BE(Bhs.CMD_SN),
      };
    } else {
      this.check(this.first, req);
    }
    this.continuing = (req[Bhs.FLAGS] & LoginBhs.FLAG_CONTINUE) !== 0 ? Buffer.from(req) : undefined;
    return isFirst;
  }

  /** The first request's fields (accept() must have been called). */
  get request(): FirstRequest {
    if (!this.first) throw new Error('LoginHeaderGuard.request before the first request');
    return this.first;
  }

  private check(first: FirstRequest, req: Buffer): void {
    const changed: string[] = [];
    if (!req.subarray(LoginBhs.ISID, LoginBhs.ISID + 6).equals(first.isid)) changed.push('ISID');
    if (req.readUInt16BE(LoginBhs.TSIH) !== first.tsih) changed.push('TSIH');
    if (req.readUInt16BE(LoginBhs.CID) !== first.cid) changed.push('CID');
    const prev = this.continuing;
    if (prev) {
      if (req.readUInt32BE(Bhs.INITIATOR_TASK_TAG) !== prev.readUInt32BE(Bhs.INITIATOR_TASK_TAG)) changed.push('ITT');
      if (((req[Bhs.FLAGS] >> 2) & 0x03) !== ((prev[Bhs.FLAGS] >> 2) & 0x03)) changed.push('CSG');
      if (req.readUInt32BE(Bhs.CMD_SN) !== prev.readUInt32BE(Bhs.CMD_SN)) changed.push('CmdSN');
    }
    if (changed.length > 0) {
      throw new LoginReject(LoginStatus.INITIATOR_ERROR, `${changed.join(', ')} changed during login${prev ? ' (in a continuation, C bit)' : ''}`);
    }
  }
}
