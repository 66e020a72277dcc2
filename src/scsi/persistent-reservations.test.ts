import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_REGISTRANTS, nexusIdOf, PersistentReservations, PrAccess } from './persistent-reservations.js';
import { PrType } from './pr-type.js';
import { decodePrState, encodePrState } from './pr-state-json.js';
import { ReservationConflictError } from './reservation-conflict.js';
import { SenseError } from './sense.js';
import type { SenseReasonName } from './sense.js';
import { UnitAttentions } from './unit-attention.js';

const TARGET = 'iqn.2026-01.org.vtl:lib,t,0x0001';

function port(n: number): { id: string; initiatorPort: string; targetPort: string; relativeTargetPort: number } {
  const initiatorPort = `iqn.2026-01.org.test:host${n},i,0x00023d00000${n}`;
  return { id: nexusIdOf(initiatorPort, TARGET), initiatorPort, targetPort: TARGET, relativeTargetPort: 1 };
}
const [A, B, C] = [port(1), port(2), port(3)];

/** State with A, B and C registered under keys 0xA, 0xB, 0xC and their power-on unit attentions consumed. */
function registered(): { pr: PersistentReservations; ua: UnitAttentions } {
  const ua = new UnitAttentions();
  for (const p of [A, B, C]) {
    ua.register(p.id);
    ua.take(p.id);
  }
  const pr = new PersistentReservations(ua);
  pr.register(A, 0n, 0xan, false, false);
  pr.register(B, 0n, 0xbn, false, false);
  pr.register(C, 0n, 0xcn, false, false);
  return { pr, ua };
}

function pending(ua: UnitAttentions, p: { id: string }): (SenseReasonName | undefined)[] {
  const out: (SenseReasonName | undefined)[] = [];
  for (let r = ua.take(p.id); r !== undefined; r = ua.take(p.id)) out.push(r);
  return out;
}

const conflict = (fn: () => void): void => assert.throws(fn, ReservationConflictError);
function senseThrown(fn: () => void, asc: number, ascq: number, fieldByte?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SenseError);
    assert.deepEqual([e.sense.asc, e.sense.ascq], [asc, ascq]);
    if (fieldByte !== undefined) assert.equal(e.sense.fieldPointer?.byte, fieldByte);
    return true;
  });
}

describe('PersistentReservations registration', () => {
  test('an unregistered nexus registers with a zero key, and a non-zero key is a conflict', () => {
    const pr = new PersistentReservations(new UnitAttentions());
    conflict(() => pr.register(A, 5n, 0xan, false, false));
    pr.register(A, 0n, 0xan, false, false);
    assert.equal(pr.registrant(A.id)?.key, 0xan);
    assert.equal(pr.generation, 1);
  });

  test('registering a zero service action key while unregistered changes nothing, not even PRgeneration', () => {
    const pr = new PersistentReservations(new UnitAttentions());
    pr.register(A, 0n, 0n, false, false);
    assert.equal(pr.hasRegistrations(), false);
    assert.equal(pr.generation, 0);
  });

  test('REGISTER needs the current key; REGISTER AND IGNORE EXISTING KEY does not', () => {
    const { pr } = registered();
    conflict(() => pr.register(A, 0x1n, 0x11n, false, false));
    pr.register(A, 0xan, 0x1an, false, false);
    pr.register(A, 0x999n, 0x2an, false, true);
    assert.equal(pr.registrant(A.id)?.key, 0x2an);
    assert.equal(pr.generation, 5);
  });

  test('a registration beyond the table is INSUFFICIENT REGISTRATION RESOURCES', () => {
    const pr = new PersistentReservations(new UnitAttentions());
    for (let i = 0; i < MAX_REGISTRANTS; i++) pr.register(port(100 + i), 0n, 1n, false, false);
    senseThrown(() => pr.register(port(99), 0n, 1n, false, false), 0x55, 0x04);
  });

  test('a holder that unregisters releases a registrants-only reservation and tells the other registrants', () => {
    const { pr, ua } = registered();
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
    pr.register(A, 0xan, 0n, false, false);
    assert.equal(pr.reservation, undefined);
    assert.deepEqual(pending(ua, B), ['RESERVATIONS_RELEASED']);
    assert.deepEqual(pending(ua, A), []);
  });

  test('an all-registrants reservation lasts until its last registrant unregisters', () => {
    const { pr } = registered();
    pr.reserve(B, 0xbn, PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS);
    assert.ok(pr.isHolder(A.id) && pr.isHolder(C.id));
    pr.register(B, 0xbn, 0n, false, false);
    pr.register(A, 0xan, 0n, false, false);
    assert.equal(pr.reservation?.type, PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS);
    pr.register(C, 0xcn, 0n, false, false);
    assert.equal(pr.reservation, undefined);
  });
});

