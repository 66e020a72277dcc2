// RFC 7143 4.2.x, 11.3, 11.7-11.8: one SCSI task on the target and its data-out phase. Data-out (immediate,
// unsolicited and R2T-solicited) lands in ONE buffer of the expected length, allocated when the command arrives;
// each byte is copied once, from the socket chunk into that buffer. With DataPDUInOrder=Yes and
// DataSequenceInOrder=Yes (the only values we agree to), data-out arrives at strictly increasing offsets.
import type { ItNexus, ScsiCommand, TaskAttribute } from '../scsi/logical-unit.js';
import { DataBhs, RESERVED_TAG, ScsiCommandBhs } from './pdu.js';

export interface R2tRequest {
  readonly ttt: number;
  readonly r2tSN: number;
  readonly offset: number;
  readonly length: number;
}

export const TaskState = { DATA_OUT: 'data-out', READY: 'ready', EXECUTING: 'executing', DONE: 'done' } as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

export interface TaskInit {
  readonly itt: number;
  readonly lun: number;
  readonly lunField: Buffer;
  readonly cdb: Buffer;
  readonly expectedDataTransferLength: number;
  readonly read: boolean;
  readonly write: boolean;
  readonly attribute: number;
  readonly cmdSN: number;
  readonly immediate: boolean;
  readonly bidiReadLength: number | undefined;
}

export class ScsiTask {
  /** Created only when someone reads `signal` (most tasks are never aborted nor asked). */
  private controller: AbortController | undefined;
  state: TaskState = TaskState.DATA_OUT;
  /** Data-out of exactly EDTL bytes (writes only). */
  readonly buffer: Buffer | undefined;
  /** Next data-out byte expected. */
  nextOffset = 0;
  /** End of the unsolicited region (immediate data + unsolicited Data-Out). */
  private unsolicitedEnd = 0;
  private unsolicitedOpen = false;
  private r2tNextOffset = 0;
  /** Outstanding R2Ts by TTT, with the DataSN the next Data-Out of that sequence must carry (11.7.5). */
  private readonly outstanding = new Map<number, { offset: number; end: number; dataSN: number }>();
  private unsolicitedDataSN = 0;
  r2tCount = 0;
  dataInCount = 0;
  /** Settles when the device has finished with the task (or immediately if it never reached the device). */
  execution: Promise<void> = Promise.resolve();
  /** Set by task management: no response is sent (RFC 7143 4.2.3, TaskReporting=RFC3720). */
  aborted = false;
  /** Output reserved on the connection while the device runs the task (output-flow.ts). */
  reservedOutputBytes = 0;

  constructor(readonly init: TaskInit, buffer: Buffer | undefined) {
    this.buffer = buffer;
  }

  /** The task's abort signal, created on first use (already aborted when the task was). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** Task management or connection loss: no response will be sent, and the signal (if any) fires. */
  cancel(): void {
    this.aborted = true;
    this.controller?.abort();
  }

  get itt(): number {
    return this.init.itt;
  }

  get edtl(): number {
    return this.init.expectedDataTransferLength;
  }

  /** Expected data-in length: EDTL for reads, the AHS length for bidirectional commands. */
  get readLength(): number {
    if (this.init.bidiReadLength !== undefined) return this.init.bidiReadLength;
    return this.init.read ? this.edtl : 0;
  }

  get writeLength(): number {
    return this.init.write ? this.edtl : 0;
  }

  get dataComplete(): boolean {
    return !this.buffer || this.nextOffset >= this.buffer.length;
  }

  /**
   * Start the data-out phase after the command PDU: `immediateLength` bytes already in the buffer.
   * `finalBit`: the command's F bit (no unsolicited Data-Out follows).
   */
  startDataOut(immediateLength: number, finalBit: boolean, initialR2T: boolean, firstBurstLength: number): void {
    this.nextOffset = immediateLength;
    const unsolicitedAllowed = !initialR2T && !finalBit;
    this.unsolicitedEnd = unsolicitedAllowed ? Math.min(firstBurstLength, this.writeLength) : immediateLength;
    this.unsolicitedOpen = unsolicitedAllowed && this.nextOffset < this.unsolicitedEnd;
    this.r2tNextOffset = this.nextOffset;
    if (this.dataComplete) this.state = TaskState.READY;
  }

