// RFC 7143 full feature phase for one session (one connection, MaxConnections=1): SCSI commands and their
// data-out, NOP-Out, Text, Task Management, Logout, and the CmdSN window. Knows nothing of the command sets:
// commands go to the target's ScsiTargetDevice in CmdSN order and come back as ScsiResponse.
import type { ItNexus, ScsiResponse } from '../scsi/logical-unit.js';
import { decodeLun } from '../scsi/lun.js';
import { ScsiStatus } from '../scsi/status.js';
import { CommandWindow } from './command-window.js';
import type { IscsiConnection } from './connection.js';
import { IscsiProtocolError } from './iscsi-protocol-error.js';
import type { SessionParameters } from './negotiate.js';
import {
  Bhs, FINAL_BIT, PduOpcode, R2tBhs, RejectReason, ScsiCommandBhs,
  isFinal, isImmediate, newBhs, opcodeOf,
} from './pdu.js';
import type { ReceivedPdu } from './pdu-reader.js';
import { decodeAhs, sessionKey } from './scsi-command-pdu.js';
import { ScsiTask, TaskState, attributeOf, commandOf } from './scsi-task.js';
import { handleLogout, handleNopOut, handleTextRequest } from './session-requests.js';
import { handleTaskManagement } from './task-management.js';
import { buildTaskResponse, senseResponse } from './task-response.js';
import { MAX_COMMAND_DATA_LENGTH, SESSION_WRITE_BUDGET, WriteBuffers, type SharedWriteBudget } from './write-buffers.js';
import { responseBytes } from './output-flow.js';
import type { IscsiTarget } from './target-registry.js';

/** A LUN field this target never assigns (multi-level, well-known): routed to the device as a LUN it lacks. */
const UNKNOWN_LUN = 0xffff;

export interface SessionIdentity {
  readonly tsih: number;
  readonly initiatorName: string;
  readonly initiatorAlias: string | undefined;
  readonly isid: Buffer;
  readonly target: IscsiTarget | undefined;
  readonly discovery: boolean;
}

export class IscsiSession {
  readonly window: CommandWindow;
  readonly tasks = new Map<number, ScsiTask>();
  readonly nexus: ItNexus;
  /** Commands ready for the device while the connection's output is over its bound, in the order they came. */
  private readonly deferred: ScsiTask[] = [];
  /** Data-out buffers, reused from command to command (returned in forget()), and their budget. */
  private readonly writeBuffers: WriteBuffers;
  logoutRequested = false;
  ended = false;

  constructor(
    readonly id: SessionIdentity,
    readonly conn: IscsiConnection,
    readonly params: SessionParameters,
    initialCmdSN: number,
    queueDepth: number,
    sharedWriteBudget?: SharedWriteBudget,
  ) {
    this.window = new CommandWindow(initialCmdSN, queueDepth);
    this.writeBuffers = new WriteBuffers(conn.limits.sessionWriteBudgetBytes ?? SESSION_WRITE_BUDGET, sharedWriteBudget);
    const isidHex = id.isid.toString('hex');
    const tpgt = id.target?.portalGroupTag ?? 0;
    const initiatorPort = `${id.initiatorName},i,0x${isidHex}`;
    const targetPort = `${id.target?.name ?? 'discovery'},t,0x${tpgt.toString(16).padStart(4, '0')}`;
    this.nexus = { id: `${initiatorPort}|${targetPort}`, initiatorPort, targetPort, relativeTargetPort: Math.max(1, tpgt) };
  }

  get key(): string {
    return sessionKey(this.id.initiatorName, this.id.isid, this.id.target?.name);
  }

