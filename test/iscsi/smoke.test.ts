import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { INITIATOR, TARGET, startHarness } from './harness.js';

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
