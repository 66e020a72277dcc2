import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { senseOf } from '../sense.js';
import { FakeSpcDevice, nexus } from './fake-spc-device.js';
import { assertCheck, assertGood, assertInvalidFieldInCdb } from './sense-assert.js';

const TEST_UNIT_READY = [0x00, 0, 0, 0, 0, 0];
const REQUEST_SENSE = (desc: number, allocation: number): number[] => [0x03, desc, 0, 0, allocation, 0];
const RESERVATION_CONFLICT = 0x18;

function fixed(key: number, asc: number, ascq: number): number[] {
  return [0x70, 0, key, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0];
}

describe('TEST UNIT READY and REQUEST SENSE', () => {
  test('TEST UNIT READY reports the power-on unit attention once, then GOOD', async () => {
    const d = new FakeSpcDevice();
    assertCheck(await d.run(TEST_UNIT_READY), 0x06, 0x29, 0x00);
    assertGood(await d.run(TEST_UNIT_READY));
  });

  test('TEST UNIT READY reports the device NOT READY sense', async () => {
    const d = await FakeSpcDevice.ready();
    d.notReady = senseOf('MEDIUM_NOT_PRESENT');
    assertCheck(await d.run(TEST_UNIT_READY), 0x02, 0x3a, 0x00);
  });

  test('REQUEST SENSE returns a pending unit attention with GOOD status and clears it', async () => {
    const d = new FakeSpcDevice();
    const res = await d.run(REQUEST_SENSE(0, 252));
    assertGood(res);
    assert.deepEqual([...(res.dataIn ?? [])], fixed(0x06, 0x29, 0x00));
    assertGood(await d.run(TEST_UNIT_READY));
  });

  test('REQUEST SENSE returns the NOT READY reason when no unit attention is pending', async () => {
    const d = await FakeSpcDevice.ready();
    d.notReady = senseOf('LOGICAL_UNIT_IS_IN_PROCESS_OF_BECOMING_READY');
    const res = await d.run(REQUEST_SENSE(0, 252));
    assertGood(res);
    assert.deepEqual([...(res.dataIn ?? [])], fixed(0x02, 0x04, 0x01));
  });

  test('REQUEST SENSE returns NO SENSE when nothing is pending, in descriptor format with DESC=1', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(REQUEST_SENSE(0, 252))).dataIn ?? [])], fixed(0, 0, 0));
    assert.deepEqual([...((await d.run(REQUEST_SENSE(1, 252))).dataIn ?? [])], [0x72, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('REQUEST SENSE truncates to the allocation length', async () => {
    const d = new FakeSpcDevice();
    const res = await d.run(REQUEST_SENSE(0, 8));
    assert.deepEqual([...(res.dataIn ?? [])], fixed(0x06, 0x29, 0x00).slice(0, 8));
  });

  test('REQUEST SENSE refuses reserved bits in byte 1', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run([0x03, 0x02, 0, 0, 252, 0]), 1, 1);
  });
});

describe('REPORT LUNS', () => {
  test('lists every LUN of the target and runs with a unit attention pending', async () => {
    const d = new FakeSpcDevice();
    const res = await d.run([0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    assertGood(res);
    assert.deepEqual([...(res.dataIn ?? [])], [
      0, 0, 0, 24, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0,
      0, 1, 0, 0, 0, 0, 0, 0,
      0, 2, 0, 0, 0, 0, 0, 0,
    ]);
    assertCheck(await d.run(TEST_UNIT_READY), 0x06, 0x29, 0x00);
  });

  test('refuses an allocation length under 16 bytes', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run([0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0]), 6);
  });
});

describe('RESERVE and RELEASE', () => {
  test('RESERVE(6) makes other nexuses get RESERVATION CONFLICT, except for INQUIRY and RELEASE', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    assertGood(await d.run([0x16, 0, 0, 0, 0, 0]));
    const other = { nexus: nexus(2) };
    assert.equal((await d.run([0x1a, 0x08, 0x3f, 0, 255, 0], other)).status, RESERVATION_CONFLICT);
    assert.equal((await d.run([0x16, 0, 0, 0, 0, 0], other)).status, RESERVATION_CONFLICT);
    assertGood(await d.run([0x12, 0, 0, 0, 36, 0], other));
    // A release by a nexus that does not hold the reservation is GOOD and changes nothing.
    assertGood(await d.run([0x17, 0, 0, 0, 0, 0], other));
    assert.equal((await d.run([0x1a, 0x08, 0x3f, 0, 255, 0], other)).status, RESERVATION_CONFLICT);
    assertGood(await d.run([0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assertGood(await d.run([0x1a, 0x08, 0x3f, 0, 255, 0], other));
  });

  test('RESERVE(10) refuses a third-party reservation', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run([0x56, 0x10, 0, 0x05, 0, 0, 0, 0, 0, 0]), 1, 4);
  });

  test('the holder may reserve again; nexus loss releases the reservation', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    assertGood(await d.run([0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assertGood(await d.run([0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    d.dispatcher.handleEvent({ kind: 'nexus-loss', nexus: nexus(1) });
    assertGood(await d.run([0x16, 0, 0, 0, 0, 0], { nexus: nexus(2) }));
  });
});

describe('PREVENT ALLOW MEDIUM REMOVAL', () => {
  test('removal stays prevented while any nexus prevents it', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    assertGood(await d.run([0x1e, 0, 0, 0, 1, 0]));
    assertGood(await d.run([0x1e, 0, 0, 0, 1, 0], { nexus: nexus(2) }));
    assertGood(await d.run([0x1e, 0, 0, 0, 0, 0]));
    assert.equal(d.mediumRemoval.prevented(), true);
    assertGood(await d.run([0x1e, 0, 0, 0, 0, 0], { nexus: nexus(2) }));
    assert.equal(d.mediumRemoval.prevented(), false);
  });

  test('nexus loss clears that nexus only; a logical unit reset clears all', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    await d.run([0x1e, 0, 0, 0, 1, 0]);
    await d.run([0x1e, 0, 0, 0, 1, 0], { nexus: nexus(2) });
    d.dispatcher.handleEvent({ kind: 'nexus-loss', nexus: nexus(1) });
    assert.deepEqual([d.mediumRemoval.preventedBy(nexus(1).id), d.mediumRemoval.preventedBy(nexus(2).id)], [false, true]);
    d.dispatcher.handleEvent({ kind: 'logical-unit-reset', lun: 1, by: nexus(2) });
    assert.equal(d.mediumRemoval.prevented(), false);
  });

  test('the obsolete PREVENT values 10b and 11b are refused', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run([0x1e, 0, 0, 0, 2, 0]), 4, 1);
    assertInvalidFieldInCdb(await d.run([0x1e, 0, 0, 0, 4, 0]), 4, 2);
  });
});