describe('PersistentReservations RESERVE and RELEASE', () => {
  test('RESERVE needs a registration with the right key, and the holder may repeat it with the same type only', () => {
    const { pr } = registered();
    const stranger = port(9);
    conflict(() => pr.reserve(stranger, 0n, PrType.WRITE_EXCLUSIVE));
    conflict(() => pr.reserve(A, 0xbn, PrType.WRITE_EXCLUSIVE));
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE);
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE);
    conflict(() => pr.reserve(A, 0xan, PrType.EXCLUSIVE_ACCESS));
    conflict(() => pr.reserve(B, 0xbn, PrType.WRITE_EXCLUSIVE));
    assert.equal(pr.generation, 3, 'RESERVE leaves PRgeneration alone');
  });

  test('RELEASE by a non-holder changes nothing; by the holder with another type is INVALID RELEASE OF PERSISTENT RESERVATION', () => {
    const { pr } = registered();
    pr.reserve(A, 0xan, PrType.EXCLUSIVE_ACCESS);
    pr.release(B, 0xbn, PrType.EXCLUSIVE_ACCESS);
    assert.equal(pr.reservation?.holderNexusId, A.id);
    senseThrown(() => pr.release(A, 0xan, PrType.WRITE_EXCLUSIVE), 0x26, 0x04);
    pr.release(A, 0xan, PrType.EXCLUSIVE_ACCESS);
    assert.equal(pr.reservation, undefined);
  });

  test('releasing a registrants-only or all-registrants reservation raises RESERVATIONS RELEASED for the other registrants only', () => {
    for (const type of [PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS]) {
      const { pr, ua } = registered();
      pr.reserve(A, 0xan, type);
      pr.release(A, 0xan, type);
      assert.deepEqual([pending(ua, A), pending(ua, B), pending(ua, C)], [[], ['RESERVATIONS_RELEASED'], ['RESERVATIONS_RELEASED']]);
    }
  });

  test('releasing a write exclusive or exclusive access reservation raises no unit attention', () => {
    const { pr, ua } = registered();
    pr.reserve(A, 0xan, PrType.EXCLUSIVE_ACCESS);
    pr.release(A, 0xan, PrType.EXCLUSIVE_ACCESS);
    assert.deepEqual(pending(ua, B), []);
  });
});

describe('PersistentReservations conflicts (SPC-4 5.13.1)', () => {
  // Hand-written table: for each type, [holder, registered non-holder, unregistered] x [read, write]; true = conflict.
  const table: readonly [PrType, readonly (readonly [boolean, boolean])[]][] = [
    [PrType.WRITE_EXCLUSIVE, [[false, false], [false, true], [false, true]]],
    [PrType.EXCLUSIVE_ACCESS, [[false, false], [true, true], [true, true]]],
    [PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY, [[false, false], [false, false], [false, true]]],
    [PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, [[false, false], [false, false], [true, true]]],
    [PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS, [[false, false], [false, false], [false, true]]],
    [PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS, [[false, false], [false, false], [true, true]]],
  ];
  for (const [type, rows] of table) {
    test(`type ${type} lets through exactly what the SPC-4 table allows for holder, registrant and stranger`, () => {
      const { pr } = registered();
      pr.reserve(A, 0xan, type);
      const stranger = port(9);
      const got = [A, B, stranger].map((p) => [pr.conflicts(p.id, PrAccess.READ), pr.conflicts(p.id, PrAccess.WRITE)]);
      assert.deepEqual(got, rows);
    });
  }

  test('registrations alone conflict with nothing', () => {
    const { pr } = registered();
    assert.equal(pr.conflicts(port(9).id, PrAccess.WRITE), false);
  });

  test('SPC-2 RESERVE and RELEASE are ignored for holders and admitted registrants, refused for the others, free without registrations', () => {
    const ua = new UnitAttentions();
    const pr = new PersistentReservations(ua);
    assert.equal(pr.spc2Outcome(A.id), 'none');
    pr.register(A, 0n, 0xan, false, false);
    pr.register(B, 0n, 0xbn, false, false);
    assert.deepEqual([pr.spc2Outcome(A.id), pr.spc2Outcome(C.id)], ['conflict', 'conflict']);
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE);
    assert.deepEqual([pr.spc2Outcome(A.id), pr.spc2Outcome(B.id)], ['ignore', 'conflict']);
    pr.release(A, 0xan, PrType.WRITE_EXCLUSIVE);
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
    assert.deepEqual([pr.spc2Outcome(B.id), pr.spc2Outcome(C.id)], ['ignore', 'conflict']);
  });
});

