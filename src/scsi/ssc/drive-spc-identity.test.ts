import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { completeDriveIdentity, defaultSerial, driveSpcIdentity, naaOfSerial } from './drive-spc-identity.js';

describe('drive identity', () => {
  test('defaults look like an IBM LTO drive of the generation', () => {
    const id = completeDriveIdentity(9, 'iqn.2026-11.org.vtl:lib0', 'drive0');
    assert.deepEqual([id.vendor, id.product, id.revision], ['IBM', 'ULT3580-TD9', 'Q3F1']);
    assert.equal(completeDriveIdentity(10, 't', 'd').product, 'ULT3580-TDA');
  });

  test('the default serial is 10 digits, stable, and differs between drives and targets', () => {
    const a = defaultSerial('iqn.x:lib0', 'drive0');
    assert.match(a, /^[1-9]\d{9}$/);
    assert.equal(defaultSerial('iqn.x:lib0', 'drive0'), a);
    assert.notEqual(defaultSerial('iqn.x:lib0', 'drive1'), a);
    assert.notEqual(defaultSerial('iqn.x:lib1', 'drive0'), a);
  });

  test('configured fields win over defaults', () => {
    const id = completeDriveIdentity(8, 't', 'd', { vendor: 'HP', serial: 'HU1234' });
    assert.deepEqual([id.vendor, id.product, id.serial], ['HP', 'ULT3580-TD8', 'HU1234']);
  });

  test('the NAA designator is 8 bytes, NAA 3h, stable per serial and different between serials', () => {
    const n = naaOfSerial('1000000001');
    assert.equal(n.length, 8);
    assert.equal(n[0] >> 4, 0x3);
    assert.deepEqual(naaOfSerial('1000000001'), n);
    assert.notDeepEqual(naaOfSerial('1000000002'), n);
  });

  test('the SPC identity is a removable sequential-access device claiming SSC-4', () => {
    const spc = driveSpcIdentity({ vendor: 'IBM', product: 'ULT3580-TD8', revision: 'Q3F1', serial: '123' });
    assert.deepEqual([spc.peripheralDeviceType, spc.removable], [1, true]);
    assert.ok(spc.versionDescriptors.includes(0x0520));
  });
});
