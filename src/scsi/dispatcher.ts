// Runs one logical unit's command table: decode, check, queue, execute, and turn outcomes into SAM status.
// Order of checks follows SAM-5 5.x / SPC-4: opcode, CDB fields, unit attention, reservation, then execution.
import type { Logger } from '../log.js';
import { commandKey, DataDirection, NO_TRANSFER } from './command.js';
import { senseKeyNameOf, UNSUPPORTED_COMMAND, type CommandObserver } from './command-observer.js';
import type { CommandDescriptor, CommandResult, CommandTable, Transfer } from './command.js';
import type { LogicalUnit, ScsiCommand, ScsiResponse, TargetEvent } from './logical-unit.js';
import { ReservationAccess } from './reservation.js';
import type { Reservation } from './reservation.js';
import { ReservationConflictError } from './reservation-conflict.js';
import { encodeSense, Sense, SenseError, SenseFormat, SenseReason, senseOf } from './sense.js';
import type { SenseData } from './sense.js';
import { ScsiStatus } from './status.js';
import type { UnitAttentions } from './unit-attention.js';
import type { UnitQueue } from './unit-queue.js';

/** What the dispatcher needs from every device it drives. */
export interface DispatchableDevice {
  readonly unitAttentions: UnitAttentions;
  readonly reservation: Reservation;
  /** The logical unit's one owner of ordering: non-concurrent commands run there, one at a time (unit-queue.ts). */
  readonly queue: UnitQueue;
  /** Fixed or descriptor, from the control mode page D_SENSE bit. */
  senseFormat(): SenseFormat;
  /** Device-specific reaction to resets and nexus loss (after the dispatcher's own). */
  handleEvent?(event: TargetEvent): void;
  /** SPC-4 informational exceptions (mode page 1Ch MRIE 3h-5h turn a command that succeeded into CHECK CONDITION). */
  readonly informationalExceptions?: { afterCommand(opcode: number): SenseData | undefined };
}

/** Lengths of CDBs by group code (SPC-4 4.2.5.1); groups 3 and 6/7 are variable or vendor-specific. */
export function cdbLengthOfOpcode(opcode: number): number | undefined {
  switch (opcode >> 5) {
    case 0:
      return 6;
    case 1:
    case 2:
      return 10;
    case 4:
      return 16;
    case 5:
      return 12;
    default:
      return undefined;
  }
}

/** Data-out of a command that has none: one shared empty buffer rather than two new ones per command. */
const NO_DATA = Buffer.alloc(0);

export class CommandDispatcher<D extends DispatchableDevice> implements LogicalUnit {
  private readonly byKey = new Map<number, CommandDescriptor<D>>();
  private readonly withServiceAction = new Set<number>();

  constructor(
    readonly table: CommandTable<D>,
    readonly device: D,
    private readonly log: Logger,
    /** Told of every answered command (metrics); absent, the dispatcher does no timing at all. */
    private readonly observer?: CommandObserver,
  ) {
    for (const c of table) {
      this.byKey.set(commandKey(c.opcode, c.serviceAction), c);
      if (c.serviceAction !== undefined) this.withServiceAction.add(c.opcode);
    }
  }

  /** The descriptor that serves an opcode (and service action), or undefined when unsupported. */
  lookup(opcode: number, serviceAction?: number): CommandDescriptor<D> | undefined {
    return this.byKey.get(commandKey(opcode, this.withServiceAction.has(opcode) ? serviceAction : undefined));
  }

