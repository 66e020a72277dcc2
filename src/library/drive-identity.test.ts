import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../config/schema.js';
import { resolveChangerIdentity, resolveDriveIdentity } from './drive-identity.js';

function config(library: Record<string, unknown>): ReturnType<typeof configSchema.parse> {
  return configSchema.parse({ libraries: [{ name: 'lib0', driveCount: 2, ...library }] });
}

const names = (id: { vendor: string; product: string; revision: string }): string[] => [id.vendor, id.product, id.revision];

describe('vendor personalities', () => {
  test('the changer is an IBM 3584 (03584L32) by default and an STK L700 on request', () => {
    assert.deepEqual(names(resolveChangerIdentity(config({}).libraries[0])), ['IBM', '03584L32', '0402']);
    assert.deepEqual(names(resolveChangerIdentity(config({ changer: { personality: 'stk-l700' } }).libraries[0])), ['STK', 'L700', '0105']);
  });

  test('IBM drives are ULT3580-TD<generation>, TDA for LTO-10', () => {
    for (const [generation, product] of [[5, 'ULT3580-TD5'], [9, 'ULT3580-TD9'], [10, 'ULT3580-TDA']] as const) {
      const c = config({ driveDefaults: { generation } });
      assert.deepEqual(names(resolveDriveIdentity(c, c.libraries[0], 0)).slice(0, 2), ['IBM', product]);
    }
  });

  test('HPE drives are Ultrium N-SCSI, vendor HP up to LTO-7 and HPE from LTO-8', () => {
    for (const [generation, vendor] of [[5, 'HP'], [7, 'HP'], [8, 'HPE'], [9, 'HPE']] as const) {
      const c = config({ driveDefaults: { generation, personality: 'hpe' } });
      assert.deepEqual(names(resolveDriveIdentity(c, c.libraries[0], 1)).slice(0, 2), [vendor, `Ultrium ${generation}-SCSI`]);
    }
  });

  test('a personality per drive mixes vendors in one library; explicit names override a personality field by field', () => {
    const c = config({ drives: [{}, { personality: 'hpe', generation: 8, revision: 'X1Y2' }], changer: { personality: 'stk-l700', product: 'L700e' } });
    assert.equal(resolveDriveIdentity(c, c.libraries[0], 0).vendor, 'IBM');
    assert.deepEqual(names(resolveDriveIdentity(c, c.libraries[0], 1)), ['HPE', 'Ultrium 8-SCSI', 'X1Y2']);
    assert.deepEqual(names(resolveChangerIdentity(c.libraries[0])), ['STK', 'L700e', '0105']);
  });

  test('an unknown personality is refused by the config schema', () => {
    assert.throws(() => config({ changer: { personality: 'adic-scalar' } }));
    assert.throws(() => config({ driveDefaults: { personality: 'quantum' } }));
  });
});
