// A small iSCSI initiator for protocol and scenario tests (RFC 7143, ErrorRecoveryLevel 0, one connection).
// It talks plain TCP (or an injected Duplex), logs in with or without CHAP, and runs SCSI commands with
// immediate data, unsolicited Data-Out and R2T-solicited Data-Out. It records what the target did (R2Ts,
// Data-In PDUs, rejects) so tests can assert on the protocol, not only on the result.
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { PduReader } from '../../src/iscsi/pdu-reader.js';
import type { ReceivedPdu } from '../../src/iscsi/pdu-reader.js';
import { CommandExchange } from './command-exchange.js';
import { decodeText, encodeText, frame, header, lunField, Op } from './pdu-builder.js';
import { runLogin } from './login.js';

export { LoginError } from './login.js';
import type { LoginOptions } from './login.js';

export interface InitiatorOptions extends LoginOptions {
  readonly host: string;
  readonly port: number;
  /** Use this transport instead of a TCP connection. */
  readonly transport?: Duplex;
  /** Answer target NOP-In pings (default true); false lets a test simulate a dead initiator. */
  readonly answerPings?: boolean;
}

export interface CommandOptions {
  readonly dataOut?: Buffer;
  readonly expectedDataInLength?: number;
  /** Send the command as an immediate command (I bit). */
  readonly immediate?: boolean;
  /** SAM task attribute code (0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA). */
  readonly taskAttribute?: number;
  /** Bidirectional: expected read length in a Bidirectional Read Data Length AHS. */
  readonly bidiReadLength?: number;
  /** Answer R2Ts only once this resolves (tests of ordering and data-out timing). */
  readonly holdDataOut?: Promise<void>;
}

export interface CommandResult {
  readonly status: number;
  readonly sense?: Buffer;
  readonly dataIn: Buffer;
  readonly residualOverflow?: number;
  readonly residualUnderflow?: number;
  /** iSCSI response code (0 = command completed at target). */
  readonly response: number;
  /** True when the status came in the final Data-In (S bit) rather than a SCSI Response. */
  readonly statusInDataIn: boolean;
  readonly dataInSegments: readonly number[];
  readonly r2ts: readonly { readonly offset: number; readonly length: number }[];
}

export interface RunningCommand {
  readonly itt: number;
  readonly cmdSN: number;
  readonly done: Promise<CommandResult>;
}

interface Waiter {
  /** Return true when the PDU completes the exchange. */
  onPdu(pdu: ReceivedPdu): boolean;
  fail(err: Error): void;
}

export class IscsiInitiator {
  itt = 0x1000;
  cmdSN = 1;
  expStatSN = 0;
  expCmdSN = 1;
  maxCmdSN = 1;
  headerDigest = false;
  dataDigest = false;
  /** Every key the target answered during login. */
  readonly negotiated = new Map<string, string>();
  readonly rejects: Buffer[] = [];
  readonly asyncMessages: Buffer[] = [];
  readonly pingsReceived: number[] = [];
  readonly closed: Promise<void>;
  tsih = 0;
  private readonly waiters = new Map<number, Waiter>();
  private readonly reader: PduReader;
  private loginWaiter: Waiter | undefined;
  private windowWaiters: (() => void)[] = [];
  private isClosed = false;

