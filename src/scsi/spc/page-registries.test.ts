import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extendTable } from '../command.js';
import { FakeSpcDevice } from './fake-spc-device.js';
import { LogPageSet } from './log-page-set.js';
import { ModePageSet } from './mode-page-set.js';
import { spcCommands } from './spc-commands.js';
import type { SpcDevice } from './spc-device.js';
import { modePageBytes, StoredModePage } from './stored-mode-page.js';
import { scsiNameString, targetDeviceName } from './vpd-pages.js';

const page = (pageCode: number, subpageCode = 0): StoredModePage =>
  new StoredModePage({ pageCode, subpageCode, defaults: [0], changeable: [0] });

describe('page registries and helpers', () => {
  test('ModePageSet lists pages by code then subpage, vendor page 00h last, and refuses duplicates', () => {
    const set = new ModePageSet([page(0x1c), page(0x00), page(0x10, 0x01), page(0x0a), page(0x10)]);
    assert.deepEqual(set.list().map((p) => [p.pageCode, p.subpageCode]), [[0x0a, 0], [0x10, 0], [0x10, 1], [0x1c, 0], [0x00, 0]]);
    assert.throws(() => set.add(page(0x0a)), /already registered/);
  });

  test('LogPageSet refuses page 00h, which it synthesizes', () => {
    const set = new LogPageSet();
    assert.throws(() => set.add({ pageCode: 0, subpageCode: 0, parameters: () => [] }), /reserved or synthesized/);
  });

  test('modePageBytes builds page_0 and sub_page headers', () => {
    assert.deepEqual([...modePageBytes(0x0f, 0, [1, 2])], [0x0f, 2, 1, 2]);
    assert.deepEqual([...modePageBytes(0x10, 0x01, [1, 2])], [0x50, 0x01, 0x00, 0x02, 1, 2]);
  });

  test('StoredModePage reports a changeable mask with a real header and applies new values', () => {
    const p = new StoredModePage({ pageCode: 0x0f, defaults: [0x80, 0x00], changeable: [0xc0, 0x00] });
    assert.deepEqual([...p.changeable()], [0x0f, 2, 0xc0, 0x00]);
    p.apply(Buffer.from([0x0f, 2, 0x40, 0x00]));
    assert.deepEqual([...p.current()], [0x0f, 2, 0x40, 0x00]);
    assert.deepEqual([...p.default()], [0x0f, 2, 0x80, 0x00]);
    p.resetToDefaults();
    assert.equal(p.byte(2), 0x80);
  });

  test('SCSI name strings are null-terminated and padded to a multiple of 4 bytes', () => {
    assert.deepEqual([...scsiNameString('abc')], [0x61, 0x62, 0x63, 0]);
    assert.deepEqual([...scsiNameString('abcd')], [0x61, 0x62, 0x63, 0x64, 0, 0, 0, 0]);
    assert.equal(targetDeviceName('iqn.2026-01.io.vtl:x,t,0x0001'), 'iqn.2026-01.io.vtl:x');
  });

  test('REPORT SUPPORTED OPERATION CODES follows the table a device type extends', async () => {
    const extended = extendTable<SpcDevice, SpcDevice>(spcCommands, [
      { opcode: 0x01, name: 'REWIND', cdbUsage: [0x01, 0x01, 0, 0, 0, 0], timeoutSeconds: 600, execute: () => ({}) },
    ]);
    const d = await FakeSpcDevice.ready();
    d.supportedCommands = (): typeof extended => extended;
    const res = await d.run([0xa3, 0x0c, 0x81, 0x01, 0, 0, 0, 0, 0, 64, 0, 0]);
    assert.deepEqual([...(res.dataIn ?? [])], [0, 0x83, 0, 6, 0x01, 0x01, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 2, 0x58, 0, 0, 2, 0x58]);
  });
});
