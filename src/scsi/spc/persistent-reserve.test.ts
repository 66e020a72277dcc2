import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ItNexus, ScsiResponse } from '../logical-unit.js';
import { nexusIdOf } from '../persistent-reservations.js';
import { FakeSpcDevice, nexus } from './fake-spc-device.js';
import { assertCheck, assertGood, assertInvalidFieldInCdb, assertInvalidFieldInParameterList, ascii } from './sense-assert.js';

const RESERVATION_CONFLICT = 0x18;
const TEST_UNIT_READY = [0, 0, 0, 0, 0, 0];
const MODE_SENSE_6 = [0x1a, 0x08, 0x3f, 0, 255, 0];
const MODE_SELECT_6_EMPTY = [0x15, 0x10, 0, 0, 0, 0];
const INQUIRY = [0x12, 0, 0, 0, 36, 0];
const RESERVE_6 = [0x16, 0, 0, 0, 0, 0];
const RELEASE_6 = [0x17, 0, 0, 0, 0, 0];

const Out = { REGISTER: 0, RESERVE: 1, RELEASE: 2, CLEAR: 3, PREEMPT: 4, REGISTER_AND_IGNORE: 6, REGISTER_AND_MOVE: 7 } as const;
const In = { READ_KEYS: 0, READ_RESERVATION: 1, REPORT_CAPABILITIES: 2, READ_FULL_STATUS: 3 } as const;
const WE = 0x01;
const EA = 0x03;

function key(k: number): number[] {
  return [0, 0, 0, 0, (k >>> 24) & 0xff, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff];
}
/** SPC-4 6.14.3 basic parameter list, built byte by byte. */
function list(reservationKey: number, serviceActionKey: number, byte20 = 0): number[] {
  return [...key(reservationKey), ...key(serviceActionKey), 0, 0, 0, 0, byte20, 0, 0, 0];
}
function prOutCdb(sa: number, scopeType: number, length: number): number[] {
  return [0x5f, sa, scopeType, 0, 0, 0, 0, length >> 8, length & 0xff, 0];
}
function prOut(d: FakeSpcDevice, n: number | ItNexus, sa: number, scopeType: number, params: number[]): Promise<ScsiResponse> {
  return d.run(prOutCdb(sa, scopeType, params.length), { nexus: typeof n === 'number' ? nexus(n) : n, dataOut: Buffer.from(params) });
}
async function prIn(d: FakeSpcDevice, n: number | ItNexus, sa: number, allocation = 1024): Promise<number[]> {
  const res = await d.run([0x5e, sa, 0, 0, 0, 0, 0, allocation >> 8, allocation & 0xff, 0], { nexus: typeof n === 'number' ? nexus(n) : n });
  assertGood(res);
  return [...(res.dataIn ?? [])];
}
function conflictStatus(res: ScsiResponse): void {
  assert.equal(res.status, RESERVATION_CONFLICT, `RESERVATION CONFLICT, got ${res.status}`);
}

/** A fake device where nexuses 1 and 2 registered keys 0x1111 and 0x2222. */
async function twoRegistered(): Promise<FakeSpcDevice> {
  const d = await FakeSpcDevice.ready({}, [2]);
  assertGood(await prOut(d, 1, Out.REGISTER, 0, list(0, 0x1111)));
  assertGood(await prOut(d, 2, Out.REGISTER, 0, list(0, 0x2222)));
  return d;
}