  /** Why a Data-Out of `length` bytes with this header is not acceptable now, or undefined when it is. */
  checkDataOut(bhs: Buffer, length: number): string | undefined {
    if (!this.buffer || this.state !== TaskState.DATA_OUT) return 'Data-Out for a task that expects none';
    const offset = bhs.readUInt32BE(DataBhs.BUFFER_OFFSET);
    const ttt = bhs.readUInt32BE(20);
    const end = offset + length;
    if (offset !== this.nextOffset) return `Data-Out at offset ${offset}, expected ${this.nextOffset}`;
    if (end > this.buffer.length) return `Data-Out beyond the expected data transfer length ${this.buffer.length}`;
    const dataSN = bhs.readUInt32BE(DataBhs.DATA_SN);
    if (ttt === RESERVED_TAG) {
      if (!this.unsolicitedOpen || end > this.unsolicitedEnd) return 'unsolicited Data-Out beyond FirstBurstLength or not allowed';
      if (dataSN !== this.unsolicitedDataSN) return `unsolicited Data-Out with DataSN ${dataSN}, expected ${this.unsolicitedDataSN}`;
      return undefined;
    }
    const r2t = this.outstanding.get(ttt);
    if (!r2t) return `Data-Out with unknown Target Transfer Tag 0x${ttt.toString(16)}`;
    if (offset < r2t.offset || end > r2t.end) return 'Data-Out outside the R2T it answers';
    if (dataSN !== r2t.dataSN) return `Data-Out with DataSN ${dataSN}, expected ${r2t.dataSN}`;
    return undefined;
  }

  /** Where the data segment of a valid Data-Out goes (no copy beyond the one from the socket). */
  regionFor(bhs: Buffer, length: number): Buffer | undefined {
    if (this.checkDataOut(bhs, length) !== undefined || !this.buffer) return undefined;
    const offset = bhs.readUInt32BE(DataBhs.BUFFER_OFFSET);
    return this.buffer.subarray(offset, offset + length);
  }

  /** Account for a checked Data-Out. Returns an error message when the F bit contradicts the sequence. */
  acceptDataOut(bhs: Buffer, data: Buffer, finalBit: boolean): string | undefined {
    const problem = this.checkDataOut(bhs, data.length);
    if (problem !== undefined || !this.buffer) return problem ?? 'no buffer';
    const offset = bhs.readUInt32BE(DataBhs.BUFFER_OFFSET);
    // Placed data already sits in the buffer; anything else is copied now (the one copy).
    const target = this.buffer.subarray(offset, offset + data.length);
    if (data.buffer !== target.buffer || data.byteOffset !== target.byteOffset) data.copy(target);
    this.nextOffset = offset + data.length;
    const ttt = bhs.readUInt32BE(20);
    if (ttt === RESERVED_TAG) {
      this.unsolicitedDataSN++;
      if (finalBit || this.nextOffset >= this.unsolicitedEnd) {
        this.unsolicitedOpen = false;
        this.r2tNextOffset = this.nextOffset;
      }
    } else {
      const r2t = this.outstanding.get(ttt);
      if (r2t) r2t.dataSN++;
      if (r2t && this.nextOffset >= r2t.end) this.outstanding.delete(ttt);
      else if (finalBit) return 'F bit before the end of the R2T sequence';
    }
    if (this.dataComplete) this.state = TaskState.READY;
    return undefined;
  }

  /** R2Ts to send now: once the unsolicited phase is over, up to MaxOutstandingR2T at a time. */
  nextR2ts(maxOutstanding: number, maxBurstLength: number, allocateTtt: () => number): R2tRequest[] {
    const out: R2tRequest[] = [];
    if (!this.buffer || this.unsolicitedOpen || this.state !== TaskState.DATA_OUT) return out;
    while (this.outstanding.size < maxOutstanding && this.r2tNextOffset < this.buffer.length) {
      const length = Math.min(maxBurstLength, this.buffer.length - this.r2tNextOffset);
      const r: R2tRequest = { ttt: allocateTtt(), r2tSN: this.r2tCount++, offset: this.r2tNextOffset, length };
      this.outstanding.set(r.ttt, { offset: r.offset, end: r.offset + length, dataSN: 0 });
      this.r2tNextOffset += length;
      out.push(r);
    }
    return out;
  }
}

/** SAM task attributes by the ATTR field's value (11.3.1.2). */
const TASK_ATTRIBUTES: readonly TaskAttribute[] = ['simple', 'simple', 'ordered', 'head-of-queue', 'aca'];

/** SAM task attribute from the SCSI Command ATTR field (11.3.1.2). */
export function attributeOf(flags: number): number {
  return flags & ScsiCommandBhs.ATTR_MASK;
}

/** What the device gets for `task`. */
export function commandOf(task: ScsiTask, nexus: ItNexus): ScsiCommand {
  return {
    lun: task.init.lun,
    cdb: task.init.cdb,
    dataOut: task.buffer,
    expectedDataInLength: task.readLength,
    expectedDataOutLength: task.writeLength,
    taskAttribute: TASK_ATTRIBUTES[task.init.attribute] ?? 'simple',
    nexus,
    // Getters: the AbortController exists only if the device asks for the signal.
    get signal() {
      return task.signal;
    },
    get aborted() {
      return task.aborted;
    },
  };
}
