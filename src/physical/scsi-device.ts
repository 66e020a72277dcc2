// One logical unit of a physical library, reached through an iSCSI session: runs a command and turns its status
// into a result or a PhysicalDeviceError. A UNIT ATTENTION (the command did not run) and a drive that is becoming
// ready are waited out here; tape conditions that come with data (filemark, early warning, incorrect length) are
// returned with the result, as the target side does, not thrown.
import type { IscsiSession } from '../initiator/iscsi-session.js';
import { Status, TaskAttribute, type ScsiResult } from '../initiator/scsi-task.js';
import { SenseKey } from '../scsi/sense.js';
import { isTransientSense, PhysicalDeviceError } from './physical-device-error.js';
import { decodeSense, type DecodedSense } from './sense-words.js';

export interface DeviceResult {
  readonly data: Buffer;
  /** Present for CHECK CONDITION answers the caller asked to see (`accept`). */
  readonly sense?: DecodedSense;
  readonly residualUnderflow: number;
}

export interface RunOptions {
  readonly dataOut?: Buffer;
  readonly dataInLength?: number;
  /** Sense conditions that are an outcome of this command, not a failure (READ hitting a filemark...). */
  readonly accept?: (sense: DecodedSense) => boolean;
  readonly timeoutMs?: number;
  /**
   * One of several commands in flight together (pipelined tape WRITEs): sent ORDERED, and never repeated here,
   * because a repeat would run after commands sent later. A UNIT ATTENTION, BUSY or NOT READY is then an error
   * (transient), and the caller starts again from what it knows is on the tape.
   */
  readonly inFlightWithOthers?: boolean;
}

export class ScsiDevice {
  /** Unit attentions seen (power on, medium changed, reservations...), newest last, for status views. */
  readonly unitAttentions: DecodedSense[] = [];

  constructor(
    readonly session: IscsiSession,
    readonly lun: number,
    private readonly notReadyWaitMs = 120_000,
  ) {}

  async run(name: string, cdb: Buffer, o: RunOptions = {}): Promise<DeviceResult> {
    const deadline = o.inFlightWithOthers ? 0 : Date.now() + this.notReadyWaitMs;
    const attempts = o.inFlightWithOthers ? 0 : 8;
    for (let attempt = 0; ; attempt++) {
      const r: ScsiResult = await this.session.execute(
        {
          lun: this.lun,
          cdb,
          ...(o.dataOut ? { dataOut: o.dataOut } : {}),
          ...(o.dataInLength ? { dataInLength: o.dataInLength } : {}),
          ...(o.inFlightWithOthers ? { taskAttribute: TaskAttribute.ORDERED } : {}),
        },
        o.timeoutMs,
      );
      if (r.status === Status.GOOD) return { data: r.data, residualUnderflow: r.residualUnderflow };
      const sense = r.sense ? decodeSense(r.sense) : undefined;
      if (r.status === Status.CHECK_CONDITION && sense) {
        if (sense.key === SenseKey.UNIT_ATTENTION && attempt < attempts) {
          // SAM-5: the command was not executed; the attention is reported once, so the retry runs it.
          this.unitAttentions.push(sense);
          continue;
        }
        if (sense.key === SenseKey.NOT_READY && sense.asc === 0x04 && sense.ascq === 0x01 && Date.now() < deadline) {
          await delay(500);
          continue;
        }
        if (o.accept?.(sense)) return { data: r.data, sense, residualUnderflow: r.residualUnderflow };
      }
      if ((r.status === Status.BUSY || r.status === Status.TASK_SET_FULL) && Date.now() < deadline) {
        await delay(200);
        continue;
      }
      throw new PhysicalDeviceError(name, r.status, sense, r.status === Status.BUSY || isTransientSense(sense));
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