describe('PERSISTENT RESERVE IN data', () => {
  test('READ KEYS lists PRgeneration and every registered key in registration order', async () => {
    const d = await twoRegistered();
    assert.deepEqual(await prIn(d, 1, In.READ_KEYS), [0, 0, 0, 2, 0, 0, 0, 16, ...key(0x1111), ...key(0x2222)]);
    assert.deepEqual(await prIn(d, 1, In.READ_KEYS, 8), [0, 0, 0, 2, 0, 0, 0, 16], 'the allocation length truncates, the length stays');
  });

  test('READ RESERVATION is empty without a reservation and reports the holder key, scope and type with one', async () => {
    const d = await twoRegistered();
    assert.deepEqual(await prIn(d, 2, In.READ_RESERVATION), [0, 0, 0, 2, 0, 0, 0, 0]);
    assertGood(await prOut(d, 1, Out.RESERVE, EA, list(0x1111, 0)));
    assert.deepEqual(await prIn(d, 2, In.READ_RESERVATION), [0, 0, 0, 2, 0, 0, 0, 16, ...key(0x1111), 0, 0, 0, 0, 0, 0x03, 0, 0]);
  });

  test('REPORT CAPABILITIES: CRH, the six types, no SIP_C or ATP_C, PTPL_C only with somewhere to persist', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual(await prIn(d, 1, In.REPORT_CAPABILITIES), [0, 8, 0x10, 0x80, 0xea, 0x01, 0, 0]);
    const saved: (string | undefined)[] = [];
    await d.reservation.attachPersistence({ load: () => Promise.resolve(undefined), save: (t) => { saved.push(t); return Promise.resolve(); } });
    assert.deepEqual(await prIn(d, 1, In.REPORT_CAPABILITIES), [0, 8, 0x11, 0x80, 0xea, 0x01, 0, 0]);
    assertGood(await prOut(d, 1, Out.REGISTER, 0, list(0, 0x1111, 0x01)));
    assert.deepEqual(await prIn(d, 1, In.REPORT_CAPABILITIES), [0, 8, 0x11, 0x81, 0xea, 0x01, 0, 0]);
    assert.match(saved.at(-1) ?? '', /"key": "1111"/);
    assertGood(await prOut(d, 1, Out.REGISTER, 0, list(0x1111, 0x1111, 0x00)));
    assert.equal(saved.at(-1), undefined, 'APTPL=0 keeps nothing for the next start');
  });

  test('READ FULL STATUS gives each registrant its key, holder flag, relative port and iSCSI TransportID', async () => {
    const d = await twoRegistered();
    assertGood(await prOut(d, 2, Out.RESERVE, WE, list(0x2222, 0)));
    const data = await prIn(d, 1, In.READ_FULL_STATUS);
    const tid = (n: number): number[] => {
      const name = ascii(`iqn.1993-08.org.debian:01:host${n},i,0x00023d000001`);
      return [0x45, 0, 0, 52, ...name, ...new Array<number>(52 - name.length).fill(0)];
    };
    const descriptor = (k: number, holder: boolean, n: number): number[] =>
      [...key(k), 0, 0, 0, 0, holder ? 1 : 0, holder ? 0x01 : 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 56, ...tid(n)];
    assert.deepEqual(data, [0, 0, 0, 2, 0, 0, 0, 2 * 80, ...descriptor(0x1111, false, 1), ...descriptor(0x2222, true, 2)]);
  });
});

describe('PERSISTENT RESERVE OUT field checks', () => {
  test('a scope other than LU_SCOPE and an unknown type point at CDB byte 2', async () => {
    const d = await twoRegistered();
    assertInvalidFieldInCdb(await prOut(d, 1, Out.RESERVE, 0x21, list(0x1111, 0)), 2, 7);
    assertInvalidFieldInCdb(await prOut(d, 1, Out.RESERVE, 0x02, list(0x1111, 0)), 2, 3);
    assertInvalidFieldInCdb(await prOut(d, 1, Out.PREEMPT, 0x00, list(0x1111, 0x2222)), 2, 3);
  });

  test('a parameter list other than 24 bytes is PARAMETER LIST LENGTH ERROR', async () => {
    const d = await FakeSpcDevice.ready();
    assertCheck(await prOut(d, 1, Out.REGISTER, 0, list(0, 1).slice(0, 23)), 0x05, 0x1a, 0x00);
    assertCheck(await prOut(d, 1, Out.RESERVE, WE, [...list(0, 1), 0, 0, 0, 0]), 0x05, 0x1a, 0x00);
    assertCheck(await prOut(d, 1, Out.REGISTER, 0, [...list(0, 1), 0, 0, 0, 0]), 0x05, 0x1a, 0x00);
  });

  test('SPEC_I_PT, ALL_TG_PT, APTPL without persistence and reserved bits are refused at their bit of byte 20', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInParameterList(await prOut(d, 1, Out.REGISTER, 0, [...list(0, 1, 0x08), 0, 0, 0, 0]), 20, 3);
    assertInvalidFieldInParameterList(await prOut(d, 1, Out.REGISTER, 0, list(0, 1, 0x04)), 20, 2);
    assertInvalidFieldInParameterList(await prOut(d, 1, Out.REGISTER_AND_IGNORE, 0, list(0, 1, 0x01)), 20, 0);
    assertInvalidFieldInParameterList(await prOut(d, 1, Out.REGISTER, 0, list(0, 1, 0x02)), 20, 1);
    assert.deepEqual(await prIn(d, 1, In.READ_KEYS), [0, 0, 0, 0, 0, 0, 0, 0], 'nothing was registered');
  });

  test('unknown service actions are refused at CDB byte 1', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run([0x5e, 0x04, 0, 0, 0, 0, 0, 0, 8, 0]), 1, 4);
    assertInvalidFieldInCdb(await d.run(prOutCdb(0x08, 0, 24), { dataOut: Buffer.alloc(24) }), 1, 4);
  });

  test('a wrong reservation key and an unregistered nexus get RESERVATION CONFLICT status', async () => {
    const d = await twoRegistered();
    conflictStatus(await prOut(d, 1, Out.REGISTER, 0, list(0x2222, 0x3333)));
    conflictStatus(await prOut(d, 1, Out.RESERVE, WE, list(0x2222, 0)));
    await FakeSpcDevice.ready().then(async (fresh) => conflictStatus(await prOut(fresh, 1, Out.RESERVE, WE, list(0, 0))));
  });
});