  async execute(command: ScsiCommand): Promise<ScsiResponse> {
    const startedMs = this.observer === undefined ? 0 : performance.now();
    const format = this.device.senseFormat();
    // The observer's name for the command, known once the descriptor is: no second lookup when it is answered.
    let name = UNSUPPORTED_COMMAND;
    try {
      const nexusId = command.nexus.id;
      this.device.unitAttentions.register(nexusId);
      const cdb = command.cdb;
      if (cdb.length < 6) throw Sense.invalidOpcode();
      const opcode = cdb[0];
      const descriptor = this.lookup(opcode, cdb[1] & 0x1f);
      if (!descriptor) {
        // A known opcode with an unknown service action points at the service action field.
        throw this.withServiceAction.has(opcode) ? Sense.invalidFieldInCdb(1, 4) : Sense.invalidOpcode();
      }
      name = descriptor.name;
      if (cdb.length < descriptor.cdbUsage.length) throw Sense.invalidOpcode();
      const trimmed = cdb.subarray(0, descriptor.cdbUsage.length);
      checkCdbUsage(trimmed, descriptor.cdbUsage);

      if (!descriptor.flags?.allowUnitAttention) {
        const ua = this.device.unitAttentions.take(nexusId);
        if (ua) return this.done(name, startedMs, checkCondition(senseOf(ua), format));
      }
      const access = reservationAccessOf(descriptor, trimmed);
      if (this.device.reservation.conflicts(nexusId, access)) return this.done(name, startedMs, { status: ScsiStatus.RESERVATION_CONFLICT });

      // Decoded once, here: `execute` works from this form and never reads the transfer fields again.
      const transfer = descriptor.decode ? descriptor.decode(trimmed, this.device) : NO_TRANSFER;
      const dataOut = command.dataOut ?? NO_DATA;
      if (transfer.direction === DataDirection.OUT && dataOut.length < transfer.lengthBytes) {
        // The initiator sent less than the CDB needs: nothing is executed on partial data.
        this.log.warn({ lun: command.lun, command: descriptor.name, needed: transfer.lengthBytes, received: dataOut.length },
          'data-out shorter than the CDB transfer length');
        return this.done(name, startedMs, { ...checkCondition(senseOf('INVALID_FIELD_IN_CDB', { fieldPointer: fieldPointerForLength(descriptor) }), format), dataOutLength: transfer.lengthBytes });
      }

      const run = (): Promise<CommandResult> => {
        if (isAborted(command)) return Promise.resolve({ sense: senseOf('COMMAND_ABORTED_BY_TARGET') });
        // Checked again when the command's turn comes: a PERSISTENT RESERVE OUT queued ahead of it may have
        // preempted this nexus since it arrived.
        if (this.device.reservation.conflicts(nexusId, access)) throw new ReservationConflictError('reservation changed while queued');
        return Promise.resolve(
          descriptor.execute({
            dataOut: transfer.direction !== DataDirection.OUT ? NO_DATA : dataOut.length === transfer.lengthBytes ? dataOut : dataOut.subarray(0, transfer.lengthBytes),
            transfer,
            decoded: transfer,
            nexus: command.nexus,
            device: this.device,
            // Read through, so a transport that creates its signal lazily creates it only for commands that use it.
            get signal() {
              return command.signal;
            },
            senseFormat: format,
          }),
        );
      };
      // A tape unit executes one command at a time in arrival order: the device's unit queue is the only place
      // that orders them (and the IMMED work and robot moves between them).
      const result = descriptor.flags?.concurrent ? await run() : await this.device.queue.run(run);
      if (isAborted(command) && result.sense?.asc === SenseReason.COMMAND_ABORTED_BY_TARGET.asc) {
        return this.done(name, startedMs, { status: ScsiStatus.TASK_ABORTED });
      }
      const response = toResponse(result, transfer, format);
      const exception = response.status === ScsiStatus.GOOD ? this.device.informationalExceptions?.afterCommand(opcode) : undefined;
      return this.done(name, startedMs, exception ? { ...response, ...checkCondition(exception, format) } : response);
    } catch (err) {
      return this.done(name, startedMs, this.errorResponse(err, command, format));
    }
  }

