import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeSpcDevice } from './fake-spc-device.js';
import { assertGood, assertInvalidFieldInCdb } from './sense-assert.js';

const rsoc = (options: number, opcode = 0, sa = 0, allocation = 4096): number[] =>
  [0xa3, 0x0c, options, opcode, sa >> 8, sa & 0xff, 0, 0, allocation >> 8, allocation & 0xff, 0, 0];

const SIX = [0x00, 0x03, 0x12, 0x15, 0x16, 0x17, 0x1a, 0x1e];
const TEN_BUFFER = [0x3b, 0x3c];
const TEN = [0x4c, 0x4d, 0x55, 0x56, 0x57, 0x5a];
/** PERSISTENT RESERVE IN service actions 0-3 and OUT 0-7: 10-byte CDBs with SERVACTV set. */
const PERSISTENT_RESERVE = [
  ...[0, 1, 2, 3].flatMap((sa) => [0x5e, 0, 0, sa, 0, 0x01, 0, 10]),
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((sa) => [0x5f, 0, 0, sa, 0, 0x01, 0, 10]),
];
const INQUIRY_USAGE = [0x12, 0x01, 0xff, 0xff, 0xff, 0x00];
const TIMEOUTS = [0x00, 0x0a, 0x00, 0x00, 0, 0, 0, 10, 0, 0, 0, 10];

describe('REPORT SUPPORTED OPERATION CODES', () => {
  test('reporting option 000b lists every command of the device table', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run(rsoc(0));
    assertGood(res);
    const expected = [
      0, 0, 1, 0,
      ...SIX.flatMap((op) => [op, 0, 0, 0, 0, 0, 0, 6]),
      ...TEN_BUFFER.flatMap((op) => [op, 0, 0, 0, 0, 0, 0, 10]),
      ...TEN.flatMap((op) => [op, 0, 0, 0, 0, 0, 0, 10]),
      ...PERSISTENT_RESERVE,
      0xa0, 0, 0, 0, 0, 0, 0, 12,
      0xa3, 0, 0, 0x0c, 0, 0x01, 0, 12,
      0xa3, 0, 0, 0x0f, 0, 0x01, 0, 12,
      0xa4, 0, 0, 0x0f, 0, 0x01, 0, 12,
    ];
    assert.deepEqual([...(res.dataIn ?? [])], expected);
  });

  test('RCTD adds a timeouts descriptor to each command descriptor', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run(rsoc(0x80));
    const data = res.dataIn ?? Buffer.alloc(0);
    assert.equal(data.readUInt32BE(0), 32 * 20);
    assert.deepEqual([...data.subarray(4, 24)], [0x00, 0, 0, 0, 0, 0x02, 0, 6, ...TIMEOUTS]);
  });

  test('reporting option 001b returns the CDB usage data of one command', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(rsoc(1, 0x12))).dataIn ?? [])], [0, 0x03, 0, 6, ...INQUIRY_USAGE]);
    assert.deepEqual([...((await d.run(rsoc(0x81, 0x12))).dataIn ?? [])], [0, 0x83, 0, 6, ...INQUIRY_USAGE, ...TIMEOUTS]);
  });

  test('an unsupported opcode is reported as not supported, not refused', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(rsoc(1, 0x08))).dataIn ?? [])], [0, 0x01, 0, 0]);
  });

  test('option 001b refuses an opcode with service actions; option 010b one without', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run(rsoc(1, 0xa3)), 3);
    assertInvalidFieldInCdb(await d.run(rsoc(2, 0x12)), 3);
  });

  test('option 010b reports a service action command with the service action in byte 1 of the usage data', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run(rsoc(2, 0xa3, 0x0c));
    assert.deepEqual([...(res.dataIn ?? [])], [0, 0x03, 0, 12, 0xa3, 0x0c, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00]);
    assert.deepEqual([...((await d.run(rsoc(2, 0xa3, 0x05))).dataIn ?? [])], [0, 0x01, 0, 0]);
  });

  test('option 011b takes the service action when the opcode has them, else only service action 0', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(rsoc(3, 0x12, 0))).dataIn ?? [])], [0, 0x03, 0, 6, ...INQUIRY_USAGE]);
    assert.deepEqual([...((await d.run(rsoc(3, 0x12, 1))).dataIn ?? [])], [0, 0x01, 0, 0]);
    assert.equal((await d.run(rsoc(3, 0xa3, 0x0c))).dataIn?.[1], 0x03);
  });

  test('reserved reporting options are refused pointing at the field', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run(rsoc(4)), 2, 2);
    assertInvalidFieldInCdb(await d.run(rsoc(0x08)), 2, 3);
  });

  test('the allocation length truncates the data', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(rsoc(0, 0, 0, 6))).dataIn ?? [])], [0, 0, 1, 0, 0x00, 0]);
  });
});