describe('commands under a persistent reservation', () => {
  test('write exclusive lets another nexus read (MODE SENSE) but not change (MODE SELECT)', async () => {
    const d = await twoRegistered();
    assertGood(await prOut(d, 1, Out.RESERVE, WE, list(0x1111, 0)));
    assertGood(await d.run(MODE_SENSE_6, { nexus: nexus(2) }));
    conflictStatus(await d.run(MODE_SELECT_6_EMPTY, { nexus: nexus(2) }));
    assertGood(await d.run(MODE_SELECT_6_EMPTY, { nexus: nexus(1) }));
  });

  test('exclusive access refuses MODE SENSE to another nexus but still answers INQUIRY, TEST UNIT READY and PERSISTENT RESERVE IN', async () => {
    const d = await twoRegistered();
    assertGood(await prOut(d, 1, Out.RESERVE, EA, list(0x1111, 0)));
    conflictStatus(await d.run(MODE_SENSE_6, { nexus: nexus(2) }));
    assertGood(await d.run(INQUIRY, { nexus: nexus(2) }));
    assertGood(await d.run(TEST_UNIT_READY, { nexus: nexus(2) }));
    assert.equal((await prIn(d, 2, In.READ_KEYS)).length, 24);
  });

  test('a command queued behind a RESERVE from another nexus ends in RESERVATION CONFLICT', async () => {
    const d = await twoRegistered();
    const [reserve, sense] = await Promise.all([
      prOut(d, 1, Out.RESERVE, EA, list(0x1111, 0)),
      d.run(MODE_SENSE_6, { nexus: nexus(2) }),
    ]);
    assertGood(reserve);
    conflictStatus(sense);
  });

  test('CLEAR tells the other registrant RESERVATIONS PREEMPTED on its next command', async () => {
    const d = await twoRegistered();
    assertGood(await prOut(d, 1, Out.RESERVE, EA, list(0x1111, 0)));
    assertGood(await prOut(d, 1, Out.CLEAR, 0, list(0x1111, 0)));
    assertCheck(await d.run(TEST_UNIT_READY, { nexus: nexus(2) }), 0x06, 0x2a, 0x03);
    assertGood(await d.run(MODE_SENSE_6, { nexus: nexus(2) }));
  });

  test('PREEMPT tells the preempted nexus REGISTRATIONS PREEMPTED and locks it out', async () => {
    const d = await twoRegistered();
    assertGood(await prOut(d, 2, Out.RESERVE, WE, list(0x2222, 0)));
    assertGood(await prOut(d, 1, Out.PREEMPT, EA, list(0x1111, 0x2222)));
    assertCheck(await d.run(TEST_UNIT_READY, { nexus: nexus(2) }), 0x06, 0x2a, 0x05);
    conflictStatus(await d.run(MODE_SENSE_6, { nexus: nexus(2) }));
  });

  test('a logical unit reset and the nexus going away leave the persistent reservation in place', async () => {
    const d = await twoRegistered();
    assertGood(await prOut(d, 1, Out.RESERVE, EA, list(0x1111, 0)));
    d.dispatcher.handleEvent({ kind: 'logical-unit-reset', lun: 1, by: nexus(2) });
    d.dispatcher.handleEvent({ kind: 'nexus-loss', nexus: nexus(1) });
    await d.run(TEST_UNIT_READY, { nexus: nexus(2) });
    conflictStatus(await d.run(MODE_SENSE_6, { nexus: nexus(2) }));
  });
});