  /** Framer hook: put immediate data and Data-Out straight into the task's buffer. */
  placeData(bhs: Buffer, length: number): Buffer | undefined {
    const op = opcodeOf(bhs);
    if (op === PduOpcode.SCSI_DATA_OUT) return this.tasks.get(bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG))?.regionFor(bhs, length);
    if (op !== PduOpcode.SCSI_COMMAND || this.id.discovery) return undefined;
    const edtl = bhs.readUInt32BE(ScsiCommandBhs.EXPECTED_DATA_TRANSFER_LENGTH);
    const write = (bhs[Bhs.FLAGS] & ScsiCommandBhs.FLAG_WRITE) !== 0;
    if (!write || length > edtl || !this.writeBuffers.canBuffer(edtl) || !this.params.immediateData || length > this.params.firstBurstLength) {
      return undefined;
    }
    return this.writeBuffers.placeImmediate(bhs, edtl).subarray(0, length);
  }

  handlePdu(pdu: ReceivedPdu): void {
    try {
      this.dispatch(pdu);
    } catch (err) {
      // Errors from deeper parsers (text data) do not know the header: attach it so the answer is a Reject.
      if (err instanceof IscsiProtocolError && !err.bhs) throw new IscsiProtocolError(err.message, err.reason, pdu.bhs, err.fatal);
      throw err;
    }
  }

  private dispatch(pdu: ReceivedPdu): void {
    const op = opcodeOf(pdu.bhs);
    if (this.id.discovery && op !== PduOpcode.TEXT_REQUEST && op !== PduOpcode.LOGOUT_REQUEST && op !== PduOpcode.NOP_OUT) {
      throw new IscsiProtocolError(`opcode 0x${op.toString(16)} in a discovery session`, RejectReason.PROTOCOL_ERROR, pdu.bhs);
    }
    switch (op) {
      case PduOpcode.SCSI_COMMAND:
        return this.onScsiCommand(pdu);
      case PduOpcode.SCSI_DATA_OUT:
        return this.onDataOut(pdu);
      case PduOpcode.NOP_OUT:
        return this.ordered(pdu, () => handleNopOut(this, pdu));
      case PduOpcode.SCSI_TASK_MANAGEMENT_REQUEST:
        return this.ordered(pdu, () => handleTaskManagement(this, pdu));
      case PduOpcode.TEXT_REQUEST:
        return this.ordered(pdu, () => handleTextRequest(this, pdu));
      case PduOpcode.LOGOUT_REQUEST:
        return this.ordered(pdu, () => handleLogout(this, pdu));
      case PduOpcode.SNACK_REQUEST:
        throw new IscsiProtocolError('SNACK at ErrorRecoveryLevel 0', RejectReason.SNACK_REJECT, pdu.bhs);
      case PduOpcode.LOGIN_REQUEST:
        throw new IscsiProtocolError('Login Request in full feature phase', RejectReason.PROTOCOL_ERROR, pdu.bhs);
      default:
        throw new IscsiProtocolError(`unknown opcode 0x${op.toString(16)}`, RejectReason.PROTOCOL_ERROR, pdu.bhs);
    }
  }

  /** Non-SCSI requests take a CmdSN slot when not immediate, and run at once. */
  private ordered(pdu: ReceivedPdu, run: () => void): void {
    if (!isImmediate(pdu.bhs)) {
      const cmdSN = pdu.bhs.readUInt32BE(Bhs.CMD_SN);
      // 3.2.2.1: outside the window (or a duplicate) is silently ignored.
      if (!this.window.accepts(cmdSN)) return;
      this.window.consume(cmdSN);
    }
    if (pdu.dataDigestError) {
      throw new IscsiProtocolError('data digest error', RejectReason.DATA_DIGEST_ERROR, pdu.bhs);
    }
    run();
  }

  private onScsiCommand(pdu: ReceivedPdu): void {
    const bhs = pdu.bhs;
    const immediateBuffer = this.writeBuffers.takeImmediate(bhs);
    const immediate = isImmediate(bhs);
    const cmdSN = bhs.readUInt32BE(Bhs.CMD_SN);
    if (!immediate && !this.window.accepts(cmdSN)) {
      this.conn.log.debug({ cmdSN, expCmdSN: this.window.expCmdSN }, 'command outside the CmdSN window ignored');
      return;
    }
    const itt = bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG);
    const flags = bhs[Bhs.FLAGS];
    const edtl = bhs.readUInt32BE(ScsiCommandBhs.EXPECTED_DATA_TRANSFER_LENGTH);
    const write = (flags & ScsiCommandBhs.FLAG_WRITE) !== 0;
    const read = (flags & ScsiCommandBhs.FLAG_READ) !== 0;
    let problem: string | undefined;
    let reason: RejectReason = RejectReason.PROTOCOL_ERROR;
    const { cdb, bidiReadLength, error } = decodeAhs(bhs, pdu.ahs);
    if (error) problem = error;
    else if (this.tasks.has(itt)) [problem, reason] = [`task tag 0x${itt.toString(16)} already in use`, RejectReason.TASK_IN_PROGRESS];
    else if (pdu.data.length > 0 && !write) problem = 'immediate data without the W bit';
    else if (pdu.data.length > 0 && !this.params.immediateData) problem = 'immediate data while ImmediateData=No';
    else if (pdu.data.length > edtl) problem = 'immediate data longer than the expected data transfer length';
    else if (pdu.data.length > this.params.firstBurstLength) problem = 'immediate data longer than FirstBurstLength';
    else if (!write && !read && edtl !== 0) problem = 'expected data transfer length without R or W';
    if (problem !== undefined) {
      if (!immediate) this.window.consume(cmdSN);
      throw new IscsiProtocolError(problem, reason, bhs);
    }
    const lunField = Buffer.from(bhs.subarray(Bhs.LUN, Bhs.LUN + 8));
    const oversize = write && edtl > MAX_COMMAND_DATA_LENGTH;
    const full = write && edtl > 0 && !oversize && !immediateBuffer && !this.writeBuffers.canBuffer(edtl);
    const buffer = write && edtl > 0 && !oversize && !full ? (immediateBuffer ?? this.writeBuffers.acquire(edtl)) : undefined;
    const task = new ScsiTask(
      {
        itt, lun: decodeLun(lunField) ?? UNKNOWN_LUN, lunField, cdb, expectedDataTransferLength: edtl, read, write,
        attribute: attributeOf(flags), cmdSN, immediate, bidiReadLength,
      },
      buffer,
    );
    this.writeBuffers.hold(buffer);
    this.tasks.set(itt, task);
    if (!immediate) this.window.receive(cmdSN, { ready: () => task.state !== TaskState.DATA_OUT, deliver: () => this.execute(task) });
    if (oversize || full) {
      // Refused before any buffer exists; unsolicited data for it is dropped as for an unknown task.
      this.finishEarly(task, full ? { status: ScsiStatus.TASK_SET_FULL } : senseResponse('INSUFFICIENT_RESOURCES'));
      return;
    }
    if (pdu.data.length > 0 && !immediateBuffer) pdu.data.copy(task.buffer ?? Buffer.alloc(0));
    task.startDataOut(pdu.data.length, isFinal(bhs), this.params.initialR2T, this.params.firstBurstLength);
    if (pdu.dataDigestError) {
      this.conn.sendReject(RejectReason.DATA_DIGEST_ERROR, bhs, 'data digest error on immediate data');
      this.finishEarly(task, senseResponse('PROTOCOL_SERVICE_CRC_ERROR'));
      return;
    }
    this.afterData(task);
  }

  private onDataOut(pdu: ReceivedPdu): void {
    const itt = pdu.bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG);
    const task = this.tasks.get(itt);
    if (!task || task.aborted) {
      // Data for a task already terminated (aborted, refused): dropped, as 4.2.3 allows.
      this.conn.log.debug({ itt }, 'Data-Out for an unknown or terminated task dropped');
      return;
    }
    if (pdu.dataDigestError) {
      this.conn.sendReject(RejectReason.DATA_DIGEST_ERROR, pdu.bhs, 'data digest error on Data-Out');
      this.finishEarly(task, senseResponse('PROTOCOL_SERVICE_CRC_ERROR'));
      return;
    }
    const problem = task.acceptDataOut(pdu.bhs, pdu.data, isFinal(pdu.bhs));
    if (problem !== undefined) throw new IscsiProtocolError(problem, RejectReason.PROTOCOL_ERROR, pdu.bhs);
    this.afterData(task);
  }

  /** After data arrived: send R2Ts for what is missing, or hand the command on when complete. */
  private afterData(task: ScsiTask): void {
    if (task.state === TaskState.DATA_OUT) {
      const r2ts = task.nextR2ts(this.params.maxOutstandingR2T, this.params.maxBurstLength, () => this.conn.allocateTtt());
      this.conn.output.corked(() => {
        for (const r of r2ts) {
          const bhs = newBhs(PduOpcode.R2T, FINAL_BIT, 0);
          task.init.lunField.copy(bhs, Bhs.LUN);
          bhs.writeUInt32BE(task.itt, Bhs.INITIATOR_TASK_TAG);
          bhs.writeUInt32BE(r.ttt, Bhs.TARGET_TRANSFER_TAG);
          bhs.writeUInt32BE(r.r2tSN, R2tBhs.R2T_SN);
          bhs.writeUInt32BE(r.offset, R2tBhs.BUFFER_OFFSET);
          bhs.writeUInt32BE(r.length, R2tBhs.DESIRED_DATA_TRANSFER_LENGTH);
          this.conn.output.sendInfo(bhs);
        }
      });
      return;
    }
    if (task.init.immediate) this.execute(task);
    else this.window.pump();
  }

  /** The connection reads again: the commands deferred meanwhile go to the device, as long as output allows. */
  runDeferred(): void {
    while (this.deferred.length > 0 && this.conn.output.admits()) {
      const task = this.deferred.shift();
      if (task) this.start(task);
    }
  }

  private execute(task: ScsiTask): void {
    if (task.aborted || task.state !== TaskState.READY) return;
    if (this.deferred.length > 0 || !this.conn.output.admits()) this.deferred.push(task);
    else this.start(task);
  }

  private start(task: ScsiTask): void {
    if (task.aborted || task.state !== TaskState.READY) return;
    task.state = TaskState.EXECUTING;
    const device = this.id.target?.device;
    if (!device) return;
    // Its response counts against the connection's output bound from now on (output-flow.ts).
    task.reservedOutputBytes = responseBytes(task.readLength, this.params.initiatorMaxRecvDataSegmentLength);
    this.conn.output.reserve(task.reservedOutputBytes);
    let running: Promise<ScsiResponse>;
    try {
      running = device.execute(commandOf(task, this.nexus));
    } catch (err) {
      running = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    task.execution = running.then(
      (response) => this.completeSafely(task, response),
      (err: unknown) => {
        this.conn.log.error({ err, itt: task.itt }, 'device failed a command without a response');
        this.completeSafely(task, senseResponse('INTERNAL_TARGET_FAILURE'));
      },
    );
  }

  /** A malformed response from the device becomes HARDWARE ERROR 44/00; nothing escapes into a promise. */
  private completeSafely(task: ScsiTask, response: ScsiResponse): void {
    try {
      this.complete(task, response);
    } catch (err) {
      this.conn.log.error({ err, itt: task.itt }, 'device returned a response that cannot be sent');
      try {
        this.complete(task, senseResponse('INTERNAL_TARGET_FAILURE'));
      } catch (again) {
        this.conn.log.error({ err: again, itt: task.itt }, 'cannot answer the command');
      }
    }
  }

  private complete(task: ScsiTask, response: ScsiResponse): void {
    const reserved = task.reservedOutputBytes;
    task.reservedOutputBytes = 0;
    try {
      this.send(task, response);
    } finally {
      // Last: it may let the connection read again. A task refused before the device reserved nothing.
      if (reserved > 0) this.conn.output.unreserve(reserved);
    }
  }

  private send(task: ScsiTask, response: ScsiResponse): void {
    task.state = TaskState.DONE;
    this.forget(task);
    if (!task.init.immediate) this.window.finished(task.init.cmdSN);
    if (task.aborted || this.ended) {
      response.releaseDataIn?.();
      return;
    }
    const pdus = buildTaskResponse(task, response, this.params.initiatorMaxRecvDataSegmentLength, this.params.maxBurstLength);
    this.conn.output.corked(() => {
      for (const p of pdus) {
        if (p.status) this.conn.output.sendStatus(p.bhs, p.data);
        else this.conn.output.sendInfo(p.bhs, p.data);
      }
      // The Data-In segments are views of dataIn: it goes back to the device only once the socket has them
      // (inside the cork, so the marker rides in the same writev instead of costing a syscall of its own).
      if (response.releaseDataIn) this.conn.output.afterWrites(response.releaseDataIn);
      // Views keep all of dataIn alive, also what is not sent (an overflow): that counts as output until flushed.
      const unsent = (response.dataIn?.length ?? 0) - task.readLength;
      if (unsent > 0 && task.readLength > 0) {
        this.conn.output.reserve(unsent);
        this.conn.output.afterWrites(() => this.conn.output.unreserve(unsent));
      }
    });
  }

  /** End a task before it reaches the device; later Data-Out for it is dropped as for an unknown task. */
  private finishEarly(task: ScsiTask, response: ScsiResponse): void {
    task.state = TaskState.DONE;
    if (!task.init.immediate) this.window.cancel(task.init.cmdSN);
    this.window.pump();
    this.complete(task, response);
  }

  /**
   * The task leaves the table and gives back its share of the write budget and its data-out buffer (once).
   * Called only when the device is done with the task (its execution settled) or never got it; Data-Out still
   * arriving for it finds no task and is dropped, and the buffer is lent again only from this session's reader,
   * after the data segment it may be filling is complete.
   */
  private forget(task: ScsiTask): void {
    if (this.tasks.get(task.itt) !== task) return;
    this.tasks.delete(task.itt);
    this.writeBuffers.release(task.buffer);
  }

  /** Abort matching tasks without responses; resolves when none of them is still running on the device. */
  async abortTasks(match: (task: ScsiTask) => boolean): Promise<void> {
    const hit = [...this.tasks.values()].filter(match);
    for (const t of hit) {
      t.cancel();
      if (t.state !== TaskState.EXECUTING) {
        this.forget(t);
        if (!t.init.immediate) this.window.cancel(t.init.cmdSN);
      }
    }
    this.window.pump();
    await Promise.all(hit.map((t) => t.execution));
  }

  /** Resolves when no task is left (graceful shutdown, logout). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) {
      const running = [...this.tasks.values()].filter((t) => t.state === TaskState.EXECUTING);
      if (running.length === 0) return;
      await Promise.all(running.map((t) => t.execution));
    }
  }

  /** The session ends (connection lost, logout, reinstatement): tasks aborted, the device told of the nexus loss. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.tasks.values()) t.cancel();
    this.tasks.clear();
    this.deferred.length = 0;
    this.writeBuffers.dispose();
    const device = this.id.target?.device;
    if (!device) return;
    try {
      device.handleEvent({ kind: 'nexus-loss', nexus: this.nexus });
    } catch (err) {
      this.conn.log.error({ err }, 'device failed to handle nexus loss');
    }
  }
}
