// One iSCSI connection over an injected byte transport (a net.Socket in production, any Duplex in tests): framing,
// the login phase, then full feature phase through its session. Protocol errors get a Reject or drop the
// connection, with one log line each; nothing a peer sends can throw out of this class.
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.js';
import type { ChapCredentials } from './chap.js';
import type { ChapBackoff } from './chap-backoff.js';
import { IscsiProtocolError } from './iscsi-protocol-error.js';
import { Liveness } from './liveness.js';
import { LoginNegotiator } from './login.js';
import type { TransportLimits } from './negotiate.js';
import { Bhs, FINAL_BIT, PduOpcode, RESERVED_TAG, newBhs } from './pdu.js';
import type { RejectReason } from './pdu.js';
import { PduReader } from './pdu-reader.js';
import type { ReceivedPdu } from './pdu-reader.js';
import { PduOutput } from './pdu-output.js';
import type { Portal } from './send-targets.js';
import type { IscsiSession } from './session.js';
import type { SessionTable } from './session-table.js';
import type { TargetRegistry } from './target-registry.js';

/** RFC 7143 12.12: until the initiator learns ours, 8192 bytes is the data segment limit during login. */
const LOGIN_MAX_DATA_SEGMENT = 8192;

export interface ConnectionContext {
  readonly registry: TargetRegistry;
  readonly sessionTable: SessionTable;
  readonly limits: TransportLimits;
  readonly discoveryChap?: ChapCredentials;
  /** The server's policy against guessing CHAP secrets (shared by all connections). */
  readonly chapBackoff?: ChapBackoff;
  readonly queueDepth: number;
  readonly nopInIntervalMs: number;
  readonly nopInTimeoutMs: number;
  readonly log: Logger;
}

export interface Endpoints {
  readonly local: Portal;
  readonly remote: Portal;
}

export class IscsiConnection {
  readonly log: Logger;
  readonly closed: Promise<void>;
  cid = 0;
  private session: IscsiSession | undefined;
  private readonly login: LoginNegotiator;
  private readonly reader: PduReader;
  private nextTtt = 1;
  private closedFlag = false;
  private closingFlag = false;
  /** Server shutdown: no more input, whatever the output flow says. */
  private inputStopped = false;
  private readonly liveness: Liveness;
  /** Everything sent, with StatSN and the output bound (pdu-output.ts). */
  readonly output: PduOutput;
  private resolveClosed: () => void = () => undefined;

  constructor(
    private readonly transport: Duplex,
    private readonly ctx: ConnectionContext,
    private readonly endpoints: Endpoints,
  ) {
    this.log = ctx.log.child({ remote: `${endpoints.remote.host}:${endpoints.remote.port}` });
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.output = new PduOutput(transport, () => this.closedFlag);
    this.login = new LoginNegotiator({
      registry: ctx.registry,
      limits: ctx.limits,
      ...(ctx.discoveryChap ? { discoveryChap: ctx.discoveryChap } : {}),
      queueDepth: ctx.queueDepth,
      sessionExists: (tsih) => ctx.sessionTable.hasTsih(tsih),
      remoteAddress: endpoints.remote.host,
      ...(ctx.chapBackoff ? { chapBackoff: ctx.chapBackoff } : {}),
      establish: (outcome) => {
        this.cid = outcome.cid;
        this.session = ctx.sessionTable.establish(outcome, this, ctx.queueDepth);
        return this.session.id.tsih;
      },
    });
    this.reader = new PduReader({
      maxDataSegmentLength: () => (this.fullFeature ? this.ctx.limits.maxRecvDataSegmentLength : LOGIN_MAX_DATA_SEGMENT),
      headerDigest: () => this.fullFeature && (this.session?.params.headerDigest ?? false),
      dataDigest: () => this.fullFeature && (this.session?.params.dataDigest ?? false),
      placeData: (bhs, _ahs, length) => (this.fullFeature ? this.session?.placeData(bhs, length) : undefined),
      onPdu: (pdu) => this.onPdu(pdu),
    });
    this.liveness = new Liveness(ctx.nopInIntervalMs, ctx.nopInTimeoutMs, {
      ping: (ttt) => this.ping(ttt),
      drop: (reason, message) => {
        this.log.warn(message);
        this.close(reason);
      },
      allocateTtt: () => this.allocateTtt(),
      heldOutputBytes: () => (this.output.isHolding ? this.output.queuedBytes : undefined),
    });
    transport.on('data', (chunk: Buffer) => this.receive(chunk));
    transport.on('error', (err: Error) => this.log.debug({ err: err.message }, 'transport error'));
    transport.on('close', () => this.onClose());
  }

