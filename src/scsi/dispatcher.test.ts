import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../log.js';
import { DataDirection } from './command.js';
import type { CommandDescriptor, CommandTable, DecodedCdb } from './command.js';
import { CommandDispatcher } from './dispatcher.js';
import type { DispatchableDevice } from './dispatcher.js';
import type { ItNexus, ScsiCommand } from './logical-unit.js';
import { TaskAttribute } from './logical-unit.js';
import { Reservation } from './reservation.js';
import { Sense, SenseFormat } from './sense.js';
import { ScsiStatus } from './status.js';
import { UnitAttentions } from './unit-attention.js';
import { UnitQueue } from './unit-queue.js';

interface Dev extends DispatchableDevice {
  log: string[];
}

function nexus(n: number): ItNexus {
  return { id: `n${n}`, initiatorPort: `iqn.i${n},i,0x1`, targetPort: 'iqn.t,t,0x1', relativeTargetPort: 1 };
}

const table: CommandTable<Dev> = [
  { opcode: 0x00, name: 'TEST UNIT READY', cdbUsage: [0x00, 0, 0, 0, 0, 0], execute: () => ({}) },
  {
    opcode: 0x12,
    name: 'INQUIRY',
    cdbUsage: [0x12, 0x01, 0xff, 0xff, 0xff, 0x00],
    flags: { allowUnitAttention: true, allowReservationConflict: true },
    decode: (cdb) => ({ direction: DataDirection.IN, lengthBytes: cdb.readUInt16BE(3) }),
    execute: () => ({ dataIn: Buffer.alloc(96, 1) }),
  },
  {
    opcode: 0x0a,
    name: 'WRITE(6)',
    cdbUsage: [0x0a, 0x01, 0xff, 0xff, 0xff, 0x00],
    decode: (cdb) => ({ direction: DataDirection.OUT, lengthBytes: cdb.readUIntBE(2, 3) }),
    execute: async (ctx) => {
      ctx.device.log.push(`write ${ctx.dataOut.length}`);
      await new Promise((r) => setTimeout(r, 5));
      ctx.device.log.push(`done ${ctx.dataOut.length}`);
      return {};
    },
  },
  {
    opcode: 0x1e,
    name: 'PREVENT ALLOW MEDIUM REMOVAL',
    cdbUsage: [0x1e, 0, 0, 0, 0x03, 0],
    flags: { allowReservationConflict: (cdb) => (cdb[4] & 0x03) === 0 },
    execute: () => ({}),
  },
  { opcode: 0x01, name: 'REWIND', cdbUsage: [0x01, 0x01, 0, 0, 0, 0], execute: () => { throw Sense.mediumNotPresent(); } },
  { opcode: 0x19, name: 'ERASE', cdbUsage: [0x19, 0x03, 0, 0, 0, 0], execute: () => { throw new Error('boom'); } },
  {
    opcode: 0x08,
    name: 'READ(6)',
    cdbUsage: [0x08, 0, 0, 0, 0xff, 0],
    decode: (cdb, dev) => {
      dev.log.push('decode');
      return { direction: DataDirection.IN, lengthBytes: cdb[4], requested: cdb[4] };
    },
    execute(ctx) {
      ctx.device.log.push(`execute ${ctx.decoded.requested} ${ctx.decoded === ctx.transfer}`);
      return { dataIn: Buffer.alloc(ctx.decoded.requested + 8, 7) };
    },
  } satisfies CommandDescriptor<Dev, DecodedCdb & { readonly requested: number }>,
  { opcode: 0xa3, serviceAction: 0x0c, name: 'REPORT SUPPORTED OPERATION CODES', cdbUsage: [0xa3, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], execute: () => ({}) },
];

function make(): { d: CommandDispatcher<Dev>; dev: Dev } {
  const dev: Dev = { log: [], queue: new UnitQueue(), unitAttentions: new UnitAttentions(), reservation: new Reservation(new UnitAttentions()), senseFormat: () => SenseFormat.FIXED };
  return { d: new CommandDispatcher(table, dev, silentLogger()), dev };
}

