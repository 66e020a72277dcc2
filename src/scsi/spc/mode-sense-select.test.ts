import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { senseOf } from '../sense.js';
import { FakeSpcDevice, nexus } from './fake-spc-device.js';
import {
  assertCheck, assertGood, assertInvalidFieldInCdb, assertInvalidFieldInParameterList, fieldPointerBytes,
} from './sense-assert.js';

const CONTROL = [0x0a, 0x0a, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const CONTROL_CHANGEABLE = [0x0a, 0x0a, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const IE = [0x1c, 0x0a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const SUBPAGE_10_01 = [0x50, 0x01, 0x00, 0x04, 0, 0, 0, 0];
/** Control extension (0Ah/01h): TCMOS=1, SCSIP=1, 28 bytes after its 4-byte header. */
const CONTROL_EXTENSION = [0x4a, 0x01, 0x00, 0x1c, 0x06, ...new Array<number>(27).fill(0)];
const BLOCK_DESCRIPTOR = [0x5e, 0, 0, 0, 0, 0, 0, 0];

const modeSense6 = (dbd: boolean, pcPage: number, subpage: number, allocation = 255): number[] =>
  [0x1a, dbd ? 0x08 : 0, pcPage, subpage, allocation, 0];
const modeSense10 = (byte1: number, pcPage: number, subpage: number): number[] => [0x5a, byte1, pcPage, subpage, 0, 0, 0, 0x04, 0x00, 0];
const modeSelect6 = (length: number, byte1 = 0x10): number[] => [0x15, byte1, 0, 0, length, 0];

async function select6(d: FakeSpcDevice, list: number[], n = 1, byte1 = 0x10): ReturnType<FakeSpcDevice['run']> {
  return d.run(modeSelect6(list.length, byte1), { nexus: nexus(n), dataOut: Buffer.from(list) });
}

describe('MODE SENSE', () => {
  test('MODE SENSE(6) page 3Fh returns header, block descriptor and page_0 pages in order', async () => {
    const d = await FakeSpcDevice.ready({ blockDescriptors: true });
    const res = await d.run(modeSense6(false, 0x3f, 0x00));
    assertGood(res);
    assert.deepEqual([...(res.dataIn ?? [])], [35, 0x88, 0x10, 8, ...BLOCK_DESCRIPTOR, ...CONTROL, ...IE]);
  });

  test('page 3Fh subpage FFh adds subpages; DBD drops the block descriptor', async () => {
    const d = await FakeSpcDevice.ready({ blockDescriptors: true });
    const res = await d.run(modeSense6(true, 0x3f, 0xff));
    assert.deepEqual([...(res.dataIn ?? [])], [67, 0x88, 0x10, 0, ...CONTROL, ...CONTROL_EXTENSION, ...SUBPAGE_10_01, ...IE]);
  });

  test('a device without block descriptor support reports a zero header and no descriptors', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run(modeSense6(false, 0x0a, 0x00));
    assert.deepEqual([...(res.dataIn ?? [])], [15, 0, 0, 0, ...CONTROL]);
  });

  test('PC=01b returns the changeable mask and PC=10b the defaults, with a current header', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(modeSense6(true, 0x40 | 0x0a, 0))).dataIn ?? [])], [15, 0, 0, 0, ...CONTROL_CHANGEABLE]);
    assert.deepEqual([...((await d.run(modeSense6(true, 0x80 | 0x0a, 0))).dataIn ?? [])], [15, 0, 0, 0, ...CONTROL]);
  });

  test('PC=11b (saved values) is refused with SAVING PARAMETERS NOT SUPPORTED', async () => {
    const d = await FakeSpcDevice.ready();
    assertCheck(await d.run(modeSense6(true, 0xc0 | 0x0a, 0)), 0x05, 0x39, 0x00, fieldPointerBytes(true, 2, 7));
  });

  test('unsupported pages and subpages are refused pointing at the page or subpage code', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run(modeSense6(true, 0x05, 0)), 2, 5);
    assertInvalidFieldInCdb(await d.run(modeSense6(true, 0x0a, 0x02)), 3);
    assertInvalidFieldInCdb(await d.run(modeSense6(true, 0x3f, 0x02)), 3);
  });

  test('page 10h subpage FFh returns that page\'s subpages; subpage 01h alone works too', async () => {
    const d = await FakeSpcDevice.ready();
    assert.deepEqual([...((await d.run(modeSense6(true, 0x10, 0xff))).dataIn ?? [])], [11, 0, 0, 0, ...SUBPAGE_10_01]);
    assert.deepEqual([...((await d.run(modeSense6(true, 0x10, 0x01))).dataIn ?? [])], [11, 0, 0, 0, ...SUBPAGE_10_01]);
  });

  test('MODE SENSE(10) uses the 8-byte header and short descriptors even with LLBAA', async () => {
    const d = await FakeSpcDevice.ready({ blockDescriptors: true });
    const res = await d.run(modeSense10(0x10, 0x0a, 0));
    assert.deepEqual([...(res.dataIn ?? [])], [0, 26, 0x88, 0x10, 0, 0, 0, 8, ...BLOCK_DESCRIPTOR, ...CONTROL]);
  });

  test('the allocation length truncates the data but not the mode data length', async () => {
    const d = await FakeSpcDevice.ready({ blockDescriptors: true });
    const res = await d.run(modeSense6(false, 0x3f, 0x00, 4));
    assert.deepEqual([...(res.dataIn ?? [])], [35, 0x88, 0x10, 8]);
  });
});

