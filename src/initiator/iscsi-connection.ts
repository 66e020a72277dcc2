// One iSCSI connection in full feature phase (ErrorRecoveryLevel 0, one connection per session): sequence numbers
// and the command window, SCSI tasks by Initiator Task Tag, answers to the target's NOP-In pings, and the target's
// asynchronous requests. It runs over any Duplex so tests can feed it bytes; tcp-transport.ts opens the socket.
import type { Duplex } from 'node:stream';
import { IscsiConnectionError } from './initiator-errors.js';
import { runLogin, type LoginParameters, type NegotiatedParameters } from './login.js';
import { PduFramer } from './pdu-framer.js';
import { Bhs, encodePdu, newBhs, opcodeOf, PduOpcode, RESERVED_TAG, snAfter, type Digests, type Pdu } from './pdu.js';
import { ScsiTask, type ScsiRequest, type ScsiResult } from './scsi-task.js';

interface PendingReply {
  onPdu(pdu: Pdu): boolean;
  reject(err: Error): void;
}

export class IscsiConnection {
  private digests: Digests = { header: false, data: false };
  private params: NegotiatedParameters | undefined;
  private readonly framer: PduFramer;
  private readonly pending = new Map<number, PendingReply>();
  private loginReply: ((pdu: Pdu) => void) | undefined;
  private windowWaiters: (() => void)[] = [];
  private nextItt = 1;
  private cmdSN: number;
  private expStatSN = 0;
  private maxCmdSN: number;
  private closedError: Error | undefined;
  /** The target asked us to log out or announced a drop: no new command goes here. */
  retiring = false;
  readonly closed: Promise<void>;

  constructor(private readonly transport: Duplex, firstCmdSN: number, maxRecvDataSegmentLength: number) {
    this.cmdSN = firstCmdSN;
    this.maxCmdSN = firstCmdSN;
    this.framer = new PduFramer({ maxDataSegmentLength: maxRecvDataSegmentLength, digests: () => this.digests, onPdu: (p) => this.dispatch(p) });
    transport.on('data', (chunk: Buffer) => {
      try {
        this.framer.push(chunk);
      } catch (err) {
        this.close(err instanceof Error ? err : new Error(String(err)));
      }
    });
    transport.on('error', (err) => this.close(new IscsiConnectionError(`connection error: ${err.message}`, { cause: err })));
    this.closed = new Promise((resolve) => transport.once('close', () => {
      this.close(new IscsiConnectionError('the target closed the connection'));
      resolve();
    }));
  }

  get isOpen(): boolean {
    return this.closedError === undefined;
  }

  get negotiated(): NegotiatedParameters | undefined {
    return this.params;
  }

  get nextCmdSN(): number {
    return this.cmdSN;
  }

  async login(parameters: Omit<LoginParameters, 'cmdSN'>): Promise<NegotiatedParameters> {
    const exchange = (bhs: Buffer, data: Buffer): Promise<Pdu> =>
      new Promise((resolve, reject) => {
        this.pending.set(RESERVED_TAG, { onPdu: () => true, reject });
        this.loginReply = (pdu) => {
          this.pending.delete(RESERVED_TAG);
          resolve(pdu);
        };
        this.write(bhs, data);
      });
    const params = await runLogin({ ...parameters, cmdSN: this.cmdSN }, exchange, this.allocateItt());
    this.params = params;
    this.expStatSN = params.statSN;
    this.maxCmdSN = params.maxCmdSN;
    // Digests start with the first PDU after the final Login Response (RFC 7143 13.1).
    this.digests = { header: params.headerDigest, data: params.dataDigest };
    return params;
  }

  /** Runs one SCSI command; rejects with IscsiConnectionError when the connection ends before its status. */
  async execute(request: ScsiRequest): Promise<ScsiResult> {
    const params = this.params;
    if (!params) throw new Error('execute() before login');
    await this.waitForWindow();
    const itt = this.allocateItt();
    return new Promise<ScsiResult>((resolve, reject) => {
      const task = new ScsiTask(itt, request, params, (bhs, data) => this.write(bhs, data), resolve, reject);
      this.pending.set(itt, task);
      const cmdSN = this.cmdSN;
      this.cmdSN = (this.cmdSN + 1) >>> 0;
      task.start(cmdSN);
    });
  }

