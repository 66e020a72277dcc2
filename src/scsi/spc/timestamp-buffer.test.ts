import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeSpcDevice } from './fake-spc-device.js';
import { assertCheck, assertGood, assertInvalidFieldInCdb, assertInvalidFieldInParameterList } from './sense-assert.js';
import { DeviceClock, TimestampOrigin } from './timestamp.js';

const reportTimestamp = (allocation = 12): number[] => [0xa3, 0x0f, 0, 0, 0, 0, 0, 0, 0, allocation, 0, 0];
const setTimestamp = (length = 12): number[] => [0xa4, 0x0f, 0, 0, 0, 0, 0, 0, 0, length, 0, 0];
const readBuffer = (mode: number, offset: number, allocation: number, id = 0): number[] =>
  [0x3c, mode, id, offset >> 16, (offset >> 8) & 0xff, offset & 0xff, allocation >> 16, (allocation >> 8) & 0xff, allocation & 0xff, 0];
const writeBuffer = (mode: number, offset: number, length: number, id = 0): number[] =>
  [0x3b, mode, id, offset >> 16, (offset >> 8) & 0xff, offset & 0xff, length >> 16, (length >> 8) & 0xff, length & 0xff, 0];

/** SET TIMESTAMP parameter data for `ms`. */
function timestampData(ms: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUIntBE(ms, 4, 6);
  return b;
}

describe('REPORT TIMESTAMP and SET TIMESTAMP', () => {
  test('REPORT TIMESTAMP returns 12 bytes: length 0Ah, origin 011b (the host clock) and the time in milliseconds', async () => {
    const d = await FakeSpcDevice.ready();
    const before = Date.now();
    const res = await d.run(reportTimestamp());
    assertGood(res);
    const data = res.dataIn ?? Buffer.alloc(0);
    assert.equal(data.length, 12);
    assert.deepEqual([data.readUInt16BE(0), data[2], data[3], data[10], data[11]], [0x0a, TimestampOrigin.OUTSIDE, 0, 0, 0]);
    const ms = data.readUIntBE(4, 6);
    assert.ok(ms >= before && ms <= Date.now(), `${ms} within [${before}, ${Date.now()}]`);
    assert.equal((await d.run(reportTimestamp(4))).dataIn?.length, 4);
  });

  test('SET TIMESTAMP sets the clock, which counts on from there with origin 010b', async () => {
    const clock = new DeviceClock(() => 1_000_000);
    clock.set(5_000);
    assert.deepEqual([clock.timestamp(), clock.origin()], [5_000, TimestampOrigin.SET_TIMESTAMP]);
    const d = await FakeSpcDevice.ready();
    assertGood(await d.run(setTimestamp(), { dataOut: timestampData(0x0102_0304_0506) }));
    const data = (await d.run(reportTimestamp())).dataIn ?? Buffer.alloc(0);
    assert.equal(data[2], TimestampOrigin.SET_TIMESTAMP);
    const ms = data.readUIntBE(4, 6);
    assert.ok(ms >= 0x0102_0304_0506 && ms < 0x0102_0304_0506 + 60_000, `${ms.toString(16)}`);
  });

  test('SET TIMESTAMP with a short list is PARAMETER LIST LENGTH ERROR, with reserved bytes set INVALID FIELD IN PARAMETER LIST, with length 0 a no-op', async () => {
    const d = await FakeSpcDevice.ready();
    assertCheck(await d.run(setTimestamp(8), { dataOut: Buffer.alloc(8) }), 0x5, 0x1a, 0x00);
    const bad = timestampData(1);
    bad[10] = 1;
    assertInvalidFieldInParameterList(await d.run(setTimestamp(), { dataOut: bad }), 10);
    assertGood(await d.run(setTimestamp(0)));
    assert.equal((await d.run(reportTimestamp())).dataIn?.[2], TimestampOrigin.OUTSIDE);
  });
});

describe('READ BUFFER and WRITE BUFFER', () => {
  test('descriptor mode reports a 64 KiB buffer with byte offsets, and zeros for another buffer ID', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(readBuffer(0x03, 0, 4))).dataIn ?? [])], [0x00, 0x01, 0x00, 0x00]);
    assert.deepEqual([...((await d.run(readBuffer(0x03, 0, 4, 1))).dataIn ?? [])], [0, 0, 0, 0]);
  });

  test('data written in data mode reads back at its offset; the allocation length and the capacity bound the read', async () => {
    const d = await FakeSpcDevice.ready();
    assertGood(await d.run(writeBuffer(0x02, 100, 4), { dataOut: Buffer.from([1, 2, 3, 4]) }));
    assert.deepEqual([...((await d.run(readBuffer(0x02, 98, 8))).dataIn ?? [])], [0, 0, 1, 2, 3, 4, 0, 0]);
    assert.equal((await d.run(readBuffer(0x02, 0x10000 - 2, 8))).dataIn?.length, 2);
  });

  test('other modes, buffer IDs and offsets or lengths past the buffer are INVALID FIELD IN CDB at the field', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run(readBuffer(0x0a, 0, 4)), 1, 4);
    assertInvalidFieldInCdb(await d.run(writeBuffer(0x05, 0, 0)), 1, 4);
    assertInvalidFieldInCdb(await d.run(readBuffer(0x02, 0, 4, 1)), 2);
    assertInvalidFieldInCdb(await d.run(readBuffer(0x02, 0x10001, 4)), 3);
    assertInvalidFieldInCdb(await d.run(writeBuffer(0x02, 0xfffe, 4), { dataOut: Buffer.alloc(4) }), 6);
    // MODE SPECIFIC (bits 7-5 of byte 1) is reserved for these modes.
    assertInvalidFieldInCdb(await d.run(readBuffer(0x22, 0, 4)), 1, 5);
  });
});