  private fullFeature = false;

  get limits(): TransportLimits {
    return this.ctx.limits;
  }

  get registry(): TargetRegistry {
    return this.ctx.registry;
  }

  get sessionTable(): SessionTable {
    return this.ctx.sessionTable;
  }

  get localPortal(): Portal {
    return this.endpoints.local;
  }

  get remoteAddress(): string {
    return `${this.endpoints.remote.host}:${this.endpoints.remote.port}`;
  }

  /** Received bytes held outside any placed data segment (bounded by one header). */
  get pendingInputBytes(): number {
    return this.reader.bufferedBytes;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Closed, or closing once its output is flushed. */
  get isClosing(): boolean {
    return this.closedFlag || this.closingFlag;
  }

  get currentSession(): IscsiSession | undefined {
    return this.session;
  }

  allocateTtt(): number {
    const t = this.nextTtt;
    this.nextTtt = this.nextTtt >= 0x7fffffff ? 1 : this.nextTtt + 1;
    return t;
  }

  sendReject(reason: RejectReason, rejected: Buffer, message: string): void {
    this.log.warn({ reason, opcode: rejected[0] & 0x3f, itt: rejected.readUInt32BE(Bhs.INITIATOR_TASK_TAG) }, `PDU rejected: ${message}`);
    const bhs = newBhs(PduOpcode.REJECT, FINAL_BIT, 0);
    bhs[2] = reason;
    bhs.writeUInt32BE(RESERVED_TAG, Bhs.INITIATOR_TASK_TAG);
    this.output.sendStatus(bhs, Buffer.from(rejected.subarray(0, 48)));
  }

  pingAnswered(ttt: number): void {
    this.liveness.pingAnswered(ttt);
  }

  /** Close at once: pending output is discarded. */
  close(reason: string): void {
    if (this.closedFlag) return;
    this.log.debug({ reason }, 'closing connection');
    this.reader.stop();
    this.transport.destroy();
    this.onClose();
  }

  /** Close once everything written so far has gone out. */
  closeAfterFlush(reason: string): void {
    if (this.closedFlag) return;
    this.log.debug({ reason }, 'closing connection after flush');
    this.closingFlag = true;
    this.reader.stop();
    // Keep reading (and discarding) so the peer's FIN is seen and the socket can close.
    this.transport.resume();
    this.transport.end();
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => this.close(`${reason}: flush timed out`), this.ctx.nopInTimeoutMs).unref();
  }