  /** Text request (SendTargets on a discovery session); follows continuation (C bit) answers. */
  async text(pairs: [string, string][]): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let ttt = RESERVED_TAG;
    let data = Buffer.from(pairs.map(([k, v]) => `${k}=${v}\0`).join(''), 'utf8');
    for (;;) {
      const bhs = newBhs(PduOpcode.TEXT_REQUEST, true, 0x80);
      bhs.writeUInt32BE(ttt, Bhs.TARGET_TRANSFER_TAG);
      const reply = await this.request(bhs, data);
      chunks.push(reply.data);
      if ((reply.bhs[Bhs.FLAGS] & 0x40) === 0) return Buffer.concat(chunks);
      ttt = reply.bhs.readUInt32BE(Bhs.TARGET_TRANSFER_TAG);
      data = Buffer.alloc(0);
    }
  }

  /** Logout (close the session) and end the connection; a connection already gone is fine. */
  async logout(): Promise<void> {
    if (!this.isOpen) return;
    try {
      await this.request(newBhs(PduOpcode.LOGOUT_REQUEST, true, 0x80), undefined);
    } catch {
      // The session ends either way: the target drops it when the connection closes.
    }
    this.transport.end();
  }

  close(reason: Error): void {
    if (this.closedError) return;
    this.closedError = reason;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(reason);
    for (const w of this.windowWaiters.splice(0)) w();
    this.transport.destroy();
  }

  /** A request answered by one PDU with the same ITT (Text, Logout, NOP). */
  private request(bhs: Buffer, data: Buffer | undefined): Promise<Pdu> {
    if (this.closedError) return Promise.reject(this.closedError);
    const itt = this.allocateItt();
    bhs.writeUInt32BE(itt, Bhs.INITIATOR_TASK_TAG);
    bhs.writeUInt32BE(this.cmdSN, Bhs.CMD_SN);
    return new Promise((resolve, reject) => {
      this.pending.set(itt, { onPdu: (p) => (resolve(p), true), reject });
      this.write(bhs, data);
    });
  }

  private write(bhs: Buffer, data: Buffer | undefined): void {
    if (this.closedError) return;
    bhs.writeUInt32BE(this.expStatSN, Bhs.EXP_STAT_SN);
    for (const part of encodePdu(bhs, data, this.digests)) this.transport.write(part);
  }

  private allocateItt(): number {
    const itt = this.nextItt;
    this.nextItt = this.nextItt >= 0x7fffffff ? 1 : this.nextItt + 1;
    return itt;
  }

  /**
   * Commands take their CmdSN in the order execute() was called (a tape drive runs them in CmdSN order, and pipelined
   * WRITEs rely on it): a caller finding others parked for the window parks behind them, even if the window is open.
   */
  private async waitForWindow(): Promise<void> {
    let parked = this.windowWaiters.length > 0;
    while (parked || snAfter(this.cmdSN, this.maxCmdSN)) {
      parked = false;
      if (this.closedError) throw this.closedError;
      await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
    }
    if (this.closedError) throw this.closedError;
  }

  private trackSequence(bhs: Buffer, carriesStatSN: boolean): void {
    if (carriesStatSN) {
      const statSN = bhs.readUInt32BE(Bhs.STAT_SN);
      if (!snAfter(this.expStatSN, statSN + 1)) this.expStatSN = (statSN + 1) >>> 0;
    }
    const maxCmdSN = bhs.readUInt32BE(Bhs.MAX_CMD_SN);
    const expCmdSN = bhs.readUInt32BE(Bhs.EXP_CMD_SN);
    // RFC 7143 4.2.2.1: a MaxCmdSN below ExpCmdSN - 1 is invalid and ignored; otherwise it only moves forward.
    if (!snAfter(expCmdSN, maxCmdSN + 1) && snAfter(maxCmdSN, this.maxCmdSN)) {
      this.maxCmdSN = maxCmdSN;
      for (const w of this.windowWaiters.splice(0)) w();
    }
  }

  private dispatch(pdu: Pdu): void {
    const op = opcodeOf(pdu.bhs);
    if (op === PduOpcode.LOGIN_RESPONSE) {
      const reply = this.loginReply;
      this.loginReply = undefined;
      if (reply) reply(pdu);
      else this.close(new IscsiConnectionError('the target sent a Login Response outside the login phase'));
      return;
    }
    const itt = pdu.bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG);
    switch (op) {
      case PduOpcode.NOP_IN:
        this.trackSequence(pdu.bhs, itt !== RESERVED_TAG);
        if (itt === RESERVED_TAG) this.answerPing(pdu);
        break;
      case PduOpcode.ASYNC_MESSAGE:
        this.trackSequence(pdu.bhs, true);
        this.onAsyncEvent(pdu.bhs[36]);
        return;
      case PduOpcode.REJECT: {
        this.trackSequence(pdu.bhs, true);
        const rejected = pdu.data.length >= 20 ? pdu.data.readUInt32BE(Bhs.INITIATOR_TASK_TAG) : RESERVED_TAG;
        const p = this.pending.get(rejected);
        if (p) {
          this.pending.delete(rejected);
          p.reject(new Error(`the target rejected a PDU (reason 0x${pdu.bhs[2].toString(16)})`));
        }
        return;
      }
      case PduOpcode.R2T:
        this.trackSequence(pdu.bhs, false);
        break;
      case PduOpcode.SCSI_DATA_IN:
        this.trackSequence(pdu.bhs, (pdu.bhs[Bhs.FLAGS] & 0x01) !== 0);
        break;
      default:
        this.trackSequence(pdu.bhs, true);
    }
    if (itt === RESERVED_TAG) return;
    const p = this.pending.get(itt);
    if (p?.onPdu(pdu)) {
      this.pending.delete(itt);
      if (this.retiring && this.pending.size === 0) void this.logout();
    }
  }

  private answerPing(pdu: Pdu): void {
    const ttt = pdu.bhs.readUInt32BE(Bhs.TARGET_TRANSFER_TAG);
    if (ttt === RESERVED_TAG) return;
    const bhs = newBhs(PduOpcode.NOP_OUT, true, 0x80);
    pdu.bhs.copy(bhs, Bhs.LUN, Bhs.LUN, Bhs.LUN + 8);
    bhs.writeUInt32BE(RESERVED_TAG, Bhs.INITIATOR_TASK_TAG);
    bhs.writeUInt32BE(ttt, Bhs.TARGET_TRANSFER_TAG);
    bhs.writeUInt32BE(this.cmdSN, Bhs.CMD_SN);
    this.write(bhs, pdu.data);
  }

  /** RFC 7143 11.9.1: 1 = please log out, 2/3 = the target will drop the connection(s). */
  private onAsyncEvent(event: number): void {
    if (event < 1 || event > 3) return;
    this.retiring = true;
    if (this.pending.size === 0) void this.logout();
  }
}