describe('MODE SELECT', () => {
  test('setting D_SENSE switches to descriptor sense and raises MODE PARAMETERS CHANGED for other nexuses', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    assertGood(await select6(d, [0, 0, 0, 0, 0x0a, 0x0a, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    d.notReady = senseOf('MEDIUM_NOT_PRESENT');
    const res = await d.run([0x00, 0, 0, 0, 0, 0]);
    assert.deepEqual([...(res.sense ?? [])], [0x72, 0x02, 0x3a, 0x00, 0, 0, 0, 0]);
    const other = await d.run([0x00, 0, 0, 0, 0, 0], { nexus: nexus(2) });
    assert.deepEqual([...(other.sense ?? [])].slice(0, 4), [0x72, 0x06, 0x2a, 0x01]);
  });

  test('an unchanged page raises no unit attention', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    assertGood(await select6(d, [0, 0, 0, 0, ...CONTROL]));
    assertGood(await d.run([0x00, 0, 0, 0, 0, 0], { nexus: nexus(2) }));
  });

  test('the PS bit echoed from MODE SENSE data is ignored', async () => {
    const d = await FakeSpcDevice.ready();
    assertGood(await select6(d, [0, 0, 0, 0, 0x80 | 0x0a, ...CONTROL.slice(1)]));
  });

  test('changing an unchangeable bit points at that bit in the parameter list', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInParameterList(await select6(d, [0, 0, 0, 0, 0x0a, 0x0a, 0x02, 0x02, 0, 0, 0, 0, 0, 0, 0, 0]), 7, 1);
  });

  test('a wrong page length points at the page length byte', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInParameterList(await select6(d, [0, 0, 0, 0, 0x0a, 0x08, 0x02, 0, 0, 0, 0, 0, 0, 0]), 5);
  });

  test('a page cut short by the parameter list length is PARAMETER LIST LENGTH ERROR', async () => {
    const d = await FakeSpcDevice.ready();
    assertCheck(await select6(d, [0, 0, 0, 0, 0x0a, 0x0a, 0x02, 0]), 0x05, 0x1a, 0x00);
    assertCheck(await select6(d, [0, 0, 0]), 0x05, 0x1a, 0x00);
  });

  test('an unsupported page points at its page code', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInParameterList(await select6(d, [0, 0, 0, 0, 0x05, 0x02, 0, 0]), 4, 5);
  });

  test('a page validator\'s field pointer is rebased onto the parameter list, and nothing is applied', async () => {
    const d = await FakeSpcDevice.ready();
    const list = [0, 0, 0, 0, 0x0a, 0x0a, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x01, 0x00, 0x04, 5, 0, 0, 0];
    assertInvalidFieldInParameterList(await select6(d, list), 16 + 4);
    assert.equal(d.spc.controlPage.byte(2), 0x02, 'the Control page was not changed');
    list[20] = 3;
    assertGood(await select6(d, list));
    assert.deepEqual([d.spc.controlPage.byte(2), d.subpage.byte(4)], [0x06, 3]);
  });

  test('SP=1 is refused with INVALID FIELD IN CDB (no saved pages)', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await select6(d, [0, 0, 0, 0, ...CONTROL], 1, 0x11), 1, 0);
  });

  test('PF=0 is accepted for a header only and refused with pages', async () => {
    const d = await FakeSpcDevice.ready({ blockDescriptors: true });
    assertGood(await select6(d, [0, 0, 0x10, 8, 0x5e, 0, 0, 0, 0, 0, 0x02, 0x00], 1, 0x00));
    assertInvalidFieldInCdb(await select6(d, [0, 0, 0x10, 0, ...CONTROL], 1, 0x00), 1, 4);
  });

  test('a block descriptor sets the block length through the device hooks', async () => {
    const d = await FakeSpcDevice.ready({ blockDescriptors: true });
    assertGood(await select6(d, [0, 0, 0x10, 8, 0x5e, 0, 0, 0, 0, 0, 0x04, 0x00]));
    const res = await d.run(modeSense6(false, 0x0a, 0));
    assert.deepEqual([...(res.dataIn ?? [])].slice(0, 12), [23, 0x88, 0x10, 8, 0x5e, 0, 0, 0, 0, 0, 0x04, 0x00]);
  });

  test('block descriptor errors point into the list: bad length, bad density, reserved byte', async () => {
    const d = await FakeSpcDevice.ready({ blockDescriptors: true });
    assertInvalidFieldInParameterList(await select6(d, [0, 0, 0x10, 4, 0x5e, 0, 0, 0]), 3);
    assertInvalidFieldInParameterList(await select6(d, [0, 0, 0x10, 8, 0x42, 0, 0, 0, 0, 0, 0, 0]), 4);
    assertInvalidFieldInParameterList(await select6(d, [0, 0, 0x10, 8, 0x5e, 0, 0, 0, 0x01, 0, 0, 0]), 8, 0);
  });

  test('a device without block descriptors refuses them and non-zero header fields', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInParameterList(await select6(d, [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0]), 3);
    assertInvalidFieldInParameterList(await select6(d, [0, 0x01, 0, 0]), 1);
  });

  test('MODE SELECT(10) parses the 8-byte header and refuses LONGLBA', async () => {
    const d = await FakeSpcDevice.ready();
    const list = [0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x0a, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const run = (l: number[]): ReturnType<FakeSpcDevice['run']> =>
      d.run([0x55, 0x10, 0, 0, 0, 0, 0, 0, l.length, 0], { dataOut: Buffer.from(l) });
    const withLongLba = [...list];
    withLongLba[4] = 1;
    assertInvalidFieldInParameterList(await run(withLongLba), 4, 0);
    assertGood(await run(list));
    assert.equal(d.spc.controlPage.senseFormat(), 'descriptor');
  });

  test('a logical unit reset returns mode pages to their defaults', async () => {
    const d = await FakeSpcDevice.ready();
    assertGood(await select6(d, [0, 0, 0, 0, 0x0a, 0x0a, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(d.senseFormat(), 'descriptor');
    d.dispatcher.handleEvent({ kind: 'logical-unit-reset', lun: 1, by: nexus(1) });
    assert.equal(d.senseFormat(), 'fixed');
    assert.deepEqual([...d.spc.controlPage.current()], CONTROL);
  });

  test('a zero parameter list length does nothing and is not an error', async () => {
    const d = await FakeSpcDevice.ready();
    assertGood(await d.run(modeSelect6(0)));
  });
});