  /** Graceful shutdown: stop reading, let running commands finish (at most `timeoutMs`), then close. */
  async drain(timeoutMs: number): Promise<void> {
    this.inputStopped = true;
    this.transport.pause();
    const session = this.session;
    if (session) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([session.idle(), timeout]);
      clearTimeout(timer);
    }
    this.closeAfterFlush('server shutting down');
  }

  /**
   * Where the transport may read the next bytes straight into place (the rest of a large data segment being
   * received); undefined for "anywhere". See PduReader.inPlaceTarget.
   */
  readTarget(minBytes: number): Buffer | undefined {
    return this.isClosing ? undefined : this.reader.inPlaceTarget(minBytes);
  }

  /** `bytes` landed in `into`, the buffer readTarget() gave last (discarded if the connection closed meanwhile). */
  receiveInPlace(bytes: number, into: Buffer): void {
    this.fromPeer(() => this.reader.receivedInPlace(bytes, into));
  }

  /**
   * Bytes from the peer: the transport's 'data' events, or the server's reused read buffer (adoptWithReusedBuffer).
   * Nothing of `chunk` is kept after this returns, so the caller may reuse its memory.
   */
  receive(chunk: Buffer): void {
    this.fromPeer(() => this.reader.push(chunk));
  }

  private fromPeer(feed: () => void): void {
    this.liveness.heard();
    try {
      feed();
    } catch (err) {
      this.onError(err);
    }
  }

  private onPdu(pdu: ReceivedPdu): void {
    if (this.closedFlag) return;
    if (!this.fullFeature) return this.onLoginPdu(pdu);
    const session = this.session;
    if (!session) return;
    // Every PDU updates our view of what the initiator has seen; nothing to do with it at ERL 0.
    try {
      session.handlePdu(pdu);
    } catch (err) {
      this.onError(err);
    }
    this.output.check();
  }

  /** The output flow says stop or go on reading (see output-flow.ts). */
  private onHold(hold: boolean): void {
    if (this.isClosing) return;
    if (hold) {
      this.reader.hold();
      this.transport.pause();
      this.liveness.held();
      this.log.debug({ queuedBytes: this.output.queuedBytes }, 'output not drained: reading held');
      return;
    }
    // Not from inside the caller (a drain event, a command completing): the waiting PDUs run on their own turn.
    setImmediate(() => {
      if (this.isClosing || this.output.isHolding) return;
      // Commands already received go on, also during a shutdown; the held input is not read once a shutdown began.
      this.session?.runDeferred();
      if (this.output.isHolding || this.inputStopped) return;
      this.fromPeer(() => this.reader.release());
      if (!this.isClosing && !this.reader.isHeld) this.transport.resume();
    });
  }

  private onLoginPdu(pdu: ReceivedPdu): void {
    if (this.log.isLevelEnabled('debug')) {
      // CHAP values are left out: they are derived from secrets.
      const text = pdu.data.toString('utf8').split('\0').filter((kv) => kv.length > 0 && !kv.startsWith('CHAP_'));
      this.log.debug({ keys: text }, 'login request');
    }
    const step = this.login.handle(pdu);
    this.output.write(step.response.bhs, step.response.data);
    if (step.failed) {
      const status = step.failed.status;
      this.log[step.failed.quiet ? 'debug' : 'warn'](
        { status: `${(status >> 8).toString(16).padStart(2, '0')}/${(status & 0xff).toString(16).padStart(2, '0')}`, initiator: this.login.initiator, target: this.login.targetName },
        `login refused: ${step.failed.message}`,
      );
      this.closeAfterFlush('login failed');
      return;
    }
    if (step.outcome) {
      this.fullFeature = true;
      const params = step.outcome.params;
      if (this.session) {
        this.output.enterFullFeature(this.login.nextStatSN, params, this.session.window, params.maxBurstLength, (hold) => this.onHold(hold));
      }
      this.liveness.enterFullFeature();
      const s = this.session;
      this.log.info(
        { initiator: step.outcome.initiatorName, target: step.outcome.target?.name, tsih: s?.id.tsih, discovery: step.outcome.discovery,
          headerDigest: step.outcome.params.headerDigest, dataDigest: step.outcome.params.dataDigest },
        'login complete',
      );
    }
  }

  private onError(err: unknown): void {
    if (err instanceof IscsiProtocolError) {
      if (err.fatal || !err.bhs) {
        this.log.warn({ reason: err.reason }, `protocol error, dropping connection: ${err.message}`);
        this.close('protocol error');
        return;
      }
      this.sendReject(err.reason, err.bhs, err.message);
      return;
    }
    this.log.error({ err }, 'internal error on connection, dropping it');
    this.close('internal error');
  }

  private ping(ttt: number): void {
    if (!this.session) return;
    const bhs = newBhs(PduOpcode.NOP_IN, FINAL_BIT, 0);
    bhs.writeUInt32BE(RESERVED_TAG, Bhs.INITIATOR_TASK_TAG);
    bhs.writeUInt32BE(ttt, Bhs.TARGET_TRANSFER_TAG);
    this.output.sendInfo(bhs);
  }

  private onClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.liveness.stop();
    this.reader.stop();
    const session = this.session;
    if (session) {
      this.ctx.sessionTable.remove(session);
      session.end();
    }
    this.transport.destroy();
    this.resolveClosed();
  }
}