describe('PersistentReservations CLEAR and PREEMPT', () => {
  test('CLEAR removes every registration and the reservation and tells the others RESERVATIONS PREEMPTED', () => {
    const { pr, ua } = registered();
    pr.reserve(B, 0xbn, PrType.EXCLUSIVE_ACCESS);
    conflict(() => pr.clear(A, 0xbn));
    pr.clear(A, 0xan);
    assert.deepEqual([pr.hasRegistrations(), pr.reservation, pr.generation], [false, undefined, 4]);
    assert.deepEqual([pending(ua, A), pending(ua, B), pending(ua, C)], [[], ['RESERVATIONS_PREEMPTED'], ['RESERVATIONS_PREEMPTED']]);
  });

  test("PREEMPT with the holder's key takes the reservation and removes the holder's registration", () => {
    const { pr, ua } = registered();
    pr.reserve(B, 0xbn, PrType.WRITE_EXCLUSIVE);
    pr.preempt(A, 0xan, 0xbn, PrType.WRITE_EXCLUSIVE);
    assert.deepEqual(pr.reservation, { type: PrType.WRITE_EXCLUSIVE, holderNexusId: A.id });
    assert.equal(pr.registrant(B.id), undefined);
    assert.deepEqual([pending(ua, B), pending(ua, C)], [['REGISTRATIONS_PREEMPTED'], []]);
  });

  test('PREEMPT that changes the type tells the remaining registrants RESERVATIONS RELEASED', () => {
    const { pr, ua } = registered();
    pr.reserve(B, 0xbn, PrType.WRITE_EXCLUSIVE);
    pr.preempt(A, 0xan, 0xbn, PrType.EXCLUSIVE_ACCESS);
    assert.deepEqual([pending(ua, A), pending(ua, C)], [[], ['RESERVATIONS_RELEASED']]);
  });

  test("PREEMPT with another registrant's key removes only that registration; an unknown key is a conflict", () => {
    const { pr, ua } = registered();
    pr.reserve(B, 0xbn, PrType.WRITE_EXCLUSIVE);
    pr.preempt(A, 0xan, 0xcn, PrType.WRITE_EXCLUSIVE);
    assert.deepEqual([pr.reservation?.holderNexusId, pr.registrant(C.id)], [B.id, undefined]);
    assert.deepEqual(pending(ua, C), ['REGISTRATIONS_PREEMPTED']);
    conflict(() => pr.preempt(A, 0xan, 0x77n, PrType.WRITE_EXCLUSIVE));
    assert.equal(pr.generation, 4);
  });

  test('PREEMPT with a zero key is INVALID FIELD IN PARAMETER LIST at byte 8 unless an all-registrants reservation exists', () => {
    const { pr } = registered();
    senseThrown(() => pr.preempt(A, 0xan, 0n, PrType.WRITE_EXCLUSIVE), 0x26, 0x00, 8);
    pr.reserve(B, 0xbn, PrType.EXCLUSIVE_ACCESS);
    senseThrown(() => pr.preempt(A, 0xan, 0n, PrType.WRITE_EXCLUSIVE), 0x26, 0x00, 8);
  });

  test('PREEMPT with a zero key under an all-registrants reservation removes everyone else and takes it', () => {
    const { pr, ua } = registered();
    pr.reserve(B, 0xbn, PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
    pr.preempt(A, 0xan, 0n, PrType.EXCLUSIVE_ACCESS);
    assert.deepEqual(pr.list().map((g) => g.nexusId), [A.id]);
    assert.deepEqual(pr.reservation, { type: PrType.EXCLUSIVE_ACCESS, holderNexusId: A.id });
    assert.deepEqual([pending(ua, B), pending(ua, C)], [['REGISTRATIONS_PREEMPTED'], ['REGISTRATIONS_PREEMPTED']]);
  });

  test('PREEMPT by an unregistered nexus or with a wrong key is a conflict', () => {
    const { pr } = registered();
    conflict(() => pr.preempt(port(9), 0n, 0xbn, PrType.WRITE_EXCLUSIVE));
    conflict(() => pr.preempt(A, 0xbn, 0xbn, PrType.WRITE_EXCLUSIVE));
  });
});

describe('PersistentReservations REGISTER AND MOVE', () => {
  test('the holder moves the reservation to a new registrant and may unregister itself', () => {
    const { pr } = registered();
    const D = port(4);
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE);
    pr.registerAndMove(A, 0xan, 0xdn, PrType.EXCLUSIVE_ACCESS, D, true, false);
    assert.deepEqual(pr.reservation, { type: PrType.EXCLUSIVE_ACCESS, holderNexusId: D.id });
    assert.deepEqual([pr.registrant(D.id)?.key, pr.registrant(A.id)], [0xdn, undefined]);
  });

  test('an already registered destination keeps its key', () => {
    const { pr } = registered();
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE);
    pr.registerAndMove(A, 0xan, 0xdn, PrType.WRITE_EXCLUSIVE, B, false, false);
    assert.deepEqual([pr.registrant(B.id)?.key, pr.registrant(A.id)?.key], [0xbn, 0xan]);
  });

  test('a non-holder, an all-registrants reservation, a zero key and the nexus itself are refused', () => {
    const { pr } = registered();
    conflict(() => pr.registerAndMove(A, 0xan, 0xdn, PrType.WRITE_EXCLUSIVE, port(4), false, false));
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE);
    conflict(() => pr.registerAndMove(B, 0xbn, 0xdn, PrType.WRITE_EXCLUSIVE, port(4), false, false));
    senseThrown(() => pr.registerAndMove(A, 0xan, 0n, PrType.WRITE_EXCLUSIVE, port(4), false, false), 0x26, 0x00, 8);
    senseThrown(() => pr.registerAndMove(A, 0xan, 0xdn, PrType.WRITE_EXCLUSIVE, A, false, false), 0x26, 0x00, 24);
    pr.release(A, 0xan, PrType.WRITE_EXCLUSIVE);
    pr.reserve(A, 0xan, PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS);
    conflict(() => pr.registerAndMove(A, 0xan, 0xdn, PrType.WRITE_EXCLUSIVE, port(4), false, false));
  });
});

describe('PersistentReservations APTPL state', () => {
  test('with APTPL the state round-trips through its JSON form; without it nothing is kept', () => {
    const { pr } = registered();
    assert.equal(pr.persistentState(), undefined);
    pr.register(A, 0xan, 0xffff_ffff_ffff_fffen, true, false);
    pr.reserve(A, 0xffff_ffff_ffff_fffen, PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY);
    const state = pr.persistentState();
    assert.ok(state);
    const copy = new PersistentReservations(new UnitAttentions());
    copy.restore(decodePrState(encodePrState(state)));
    assert.deepEqual([copy.generation, copy.aptpl, copy.list(), copy.reservation], [pr.generation, true, pr.list(), pr.reservation]);
  });

  test('a damaged APTPL file is refused', () => {
    assert.throws(() => decodePrState('{"version":1,"generation":1,"registrants":[{"key":"xyz"}]}'), /persistent reservation state/);
    assert.throws(() => decodePrState('{"version":1,"generation":1,"registrants":[],"reservation":{"type":2}}'), /bad type/);
    assert.throws(() => decodePrState('{"version":2}'), /unknown version/);
  });
});