  handleEvent(event: TargetEvent): void {
    const ua = this.device.unitAttentions;
    switch (event.kind) {
      case 'nexus-loss':
        ua.forget(event.nexus.id);
        this.device.reservation.release(event.nexus.id);
        break;
      case 'logical-unit-reset':
        this.device.reservation.clear();
        ua.raiseAll('BUS_DEVICE_RESET_FUNCTION_OCCURRED');
        break;
      case 'target-reset':
        this.device.reservation.clear();
        ua.raiseAll('POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED');
        break;
      case 'clear-task-set':
        ua.raiseAll('COMMANDS_CLEARED_BY_ANOTHER_INITIATOR', event.by.id);
        break;
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
    this.device.handleEvent?.(event);
  }

  /** Every answer passes here; the observer gets the table's constant name, so counting allocates nothing. */
  private done(name: string, startedMs: number, response: ScsiResponse): ScsiResponse {
    const observer = this.observer;
    if (observer === undefined) return response;
    const senseKey = response.status === ScsiStatus.CHECK_CONDITION ? senseKeyNameOf(response.sense) : undefined;
    observer.commandDone(name, senseKey, (performance.now() - startedMs) / 1000);
    return response;
  }

  private errorResponse(err: unknown, command: ScsiCommand, format: SenseFormat): ScsiResponse {
    if (err instanceof ReservationConflictError) {
      this.log.debug({ lun: command.lun, opcode: command.cdb[0], reason: err.message }, 'reservation conflict');
      return { status: ScsiStatus.RESERVATION_CONFLICT };
    }
    if (err instanceof SenseError) {
      this.log.debug({ lun: command.lun, opcode: command.cdb[0], sense: err.message }, 'command failed');
      return checkCondition(err.sense, format);
    }
    // Anything else is a bug: report it as a target failure and keep the session alive.
    this.log.error({ err, lun: command.lun, cdb: command.cdb.toString('hex') }, 'internal error executing command');
    return checkCondition(senseOf('INTERNAL_TARGET_FAILURE'), format);
  }
}

/** How a command meets reservations, from its flags (command.ts CommandFlags). */
function reservationAccessOf(d: CommandDescriptor<never>, cdb: Buffer): ReservationAccess {
  const exempt = d.flags?.allowReservationConflict;
  if (typeof exempt === 'function' ? exempt(cdb) : exempt) return ReservationAccess.ANY;
  return d.flags?.reservationAccess ?? ReservationAccess.WRITE;
}

/** The command's abort state, without creating its signal when the transport offers `aborted`. */
function isAborted(command: ScsiCommand): boolean {
  return command.aborted ?? command.signal.aborted;
}

function fieldPointerForLength(d: { readonly cdbUsage: readonly number[] }): { inCdb: true; byte: number } {
  // The transfer/parameter list length is in the last bytes before CONTROL for most commands.
  return { inCdb: true, byte: Math.max(1, d.cdbUsage.length - 2) };
}

/** Refuse any bit set outside the command's CDB usage mask, pointing at the highest offending bit. */
export function checkCdbUsage(cdb: Buffer, usage: readonly number[]): void {
  for (let i = 1; i < usage.length; i++) {
    const bad = cdb[i] & ~usage[i] & 0xff;
    if (bad !== 0) throw Sense.invalidFieldInCdb(i, 31 - Math.clz32(bad));
  }
}

export function checkCondition(sense: SenseData, format: SenseFormat): ScsiResponse {
  return { status: ScsiStatus.CHECK_CONDITION, sense: encodeSense(sense, format) };
}

function toResponse(result: CommandResult, transfer: Transfer, format: SenseFormat): ScsiResponse {
  let dataIn = result.dataIn;
  if (dataIn && transfer.direction === DataDirection.IN && dataIn.length > transfer.lengthBytes) {
    dataIn = dataIn.subarray(0, transfer.lengthBytes);
  }
  const base = dataIn ? (result.releaseDataIn ? { dataIn, releaseDataIn: result.releaseDataIn } : { dataIn }) : {};
  if (result.sense) return { ...checkCondition(result.sense, format), ...base };
  return { status: ScsiStatus.GOOD, ...base };
}
