import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { fakeTarget } from './fake-unit.js';
import { INITIATOR, TARGET, serveDevice, startHarness } from './harness.js';

test('an initiator logs in, reads INQUIRY and logs out', async () => {
  const h = await startHarness();
  try {
    const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: h.port, targetName: TARGET, initiatorName: INITIATOR });
    const r = await s.command(0, [0x12, 0, 0, 0, 36, 0], { expectedDataInLength: 36 });
    assert.equal(r.status, 0);
    assert.equal(r.dataIn.subarray(8, 15).toString(), 'VTLTEST');
    assert.equal(await s.logout(), 0);
  } finally {
    await h.close();
  }
});

test('serveDevice() serves any ScsiTargetDevice for scenario tests', async () => {
  const { device } = fakeTarget([0, 3]);
  const served = await serveDevice(device, { name: 'iqn.2026-11.org.vtl:scenario' });
  try {
    const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: served.port, targetName: served.name, initiatorName: INITIATOR });
    const r = await s.command(0, [0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], { expectedDataInLength: 256 });
    assert.equal(r.status, 0);
    assert.equal(r.dataIn.readUInt32BE(0), 16, 'two LUNs');
    assert.equal(r.residualUnderflow, 256 - 24);
    await s.logout();
  } finally {
    await served.close();
  }
});
