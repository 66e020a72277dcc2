import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SenseKey } from '../sense.js';
import { TapeAlert } from './tape-alert.js';
import { createHarness } from './testing/drive-harness.js';

describe('drive informational exceptions (mode page 1Ch)', () => {
  test('a drive whose TapeAlert flag becomes set, with MRIE 4h, ends its next good command with RECOVERED ERROR 5D/00 and its data', async () => {
    const h = await createHarness();
    const list = Buffer.concat([Buffer.from([0, 0, 0x10, 0]), Buffer.from([0x1c, 0x0a, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0])]);
    await h.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
    const current = await h.good([0x1a, 0x08, 0x1c, 0x00, 0xff, 0x00]);
    assert.deepEqual([current[4 + 2], current[4 + 3]], [0x00, 0x04]);
    h.drive.tapeAlert.set(TapeAlert.CLEAN_NOW);
    h.drive.tapeAlert.set(TapeAlert.CLEAN_NOW); // already set: not a new condition
    const s = await h.check([0x12, 0x00, 0x00, 0x00, 0x24, 0x00]);
    assert.deepEqual([s.key, s.asc, s.ascq, s.data.length], [SenseKey.RECOVERED_ERROR, 0x5d, 0x00, 0x24]);
    await h.good([0x12, 0x00, 0x00, 0x00, 0x24, 0x00]);
  });

  test('the drive page 1Ch defaults to DEXCPT=1, MRIE 0h, and reports DEXCPT, TEST, MRIE, INTERVAL TIMER and REPORT COUNT changeable', async () => {
    const h = await createHarness();
    const current = await h.good([0x1a, 0x08, 0x1c, 0x00, 0xff, 0x00]);
    assert.deepEqual([...current.subarray(4)], [0x1c, 0x0a, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    const changeable = await h.good([0x1a, 0x08, 0x5c, 0x00, 0xff, 0x00]);
    assert.deepEqual([...changeable.subarray(4)], [0x1c, 0x0a, 0x0c, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });
});