function cmd(cdb: number[], n = 1, dataOut?: Buffer): ScsiCommand {
  const c = Buffer.alloc(16);
  Buffer.from(cdb).copy(c);
  return {
    lun: 0, cdb: c, dataOut, expectedDataInLength: 255, expectedDataOutLength: dataOut?.length ?? 0,
    taskAttribute: TaskAttribute.SIMPLE, nexus: nexus(n), signal: new AbortController().signal,
  };
}

describe('CommandDispatcher', () => {
  test('a new nexus first gets POWER ON RESET unit attention, then the command runs', async () => {
    const { d } = make();
    const first = await d.execute(cmd([0x00, 0, 0, 0, 0, 0]));
    assert.equal(first.status, ScsiStatus.CHECK_CONDITION);
    assert.equal(first.sense?.[12], 0x29);
    assert.equal((await d.execute(cmd([0x00, 0, 0, 0, 0, 0]))).status, ScsiStatus.GOOD);
  });

  test('INQUIRY runs with a unit attention pending and leaves it pending', async () => {
    const { d } = make();
    const inq = await d.execute(cmd([0x12, 0, 0, 0, 36, 0]));
    assert.equal(inq.status, ScsiStatus.GOOD);
    assert.equal(inq.dataIn?.length, 36, 'data-in is cut to the allocation length');
    assert.equal((await d.execute(cmd([0x00, 0, 0, 0, 0, 0]))).status, ScsiStatus.CHECK_CONDITION);
  });

  test('an unknown opcode is refused with INVALID COMMAND OPERATION CODE pointing at byte 0', async () => {
    const { d } = make();
    await d.execute(cmd([0x12, 0, 0, 0, 0, 0]));
    d.device.unitAttentions.take('n1');
    const r = await d.execute(cmd([0x2b, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(r.status, ScsiStatus.CHECK_CONDITION);
    assert.deepEqual([r.sense?.[2], r.sense?.[12], r.sense?.[13]], [0x05, 0x20, 0x00]);
    assert.deepEqual([...(r.sense ?? Buffer.alloc(18)).subarray(15, 18)], [0xc0, 0, 0]);
  });

  test('an unknown service action points at the service action field', async () => {
    const { d } = make();
    d.device.unitAttentions.register('n1');
    d.device.unitAttentions.take('n1');
    const r = await d.execute(cmd([0xa3, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.deepEqual([r.sense?.[12], ...(r.sense ?? Buffer.alloc(18)).subarray(15, 18)], [0x24, 0xc8 | 4, 0, 1]);
  });

  test('a reserved bit set in the CDB is refused with a field pointer to that bit', async () => {
    const { d } = make();
    d.device.unitAttentions.register('n1');
    d.device.unitAttentions.take('n1');
    const r = await d.execute(cmd([0x01, 0x04, 0, 0, 0, 0]));
    assert.equal(r.sense?.[12], 0x24);
    assert.deepEqual([...(r.sense ?? Buffer.alloc(18)).subarray(15, 18)], [0xc8 | 2, 0, 1]);
    const ctl = await d.execute(cmd([0x00, 0, 0, 0, 0, 0x04]));
    assert.deepEqual([...(ctl.sense ?? Buffer.alloc(18)).subarray(15, 18)], [0xc8 | 2, 0, 5], 'NACA is not supported');
  });

  test('another nexus holding a reservation gets RESERVATION CONFLICT except for exempt commands', async () => {
    const { d, dev } = make();
    for (const n of ['n1', 'n2']) { dev.unitAttentions.register(n); dev.unitAttentions.take(n); }
    dev.reservation.reserve('n1');
    assert.equal((await d.execute(cmd([0x00, 0, 0, 0, 0, 0], 2))).status, ScsiStatus.RESERVATION_CONFLICT);
    assert.equal((await d.execute(cmd([0x12, 0, 0, 0, 36, 0], 2))).status, ScsiStatus.GOOD);
    assert.equal((await d.execute(cmd([0x00, 0, 0, 0, 0, 0], 1))).status, ScsiStatus.GOOD);
  });

  test('a CDB-dependent exemption lets PREVENT=0 through a reservation conflict but not PREVENT=1', async () => {
    const { d, dev } = make();
    for (const n of ['n1', 'n2']) { dev.unitAttentions.register(n); dev.unitAttentions.take(n); }
    dev.reservation.reserve('n1');
    assert.equal((await d.execute(cmd([0x1e, 0, 0, 0, 0, 0], 2))).status, ScsiStatus.GOOD);
    assert.equal((await d.execute(cmd([0x1e, 0, 0, 0, 1, 0], 2))).status, ScsiStatus.RESERVATION_CONFLICT);
  });

  test('commands run one at a time in arrival order', async () => {
    const { d, dev } = make();
    dev.unitAttentions.register('n1');
    dev.unitAttentions.take('n1');
    const a = d.execute(cmd([0x0a, 0, 0, 0, 4, 0], 1, Buffer.alloc(4)));
    const b = d.execute(cmd([0x0a, 0, 0, 0, 2, 0], 1, Buffer.alloc(2)));
    await Promise.all([a, b]);
    assert.deepEqual(dev.log, ['write 4', 'done 4', 'write 2', 'done 2']);
  });

  test('a CDB is decoded once, execute works from the decoded form, and data-in is cut to its transfer length', async () => {
    const { d, dev } = make();
    dev.unitAttentions.register('n1');
    dev.unitAttentions.take('n1');
    const r = await d.execute(cmd([0x08, 0, 0, 0, 24, 0]));
    assert.equal(r.status, ScsiStatus.GOOD);
    assert.equal(r.dataIn?.length, 24);
    assert.deepEqual(dev.log, ['decode', 'execute 24 true']);
  });

  test('a failed command does not block or fail the command queued behind it', async () => {
    const { d, dev } = make();
    dev.unitAttentions.register('n1');
    dev.unitAttentions.take('n1');
    const [failed, next] = await Promise.all([d.execute(cmd([0x19, 0, 0, 0, 0, 0])), d.execute(cmd([0x0a, 0, 0, 0, 2, 0], 1, Buffer.alloc(2)))]);
    assert.deepEqual([failed.status, failed.sense?.[12]], [ScsiStatus.CHECK_CONDITION, 0x44]);
    assert.equal(next.status, ScsiStatus.GOOD);
    assert.deepEqual(dev.log, ['write 2', 'done 2']);
  });

  test('data-out shorter than the CDB asks for is refused and nothing executes', async () => {
    const { d, dev } = make();
    dev.unitAttentions.register('n1');
    dev.unitAttentions.take('n1');
    const r = await d.execute(cmd([0x0a, 0, 0, 0x10, 0, 0], 1, Buffer.alloc(16)));
    assert.equal(r.status, ScsiStatus.CHECK_CONDITION);
    assert.equal(r.dataOutLength, 4096);
    assert.deepEqual(dev.log, []);
  });

  test('a thrown SenseError becomes CHECK CONDITION and a bug becomes HARDWARE ERROR 44/00', async () => {
    const { d, dev } = make();
    dev.unitAttentions.register('n1');
    dev.unitAttentions.take('n1');
    const nr = await d.execute(cmd([0x01, 0, 0, 0, 0, 0]));
    assert.deepEqual([nr.sense?.[2], nr.sense?.[12]], [0x02, 0x3a]);
    const bug = await d.execute(cmd([0x19, 0, 0, 0, 0, 0]));
    assert.deepEqual([bug.sense?.[2], bug.sense?.[12], bug.sense?.[13]], [0x04, 0x44, 0x00]);
  });

  test('a logical unit reset clears the reservation and raises BUS DEVICE RESET to every nexus', async () => {
    const { d, dev } = make();
    for (const n of ['n1', 'n2']) { dev.unitAttentions.register(n); dev.unitAttentions.take(n); }
    dev.reservation.reserve('n1');
    d.handleEvent({ kind: 'logical-unit-reset', lun: 0, by: nexus(1) });
    assert.equal(dev.reservation.holderNexusId, undefined);
    assert.equal(dev.unitAttentions.peek('n2'), 'BUS_DEVICE_RESET_FUNCTION_OCCURRED');
  });
});

/** `cmd` with getters for signal and aborted, defined without spreading (spreading would read the getters). */
function lazyCmd(cdb: number[], dataOut: Buffer, onSignalRead: () => void, aborted: () => boolean): ScsiCommand {
  const base = cmd(cdb, 1, dataOut);
  return {
    lun: base.lun, cdb: base.cdb, dataOut: base.dataOut, expectedDataInLength: base.expectedDataInLength,
    expectedDataOutLength: base.expectedDataOutLength, taskAttribute: base.taskAttribute, nexus: base.nexus,
    get signal(): AbortSignal {
      onSignalRead();
      return new AbortController().signal;
    },
    get aborted(): boolean {
      return aborted();
    },
  };
}

describe('CommandDispatcher with a transport that creates its abort signal lazily', () => {
  test('a command reported aborted while queued is not executed, and its signal is never read', async () => {
    const { d, dev } = make();
    await d.execute(cmd([0x00, 0, 0, 0, 0, 0])); // takes the power-on unit attention
    let aborted = false;
    let signalReads = 0;
    const lazy = lazyCmd([0x0a, 0, 0, 0, 4, 0], Buffer.alloc(4), () => signalReads++, () => aborted);
    const first = d.execute(cmd([0x0a, 0, 0, 0, 8, 0], 1, Buffer.alloc(8)));
    const second = d.execute(lazy);
    aborted = true;
    assert.equal((await first).status, ScsiStatus.GOOD);
    assert.equal((await second).status, ScsiStatus.TASK_ABORTED);
    assert.deepEqual(dev.log, ['write 8', 'done 8']);
    assert.equal(signalReads, 0);
  });

  test('a command not aborted runs without its signal being created', async () => {
    const { d, dev } = make();
    await d.execute(cmd([0x00, 0, 0, 0, 0, 0])); // takes the power-on unit attention
    let signalReads = 0;
    const lazy = lazyCmd([0x0a, 0, 0, 0, 4, 0], Buffer.alloc(4), () => signalReads++, () => false);
    assert.equal((await d.execute(lazy)).status, ScsiStatus.GOOD);
    assert.deepEqual(dev.log, ['write 4', 'done 4']);
    assert.equal(signalReads, 0);
  });
});

describe('CommandDispatcher with a CommandObserver', () => {
  test('the observer hears every answer once: the command name, the sense key of a CHECK CONDITION, and a duration', async () => {
    const heard: [string, string | undefined, number][] = [];
    const dev: Dev = { log: [], queue: new UnitQueue(), unitAttentions: new UnitAttentions(), reservation: new Reservation(new UnitAttentions()), senseFormat: () => SenseFormat.DESCRIPTOR };
    const d = new CommandDispatcher(table, dev, silentLogger(), { commandDone: (name, senseKey, seconds) => heard.push([name, senseKey, seconds]) });
    await d.execute(cmd([0x00, 0, 0, 0, 0, 0])); // the power-on unit attention
    await d.execute(cmd([0x0a, 0, 0, 0, 4, 0], 1, Buffer.alloc(4)));
    await d.execute(cmd([0x01, 0, 0, 0, 0, 0])); // REWIND without a medium
    await d.execute(cmd([0x19, 0, 0, 0, 0, 0])); // a bug: HARDWARE ERROR
    await d.execute(cmd([0x2b, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.deepEqual(heard.map(([name, key]) => [name, key]), [
      ['TEST UNIT READY', 'UNIT_ATTENTION'],
      ['WRITE(6)', undefined],
      ['REWIND', 'NOT_READY'],
      ['ERASE', 'HARDWARE_ERROR'],
      ['UNSUPPORTED', 'ILLEGAL_REQUEST'],
    ]);
    assert.ok(heard.every(([, , seconds]) => seconds >= 0 && seconds < 60));
    assert.ok((heard[1]?.[2] ?? 0) > 0, 'the WRITE waited for a timer, so its duration is measured, not zero');
  });
});
