// A small logical unit for transport tests: INQUIRY (with VPD 00h/80h/83h), REPORT LUNS, TEST UNIT READY, and
// vendor opcodes that produce/consume exact byte counts, block until released, or fail with sense.
import type { LogicalUnit, ScsiCommand, ScsiResponse, TargetEvent } from '../../src/scsi/logical-unit.js';
import { encodeSense, senseOf } from '../../src/scsi/sense.js';
import { ScsiStatus } from '../../src/scsi/status.js';
import { ScsiTarget, reportLuns } from '../../src/scsi/target.js';
import { silentLogger } from '../../src/log.js';

export const FakeOp = {
  TEST_UNIT_READY: 0x00,
  INQUIRY: 0x12,
  REPORT_LUNS: 0xa0,
  /** cdb[2..5]: bytes of data-in to produce (pattern i & 0xff), whatever the EDTL. */
  PRODUCE: 0xc0,
  /** cdb[2..5]: bytes of data-out the command needs (reported as dataOutLength). Stores the data. */
  CONSUME: 0xc1,
  /** Blocks until released by the test; cdb[2] is a tag recorded in execution order. */
  BLOCK: 0xc2,
  /** CHECK CONDITION with MEDIUM ERROR sense and cdb[2..5] bytes of data-in. */
  FAIL: 0xc3,
  /** A response the transport cannot send (sense that is not a Buffer): a device bug. */
  GARBAGE: 0xc4,
  /** The unit's promise rejects: a device bug. */
  THROW: 0xc5,
} as const;

export class FakeUnit implements LogicalUnit {
  readonly events: TargetEvent[] = [];
  /** Tags of finished BLOCK commands, in order. */
  readonly executed: number[] = [];
  /** Opcodes in the order commands reached the unit. */
  readonly arrivals: number[] = [];
  /** The last command as the unit saw it. */
  last: ScsiCommand | undefined;
  readonly received: Buffer[] = [];
  blocked: { release: () => void; signal: AbortSignal }[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly luns: () => readonly number[]) {}

  get blockedCount(): number {
    return this.blocked.length;
  }

  /** Resolves once `n` BLOCK commands are waiting. */
  async whenBlocked(n: number): Promise<void> {
    while (this.blocked.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }

  releaseAll(): void {
    const b = this.blocked;
    this.blocked = [];
    for (const x of b) x.release();
  }

  async execute(command: ScsiCommand): Promise<ScsiResponse> {
    const cdb = command.cdb;
    const u32 = (): number => cdb.readUInt32BE(2);
    this.arrivals.push(cdb[0]);
    this.last = command;
    switch (cdb[0]) {
      case FakeOp.TEST_UNIT_READY:
        return { status: ScsiStatus.GOOD };
      case FakeOp.INQUIRY:
        return { status: ScsiStatus.GOOD, dataIn: inquiry(cdb).subarray(0, cdb.readUInt16BE(3)) };
      case FakeOp.REPORT_LUNS:
        return { status: ScsiStatus.GOOD, dataIn: reportLuns(cdb, this.luns()) };
      case FakeOp.PRODUCE: {
        const n = u32();
        const data = Buffer.alloc(n);
        for (let i = 0; i < n; i++) data[i] = i & 0xff;
        return { status: ScsiStatus.GOOD, dataIn: data };
      }
      case FakeOp.CONSUME:
        if (command.dataOut) this.received.push(command.dataOut);
        return { status: ScsiStatus.GOOD, dataOutLength: u32() };
      case FakeOp.BLOCK: {
        const tag = cdb[2];
        await new Promise<void>((release) => {
          // A unit that honours aborts: task management does not have to wait for the test to release it.
          command.signal.addEventListener('abort', () => release(), { once: true });
          this.blocked.push({ release, signal: command.signal });
          for (const w of this.waiters.splice(0)) w();
        });
        this.executed.push(tag);
        if (command.signal.aborted) return { status: ScsiStatus.TASK_ABORTED };
        return { status: ScsiStatus.GOOD };
      }
      case FakeOp.FAIL:
        return {
          status: ScsiStatus.CHECK_CONDITION,
          sense: encodeSense(senseOf('UNRECOVERED_READ_ERROR')),
          dataIn: Buffer.alloc(u32(), 0xaa),
        };
      case FakeOp.GARBAGE:
        return { status: ScsiStatus.CHECK_CONDITION, sense: 'not a buffer' as unknown as Buffer };
      case FakeOp.THROW:
        throw new Error('fake unit failure');
      default:
        return { status: ScsiStatus.CHECK_CONDITION, sense: encodeSense(senseOf('INVALID_COMMAND_OPERATION_CODE')) };
    }
  }

  handleEvent(event: TargetEvent): void {
    this.events.push(event);
  }
}

function inquiry(cdb: Buffer): Buffer {
  if ((cdb[1] & 0x01) !== 0) {
    const page = cdb[2];
    if (page === 0x00) return Buffer.from([0x01, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83]);
    if (page === 0x80) return Buffer.concat([Buffer.from([0x01, 0x80, 0x00, 0x08]), Buffer.from('SER00001')]);
    if (page === 0x83) {
      const id = Buffer.from('VTLTEST SER00001');
      return Buffer.concat([Buffer.from([0x01, 0x83, 0x00, 4 + id.length, 0x02, 0x01, 0x00, id.length]), id]);
    }
    return Buffer.alloc(0);
  }
  const b = Buffer.alloc(36, 0x20);
  b[0] = 0x01; // sequential-access device
  b[1] = 0x80; // removable
  b[2] = 0x06;
  b[3] = 0x02;
  b[4] = 31;
  b[5] = 0;
  b[6] = 0;
  b[7] = 0;
  b.write('VTLTEST ', 8, 'ascii');
  b.write('FAKE TAPE       ', 16, 'ascii');
  b.write('0001', 32, 'ascii');
  return b;
}

/** A ScsiTarget with one FakeUnit on each of the given LUNs. */
export function fakeTarget(luns: readonly number[] = [0]): { device: ScsiTarget; units: Map<number, FakeUnit> } {
  const device = new ScsiTarget(silentLogger());
  const units = new Map<number, FakeUnit>();
  for (const lun of luns) {
    const u = new FakeUnit(() => device.luns());
    units.set(lun, u);
    device.attach(lun, u);
  }
  return { device, units };
}
