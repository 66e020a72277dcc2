// Everything a connection sends goes through here: StatSN numbering, ExpCmdSN/MaxCmdSN stamping, digests, corking
// (header, data and digests in one writev), and the backpressure of output-flow.ts, which sees every byte queued.
import type { Duplex } from 'node:stream';
import type { CommandWindow } from './command-window.js';
import { OUTPUT_SLACK_BYTES, OutputFlow } from './output-flow.js';
import { Bhs } from './pdu.js';
import { encodePdu } from './pdu-writer.js';
import type { DigestSettings } from './pdu-writer.js';

/** A zero-length write: its callback marks the point where everything queued before it has left. */
const NOTHING = Buffer.alloc(0);
const NO_DIGESTS: DigestSettings = { headerDigest: false, dataDigest: false };

export class PduOutput {
  private statSN = 0;
  private digests: DigestSettings = NO_DIGESTS;
  private window: CommandWindow | undefined;
  /** From full feature phase on (login responses come one per request). */
  private flow: OutputFlow | undefined;

  constructor(
    private readonly transport: Duplex,
    private readonly isClosed: () => boolean,
  ) {}

  /**
   * Login complete: StatSN continues from the login, digests as negotiated, every PDU stamped from the session's
   * window, and reading held (onHold) while more than MaxBurstLength + OUTPUT_SLACK_BYTES are queued.
   */
  enterFullFeature(statSN: number, digests: DigestSettings, window: CommandWindow, maxBurstLength: number, onHold: (hold: boolean) => void): void {
    this.statSN = statSN;
    this.digests = digests;
    this.window = window;
    this.flow = new OutputFlow(this.transport, maxBurstLength + OUTPUT_SLACK_BYTES, onHold);
    this.transport.on('drain', () => this.flow?.mayResume());
  }

  /** Send a PDU that carries status: it takes StatSN and advances it. */
  sendStatus(bhs: Buffer, data?: Buffer): void {
    bhs.writeUInt32BE(this.statSN, Bhs.STAT_SN);
    this.statSN = (this.statSN + 1) >>> 0;
    this.write(bhs, data);
  }

  /** Send a PDU without status (Data-In, R2T, NOP-In ping): StatSN is the next one, not advanced. */
  sendInfo(bhs: Buffer, data?: Buffer): void {
    bhs.writeUInt32BE(this.statSN, Bhs.STAT_SN);
    this.write(bhs, data);
  }

  /**
   * `callback` runs once everything written before it has been handed to the transport's sink (the kernel, for a
   * socket), or the transport failed; never when the connection is already closed (buffers are then collected).
   */
  afterWrites(callback: () => void): void {
    if (this.isClosed()) return;
    this.transport.write(NOTHING, () => callback());
  }

  /** Everything sent inside `fn` leaves in one write (header and data together). */
  corked(fn: () => void): void {
    if (this.isClosed()) return;
    this.transport.cork();
    try {
      fn();
    } finally {
      this.transport.uncork();
    }
  }

  /** A PDU as it is (login responses: StatSN and the rest already set). */
  write(bhs: Buffer, data: Buffer | undefined): void {
    if (this.isClosed()) return;
    const w = this.window;
    if (w) {
      bhs.writeUInt32BE(w.expCmdSN, Bhs.EXP_CMD_SN);
      bhs.writeUInt32BE(w.maxCmdSN, Bhs.MAX_CMD_SN);
    }
    // Corked so that header, data and digests leave in one writev (corks nest).
    this.transport.cork();
    for (const part of encodePdu(bhs, data, this.digests)) this.transport.write(part);
    this.transport.uncork();
  }

  /** Output queued and reserved by running commands (output-flow.ts); 0 before full feature phase. */
  get queuedBytes(): number {
    return this.flow?.queuedBytes ?? 0;
  }

  /** The bound on queuedBytes past which the connection stops reading; undefined before full feature phase. */
  get limitBytes(): number | undefined {
    return this.flow?.limitBytes;
  }

  /** True while reading is stopped because the peer has not drained its output. */
  get isHolding(): boolean {
    return this.flow?.isHolding === true;
  }

  /** Times reading was held so far. */
  get holds(): number {
    return this.flow?.holds ?? 0;
  }

  /** A command went to the device: `bytes` of output are on their way. */
  reserve(bytes: number): void {
    this.flow?.reserve(bytes);
  }

  /** That command's output is queued, or will never be. */
  unreserve(bytes: number): void {
    this.flow?.unreserve(bytes);
  }

  /** After each PDU received: past the limit, reading stops before the next one. */
  check(): void {
    this.flow?.check();
  }

  /** A command may go to the device now (see OutputFlow.admits). */
  admits(): boolean {
    return this.flow?.admits() ?? true;
  }
}
