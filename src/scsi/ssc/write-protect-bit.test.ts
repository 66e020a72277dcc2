import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createHarness, nexus } from './testing/drive-harness.js';
import { RecordingProtection } from './testing/recording-protection.js';

const MODE_SENSE_6 = [0x1a, 0x00, 0x00, 0x00, 0xff, 0x00];
const WP = 0x80;

describe('MODE SENSE WP bit', () => {
  test('is set for a read-only initiator and clear for the others on the same cartridge', async () => {
    const p = new RecordingProtection();
    const h = await createHarness({ protection: p });
    await h.load();
    p.readOnly.add('iqn.test:i2');
    const ro = nexus(2);
    for (let i = 0; i < 3; i++) if ((await h.run([0, 0, 0, 0, 0, 0], { nexus: ro })).sense?.[2] !== 0x06) break;
    assert.equal((await h.good(MODE_SENSE_6, { nexus: ro }))[2] & WP, WP);
    assert.equal((await h.good(MODE_SENSE_6))[2] & WP, 0);
  });

  test('stays clear on a retention-locked cartridge, which still takes appends at end of data', async () => {
    const p = new RecordingProtection();
    const h = await createHarness({ protection: p });
    const m = await h.load();
    p.lock(m.barcode);
    assert.equal((await h.good(MODE_SENSE_6))[2] & WP, 0);
  });

  test('is clear without a cartridge, even for a read-only initiator', async () => {
    const p = new RecordingProtection();
    p.readOnly.add('iqn.test:i1');
    const h = await createHarness({ protection: p });
    assert.equal((await h.good(MODE_SENSE_6))[2] & WP, 0);
  });
});
