// Vendor pages per changer personality: the IBM 3584's VPD 80h and 83h forms and log page 30h (IBM's TS4500 SCSI
// reference); the STK L700 keeps the SPC-4 forms (no public reference documents its pages).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { smallConfig } from '../library/harness.js';
import { changerHarness } from './changer-harness.js';
import type { ChangerHarness } from './changer-harness.js';

const inquiry = (page: number): number[] => [0x12, 0x01, page, 0x00, 0xff, 0x00];

/** The designators of a VPD 83h page: [code set, designator type, value]. */
function designators(page: Buffer): { codeSet: number; type: number; value: Buffer }[] {
  const out: { codeSet: number; type: number; value: Buffer }[] = [];
  for (let at = 4; at < 4 + page.readUInt16BE(2); at += 4 + page[at + 3]) {
    out.push({ codeSet: page[at] & 0x0f, type: page[at + 1] & 0x0f, value: page.subarray(at + 4, at + 4 + page[at + 3]) });
  }
  return out;
}

async function withChanger(config: Parameters<typeof changerHarness>[0], body: (h: ChangerHarness) => Promise<void>): Promise<void> {
  const h = await changerHarness(config);
  try {
    await body(h);
  } finally {
    h.close();
  }
}

describe('changer personality pages', () => {
  test('the IBM 3584 reports VPD 80h as a 12-character zero-padded serial and the first storage element address in hexadecimal ASCII', async () => {
    await withChanger(smallConfig({ changer: { serial: '13XY45' } }), async (h) => {
      const page = await h.good(inquiry(0x80));
      assert.deepEqual([...page.subarray(0, 4)], [0x08, 0x80, 0x00, 0x10]);
      assert.equal(page.subarray(4).toString('ascii'), '00000013XY451000');
    });
  });

  test('the IBM 3584 T10 vendor ID designator is vendor, product, 12-character serial and first storage element address (40 bytes); NAA follows', async () => {
    await withChanger(smallConfig({ changer: { serial: '13XY45' }, elementAddresses: { transport: 0x0001, storage: 0x0020, importExport: 0x0400, dataTransfer: 0x0200 } }), async (h) => {
      const [t10, naa] = designators(await h.good(inquiry(0x83)));
      assert.deepEqual([t10.codeSet, t10.type, t10.value.length], [0x2, 0x1, 0x28]);
      assert.equal(t10.value.toString('ascii'), 'IBM     03584L32        00000013XY450020');
      assert.equal(naa.type, 0x3);
    });
  });

  test('the IBM 3584 lists log page 30h, whose frames, logical library name and physical serial follow the reference', async () => {
    await withChanger(smallConfig({ changer: { serial: '13XY45' } }), async (h) => {
      const supported = await h.good([0x4d, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00]);
      assert.deepEqual([...supported.subarray(4, 4 + supported.readUInt16BE(2))], [0x00, 0x2e, 0x30]);
      const page = await h.good([0x4d, 0x00, 0x40 | 0x30, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]);
      const expected = Buffer.concat([
        Buffer.from([0x80 | 0x30, 0x00, 0x00, 5 + 36 + 16]), // DS=1 (no saved values), as every page of ours
        Buffer.from([0x00, 0x01, 0x41, 0x01, 0x01]),
        Buffer.from([0x00, 0x03, 0x41, 0x20]), Buffer.from('lib0'.padEnd(32, '\0'), 'ascii'),
        Buffer.from([0x00, 0x04, 0x41, 0x0c]), Buffer.from('00000013XY45', 'ascii'),
      ]);
      assert.deepEqual(page, expected);
    });
  });

  test('the STK L700 keeps the SPC-4 forms: VPD 80h is the serial, the T10 designator vendor + product + serial, no log page 30h', async () => {
    await withChanger(smallConfig({ changer: { personality: 'stk-l700', serial: '13XY45' } }), async (h) => {
      assert.equal((await h.good(inquiry(0x80))).subarray(4).toString('ascii'), '13XY45');
      const [t10] = designators(await h.good(inquiry(0x83)));
      assert.equal(t10.value.toString('ascii'), 'STK     L700            13XY45');
      const supported = await h.good([0x4d, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00]);
      assert.deepEqual([...supported.subarray(4, 4 + supported.readUInt16BE(2))], [0x00, 0x2e]);
    });
  });
});