describe('SPC-2 RESERVE and RELEASE with persistent reservations (SPC-4 5.13.3)', () => {
  test('while registrations exist RESERVE(6) and RELEASE(6) conflict, except for the holder where they do nothing', async () => {
    const d = await twoRegistered();
    conflictStatus(await d.run(RESERVE_6, { nexus: nexus(1) }));
    conflictStatus(await d.run(RELEASE_6, { nexus: nexus(1) }));
    assertGood(await prOut(d, 1, Out.RESERVE, WE, list(0x1111, 0)));
    assertGood(await d.run(RESERVE_6, { nexus: nexus(1) }));
    assertGood(await d.run(MODE_SENSE_6, { nexus: nexus(2) })); // no SPC-2 reservation was made
    assertGood(await d.run(RELEASE_6, { nexus: nexus(1) }));
    assert.equal((await prIn(d, 2, In.READ_RESERVATION)).length, 24, 'the persistent reservation stays');
  });

  test('another nexus holding an SPC-2 reservation makes PERSISTENT RESERVE IN and OUT conflict', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    assertGood(await d.run(RESERVE_6, { nexus: nexus(1) }));
    conflictStatus(await prOut(d, 2, Out.REGISTER, 0, list(0, 0x2222)));
    conflictStatus(await d.run([0x5e, 0, 0, 0, 0, 0, 0, 0, 8, 0], { nexus: nexus(2) }));
    assertGood(await prOut(d, 1, Out.REGISTER, 0, list(0, 0x1111)));
  });
});

describe('REGISTER AND MOVE', () => {
  const mover = nexus(1);
  const target = nexus(5);
  const destination: ItNexus = { ...target, id: nexusIdOf(target.initiatorPort, target.targetPort) };
  /** SPC-4 6.14.4 list: keys, UNREG/APTPL, relative target port, TransportID (iSCSI, format 01b). */
  function moveList(sark: number, byte17: number, relativePort: number, tidByte0 = 0x45): number[] {
    const name = ascii(target.initiatorPort);
    // A 48-character port name and its terminating NUL, padded to a multiple of 4: ADDITIONAL LENGTH 52.
    const tid = [tidByte0, 0, 0, 52, ...name, ...new Array<number>(52 - name.length).fill(0)];
    return [...key(0x1111), ...key(sark), 0, byte17, 0, relativePort, 0, 0, 0, tid.length, ...tid];
  }

  test('moves the reservation to the I_T nexus the TransportID names and unregisters the mover with UNREG', async () => {
    const d = await FakeSpcDevice.ready();
    assertGood(await prOut(d, mover, Out.REGISTER, 0, list(0, 0x1111)));
    assertGood(await prOut(d, mover, Out.RESERVE, WE, list(0x1111, 0)));
    assertGood(await prOut(d, mover, Out.REGISTER_AND_MOVE, EA, moveList(0x5555, 0x02, 1)));
    await d.run(TEST_UNIT_READY, { nexus: destination });
    assert.deepEqual(await prIn(d, destination, In.READ_RESERVATION), [0, 0, 0, 2, 0, 0, 0, 16, ...key(0x5555), 0, 0, 0, 0, 0, 0x03, 0, 0]);
    assert.deepEqual(await prIn(d, destination, In.READ_KEYS), [0, 0, 0, 2, 0, 0, 0, 8, ...key(0x5555)]);
    assertGood(await d.run(MODE_SELECT_6_EMPTY, { nexus: destination }));
  });

  test('a TransportID of another protocol, an unknown relative port and reserved bits are refused where they are', async () => {
    const d = await FakeSpcDevice.ready();
    assertGood(await prOut(d, mover, Out.REGISTER, 0, list(0, 0x1111)));
    assertGood(await prOut(d, mover, Out.RESERVE, WE, list(0x1111, 0)));
    assertInvalidFieldInParameterList(await prOut(d, mover, Out.REGISTER_AND_MOVE, WE, moveList(0x5555, 0, 1, 0x41)), 24, 3);
    assertInvalidFieldInParameterList(await prOut(d, mover, Out.REGISTER_AND_MOVE, WE, moveList(0x5555, 0, 7)), 18);
    assertInvalidFieldInParameterList(await prOut(d, mover, Out.REGISTER_AND_MOVE, WE, moveList(0x5555, 0x04, 1)), 17, 2);
    assertCheck(await prOut(d, mover, Out.REGISTER_AND_MOVE, WE, moveList(0x5555, 0, 1).slice(0, 60)), 0x05, 0x1a, 0x00);
  });
});
