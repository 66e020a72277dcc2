import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeCounterLogPage, FakeSpcDevice, nexus } from './fake-spc-device.js';
import type { LogPage } from './log-page.js';
import { LogPageControl } from './log-page.js';
import { assertCheck, assertGood, assertInvalidFieldInCdb, assertInvalidFieldInParameterList } from './sense-assert.js';

const logSense = (pcPage: number, subpage: number, pointer = 0, allocation = 1024): number[] =>
  [0x4d, 0, pcPage, subpage, 0, pointer >> 8, pointer & 0xff, allocation >> 8, allocation & 0xff, 0];
const logSelect = (byte1: number, pcPage: number, subpage: number, length: number): number[] =>
  [0x4c, byte1, pcPage, subpage, 0, 0, 0, length >> 8, length & 0xff, 0];

const PARAM_0 = (v: number): number[] => [0x00, 0x00, 0x02, 0x04, 0, 0, 0, v];
const PARAM_1 = (v: number): number[] => [0x00, 0x01, 0x02, 0x04, 0, 0, 0, v];

/** A page with cumulative values only (threshold PCs are refused). */
const cumulativeOnly: LogPage = {
  pageCode: 0x33,
  subpageCode: 0x01,
  parameters: (pc) => (pc === LogPageControl.CURRENT_CUMULATIVE || pc === LogPageControl.DEFAULT_CUMULATIVE
    ? [{ code: 0x8000, control: 0x03, value: Buffer.from([0xab]) }]
    : undefined),
};

describe('LOG SENSE', () => {
  test('page 00h lists 00h and every page code in ascending order', async () => {
    const d = await FakeSpcDevice.ready();
    d.logPages.add(cumulativeOnly);
    const res = await d.run(logSense(0x40, 0));
    assertGood(res);
    // Page 33h has only a subpage, so page 00h does not list it.
    assert.deepEqual([...(res.dataIn ?? [])], [0x80, 0x00, 0x00, 0x02, 0x00, 0x32]);
  });

  test('page 00h subpage FFh lists every page and subpage pair', async () => {
    const d = await FakeSpcDevice.ready();
    d.logPages.add(cumulativeOnly);
    const res = await d.run(logSense(0x40, 0xff));
    assert.deepEqual([...(res.dataIn ?? [])], [0xc0, 0xff, 0x00, 0x08, 0x00, 0x00, 0x00, 0xff, 0x32, 0x00, 0x33, 0x01]);
  });

  test('a parameter page returns its current cumulative values in parameter code order', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run(logSense(0x40 | 0x32, 0));
    assert.deepEqual([...(res.dataIn ?? [])], [0xb2, 0x00, 0x00, 16, ...PARAM_0(5), ...PARAM_1(7)]);
  });

  test('PC=00b returns threshold values; a page without thresholds refuses it', async () => {
    const d = await FakeSpcDevice.ready();
    d.logPages.add(cumulativeOnly);
    const res = await d.run(logSense(0x32, 0));
    assert.deepEqual([...(res.dataIn ?? [])], [0xb2, 0x00, 0x00, 16, ...PARAM_0(0), ...PARAM_1(100)]);
    assertInvalidFieldInCdb(await d.run(logSense(0x33, 0x01)), 2, 7);
    const sub = await d.run(logSense(0x40 | 0x33, 0x01));
    assert.deepEqual([...(sub.dataIn ?? [])], [0xf3, 0x01, 0x00, 0x05, 0x80, 0x00, 0x03, 0x01, 0xab]);
  });

  test('the parameter pointer skips lower codes; one beyond the largest code is refused', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(logSense(0x40 | 0x32, 0, 1))).dataIn ?? [])], [0xb2, 0x00, 0x00, 8, ...PARAM_1(7)]);
    assertInvalidFieldInCdb(await d.run(logSense(0x40 | 0x32, 0, 2)), 5);
  });

  test('unsupported pages, subpages, PPC and SP are refused', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run(logSense(0x40 | 0x05, 0)), 2, 5);
    assertInvalidFieldInCdb(await d.run(logSense(0x40 | 0x32, 0x02)), 3);
    assertInvalidFieldInCdb(await d.run([0x4d, 0x02, 0x40, 0, 0, 0, 0, 1, 0, 0]), 1, 1);
    assertInvalidFieldInCdb(await d.run([0x4d, 0x01, 0x40, 0, 0, 0, 0, 1, 0, 0]), 1, 0);
  });

  test('the allocation length truncates the page', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(logSense(0x40 | 0x32, 0, 0, 6))).dataIn ?? [])], [0xb2, 0x00, 0x00, 16, 0x00, 0x00]);
  });
});