  private constructor(readonly socket: Duplex, readonly options: InitiatorOptions) {
    this.reader = new PduReader({
      maxDataSegmentLength: () => 16 * 1024 * 1024,
      headerDigest: () => this.headerDigest,
      dataDigest: () => this.dataDigest,
      onPdu: (pdu) => this.dispatch(pdu),
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk);
      } catch (err) {
        this.failAll(err as Error);
        socket.destroy();
      }
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.failAll(new Error('connection closed'));
        resolve();
      });
    });
    socket.on('error', () => undefined);
  }

  static async connect(options: InitiatorOptions): Promise<IscsiInitiator> {
    const socket = options.transport ?? (await openSocket(options.host, options.port));
    const s = new IscsiInitiator(socket, options);
    try {
      await runLogin(s, options);
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return s;
  }

  /** Discovery session: SendTargets=All (or a name); returns targets with their TargetAddress values. */
  static async discover(
    options: Omit<InitiatorOptions, 'targetName' | 'sessionType'> & { readonly sendTargets?: string },
  ): Promise<{ name: string; addresses: string[] }[]> {
    const s = await IscsiInitiator.connect({ ...options, sessionType: 'Discovery' });
    try {
      const pairs = await s.text([['SendTargets', options.sendTargets ?? 'All']]);
      const out: { name: string; addresses: string[] }[] = [];
      for (const [k, v] of pairs) {
        if (k === 'TargetName') out.push({ name: v, addresses: [] });
        else if (k === 'TargetAddress' && out.length > 0) out[out.length - 1].addresses.push(v);
      }
      await s.logout();
      return out;
    } finally {
      s.destroy();
    }
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  nextItt(): number {
    this.itt = (this.itt + 1) >>> 0;
    return this.itt;
  }

  /** Write raw bytes (tests of malformed input). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  send(bhs: Buffer, data?: Buffer, ahs?: Buffer): void {
    bhs.writeUInt32BE(this.expStatSN >>> 0, 28);
    this.socket.write(frame(bhs, data, this.headerDigest, this.dataDigest, ahs));
  }

  /** Login phase plumbing for login.ts: the next Login Response. */
  loginExchange(bhs: Buffer, data: Buffer): Promise<ReceivedPdu> {
    return new Promise((resolve, reject) => {
      this.loginWaiter = { onPdu: (p) => (resolve(p), true), fail: reject };
      bhs.writeUInt32BE(this.expStatSN >>> 0, 28);
      this.socket.write(frame(bhs, data, false, false));
    });
  }

  command(lun: number, cdb: Buffer | readonly number[], options: CommandOptions = {}): Promise<CommandResult> {
    return this.startCommand(lun, cdb, options).then((c) => c.done);
  }

  /** Send a command once the CmdSN window allows; resolves when it is on the wire. */
  async startCommand(lun: number, cdb: Buffer | readonly number[], options: CommandOptions = {}): Promise<RunningCommand> {
    if (!options.immediate) await this.waitForWindow();
    const cdbBuf = Buffer.isBuffer(cdb) ? cdb : Buffer.from(cdb);
    const itt = this.nextItt();
    const cmdSN = this.cmdSN;
    if (!options.immediate) this.cmdSN = (this.cmdSN + 1) >>> 0;
    const done = new Promise<CommandResult>((resolve, reject) => {
      this.waiters.set(itt, new CommandExchange(this, itt, lun, options, resolve, reject));
    });
    (this.waiters.get(itt) as CommandExchange).sendCommand(cdbBuf, cmdSN);
    return { itt, cmdSN, done };
  }

  async taskManagement(fn: number, lun: number, refTaskTag = 0xffffffff, refCmdSN?: number): Promise<number> {
    const itt = this.nextItt();
    const bhs = header(Op.TASK_MGMT_REQUEST, true, 0x80 | fn);
    lunField(lun).copy(bhs, 8);
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt32BE(refTaskTag >>> 0, 20);
    bhs.writeUInt32BE(this.cmdSN, 24);
    bhs.writeUInt32BE((refCmdSN ?? this.cmdSN) >>> 0, 32);
    const pdu = await this.exchange(itt, bhs);
    return pdu.bhs[2];
  }

  async nop(data: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    const itt = this.nextItt();
    const bhs = header(Op.NOP_OUT, true, 0x80);
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt32BE(0xffffffff, 20);
    bhs.writeUInt32BE(this.cmdSN, 24);
    const pdu = await this.exchange(itt, bhs, data);
    return pdu.data;
  }

  /** Full-feature Text request; follows C-bit continuations. */
  async text(pairs: readonly (readonly [string, string])[]): Promise<[string, string][]> {
    let data = encodeText(pairs);
    let ttt = 0xffffffff;
    const chunks: Buffer[] = [];
    for (;;) {
      const itt = this.nextItt();
      const bhs = header(Op.TEXT_REQUEST, true, 0x80);
      bhs.writeUInt32BE(itt, 16);
      bhs.writeUInt32BE(ttt, 20);
      bhs.writeUInt32BE(this.cmdSN, 24);
      const pdu = await this.exchange(itt, bhs, data);
      chunks.push(pdu.data);
      if ((pdu.bhs[1] & 0x40) === 0) break;
      ttt = pdu.bhs.readUInt32BE(20);
      data = Buffer.alloc(0);
    }
    return decodeText(Buffer.concat(chunks));
  }

  /** Logout (reason 0 close session, 1 close connection); resolves with the logout response code. */
  async logout(reason = 0): Promise<number> {
    const itt = this.nextItt();
    const bhs = header(Op.LOGOUT_REQUEST, true, 0x80 | reason);
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt16BE(0, 20);
    bhs.writeUInt32BE(this.cmdSN, 24);
    const pdu = await this.exchange(itt, bhs);
    this.socket.end();
    return pdu.bhs[2];
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The next PDU for `itt` (for requests written with writeRaw). */
  waitFor(itt: number): Promise<ReceivedPdu> {
    return new Promise((resolve, reject) => {
      this.waiters.set(itt, { onPdu: (p) => (resolve(p), true), fail: reject });
    });
  }

  exchange(itt: number, bhs: Buffer, data?: Buffer): Promise<ReceivedPdu> {
    return new Promise((resolve, reject) => {
      this.waiters.set(itt, { onPdu: (p) => (resolve(p), true), fail: reject });
      this.send(bhs, data);
    });
  }

  trackSn(bhs: Buffer, advancesStatSN: boolean): void {
    if (advancesStatSN) this.expStatSN = (bhs.readUInt32BE(24) + 1) >>> 0;
    const exp = bhs.readUInt32BE(28);
    const max = bhs.readUInt32BE(32);
    // Only move forward (RFC 1982 comparison), as the RFC asks initiators to.
    if (((max - this.maxCmdSN) | 0) > 0) this.maxCmdSN = max;
    if (((exp - this.expCmdSN) | 0) > 0) this.expCmdSN = exp;
    if (((this.maxCmdSN - this.cmdSN) | 0) >= 0) {
      const ws = this.windowWaiters;
      this.windowWaiters = [];
      for (const w of ws) w();
    }
  }

  private async waitForWindow(): Promise<void> {
    while (((this.maxCmdSN - this.cmdSN) | 0) < 0) {
      if (this.isClosed) throw new Error('connection closed');
      await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
    }
  }

  private dispatch(pdu: ReceivedPdu): void {
    const opcode = pdu.bhs[0] & 0x3f;
    if (opcode === Op.LOGIN_RESPONSE) {
      const w = this.loginWaiter;
      this.loginWaiter = undefined;
      w?.onPdu(pdu);
      return;
    }
    if (opcode === Op.REJECT) {
      this.trackSn(pdu.bhs, true);
      this.rejects.push(Buffer.concat([pdu.bhs, pdu.data]));
      const rejectedItt = pdu.data.length >= 48 ? pdu.data.readUInt32BE(16) : 0xffffffff;
      const w = this.waiters.get(rejectedItt);
      // After a data digest Reject the task goes on and ends with its own response (RFC 7143 7.8).
      if (w && pdu.bhs[2] !== 0x02) {
        this.waiters.delete(rejectedItt);
        w.fail(new Error(`rejected with reason 0x${pdu.bhs[2].toString(16)}`));
      }
      return;
    }
    if (opcode === Op.ASYNC) {
      this.trackSn(pdu.bhs, true);
      this.asyncMessages.push(pdu.bhs);
      return;
    }
    const itt = pdu.bhs.readUInt32BE(16);
    if (opcode === Op.NOP_IN && itt === 0xffffffff) {
      this.trackSn(pdu.bhs, false);
      const ttt = pdu.bhs.readUInt32BE(20);
      this.pingsReceived.push(ttt);
      if (this.options.answerPings !== false && ttt !== 0xffffffff) {
        const bhs = header(Op.NOP_OUT, true, 0x80);
        pdu.bhs.copy(bhs, 8, 8, 16);
        bhs.writeUInt32BE(0xffffffff, 16);
        bhs.writeUInt32BE(ttt, 20);
        bhs.writeUInt32BE(this.cmdSN, 24);
        this.send(bhs, pdu.data);
      }
      return;
    }
    const w = this.waiters.get(itt);
    const advances =
      opcode === Op.SCSI_RESPONSE || opcode === Op.NOP_IN || opcode === Op.TASK_MGMT_RESPONSE || opcode === Op.TEXT_RESPONSE ||
      opcode === Op.LOGOUT_RESPONSE || (opcode === Op.DATA_IN && (pdu.bhs[1] & 0x01) !== 0);
    this.trackSn(pdu.bhs, advances);
    if (!w) return;
    if (w.onPdu(pdu)) this.waiters.delete(itt);
  }

  private failAll(err: Error): void {
    const ws = [...this.waiters.values()];
    this.waiters.clear();
    for (const w of ws) w.fail(err);
    this.loginWaiter?.fail(err);
    this.loginWaiter = undefined;
    const ww = this.windowWaiters;
    this.windowWaiters = [];
    for (const w of ww) w();
  }
}

function openSocket(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host, port }, () => {
      s.off('error', reject);
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', reject);
  });
}