describe('LOG SELECT', () => {
  test('PCR=1 resets cumulative values and raises LOG PARAMETERS CHANGED for other nexuses', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    assertGood(await d.run(logSelect(0x02, 0x40, 0, 0)));
    assert.deepEqual(d.counterPage.counters, [0, 0]);
    assertCheck(await d.run([0x00, 0, 0, 0, 0, 0], { nexus: nexus(2) }), 0x06, 0x2a, 0x02);
  });

  test('an empty list with PC=01b and no PCR changes nothing', async () => {
    const d = await FakeSpcDevice.ready();
    assertGood(await d.run(logSelect(0x00, 0x40 | 0x32, 0, 0)));
    assert.deepEqual(d.counterPage.counters, [5, 7]);
  });

  test('a parameter list sets values of the named page', async () => {
    const d = await FakeSpcDevice.ready();
    const list = [0x32, 0x00, 0x00, 0x08, ...PARAM_1(9)];
    assertGood(await d.run(logSelect(0x00, 0x40, 0, list.length), { dataOut: Buffer.from(list) }));
    assert.deepEqual(d.counterPage.counters, [5, 9]);
  });

  test('list errors point into the parameter list', async () => {
    const d = await FakeSpcDevice.ready();
    const send = (list: number[]): ReturnType<FakeSpcDevice['run']> =>
      d.run(logSelect(0x00, 0x40, 0, list.length), { dataOut: Buffer.from(list) });
    // The page rejects parameter code 5 at its own offset 0: byte 4 of the list.
    assertInvalidFieldInParameterList(await send([0x32, 0x00, 0x00, 0x08, 0x00, 0x05, 0x02, 0x04, 0, 0, 0, 1]), 4);
    // Descending parameter codes.
    assertInvalidFieldInParameterList(await send([0x32, 0x00, 0x00, 0x10, ...PARAM_1(1), ...PARAM_0(1)]), 12);
    // Unknown page.
    assertInvalidFieldInParameterList(await send([0x05, 0x00, 0x00, 0x00]), 0, 5);
    // Truncated page.
    assertCheck(await send([0x32, 0x00, 0x00, 0x10, ...PARAM_1(1)]), 0x05, 0x1a, 0x00);
    assert.deepEqual(d.counterPage.counters, [5, 7]);
  });

  test('a list naming several pages is validated whole before any page changes', async () => {
    const d = await FakeSpcDevice.ready();
    const second = new FakeCounterLogPage(0x34);
    d.logPages.add(second);
    const list = [0x32, 0x00, 0x00, 0x08, ...PARAM_1(9), 0x34, 0x00, 0x00, 0x08, 0x00, 0x07, 0x02, 0x04, 0, 0, 0, 1];
    assertInvalidFieldInParameterList(await d.run(logSelect(0x00, 0x40, 0, list.length), { dataOut: Buffer.from(list) }), 16);
    assert.deepEqual(d.counterPage.counters, [5, 7]);
    list[17] = 0x01;
    assertGood(await d.run(logSelect(0x00, 0x40, 0, list.length), { dataOut: Buffer.from(list) }));
    assert.deepEqual([d.counterPage.counters, second.counters], [[5, 9], [5, 1]]);
  });

  test('PCR with a list, a page code with a list, default PCs with a list and SP are refused', async () => {
    const d = await FakeSpcDevice.ready();
    const list = Buffer.from([0x32, 0x00, 0x00, 0x08, ...PARAM_1(9)]);
    assertInvalidFieldInCdb(await d.run(logSelect(0x02, 0x40, 0, list.length), { dataOut: list }), 1, 1);
    assertInvalidFieldInCdb(await d.run(logSelect(0x00, 0x40 | 0x32, 0, list.length), { dataOut: list }), 2, 5);
    assertInvalidFieldInCdb(await d.run(logSelect(0x00, 0xc0, 0, list.length), { dataOut: list }), 2, 7);
    assertInvalidFieldInCdb(await d.run(logSelect(0x01, 0x40, 0, 0)), 1, 0);
  });
});
