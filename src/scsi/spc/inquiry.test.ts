import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeSpcDevice, nexus } from './fake-spc-device.js';
import { ascii, assertCheck, assertGood, assertInvalidFieldInCdb } from './sense-assert.js';

const INQUIRY = 0x12;

function standardInquiryFixture(): number[] {
  const b = new Array<number>(96).fill(0);
  b.splice(0, 8, 0x01, 0x80, 0x06, 0x12, 91, 0x00, 0x00, 0x02);
  b.splice(8, 8, ...ascii('VTL     '));
  b.splice(16, 16, ...ascii('ULT3580-TD8     '));
  b.splice(32, 4, ...ascii('0100'));
  b.splice(58, 8, 0x00, 0xa0, 0x04, 0x60, 0x09, 0x60, 0x05, 0x20);
  return b;
}

describe('INQUIRY', () => {
  test('standard data reports SPC-4, RMB, response format 2, identity and version descriptors', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run([INQUIRY, 0, 0, 0, 255, 0]);
    assertGood(res);
    assert.deepEqual([...(res.dataIn ?? [])], standardInquiryFixture());
  });

  test('standard data is truncated to the allocation length', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run([INQUIRY, 0, 0, 0, 36, 0]);
    assert.deepEqual([...(res.dataIn ?? [])], standardInquiryFixture().slice(0, 36));
  });

  test('runs with a unit attention pending and leaves it pending', async () => {
    const d = new FakeSpcDevice();
    assertGood(await d.run([INQUIRY, 0, 0, 0, 36, 0]));
    assertCheck(await d.run([0x00, 0, 0, 0, 0, 0]), 0x06, 0x29, 0x00);
  });

  test('CMDDT=1 is refused with INVALID FIELD IN CDB pointing at byte 1 bit 1', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run([INQUIRY, 0x02, 0, 0, 36, 0]), 1, 1);
  });

  test('a page code with EVPD=0 is refused pointing at byte 2', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run([INQUIRY, 0x00, 0x80, 0, 36, 0]), 2);
  });

  test('an unsupported VPD page is refused pointing at byte 2', async () => {
    const d = await FakeSpcDevice.ready();
    assertInvalidFieldInCdb(await d.run([INQUIRY, 0x01, 0x81, 0, 255, 0]), 2);
  });

  test('VPD 00h lists 00h, 80h, 83h and the device extras in ascending order', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run([INQUIRY, 0x01, 0x00, 0, 255, 0]);
    assert.deepEqual([...(res.dataIn ?? [])], [0x01, 0x00, 0x00, 0x04, 0x00, 0x80, 0x83, 0xb0]);
  });

  test('VPD 80h carries the unit serial number', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run([INQUIRY, 0x01, 0x80, 0, 255, 0]);
    assert.deepEqual([...(res.dataIn ?? [])], [0x01, 0x80, 0x00, 10, ...ascii('SN00000001')]);
  });

  test('a device VPD page gets the standard header', async () => {
    const d = await FakeSpcDevice.ready();
    const res = await d.run([INQUIRY, 0x01, 0xb0, 0, 255, 0]);
    assert.deepEqual([...(res.dataIn ?? [])], [0x01, 0xb0, 0x00, 0x02, 0x00, 0x01]);
  });

  test('VPD 83h has T10 vendor ID, NAA, relative target port, target port name and target device name', async () => {
    const d = await FakeSpcDevice.ready({}, [2]);
    const res = await d.run([INQUIRY, 0x01, 0x83, 0, 255, 0], { nexus: { ...nexus(2), relativeTargetPort: 2 } });
    const portName = 'iqn.2026-01.io.vtl:lib1,t,0x0001'; // 32 bytes + NUL, padded to 36
    const deviceName = 'iqn.2026-01.io.vtl:lib1'; // 23 bytes + NUL = 24
    const expected = [
      0x01, 0x83, 0x00, 126,
      0x02, 0x01, 0x00, 34, ...ascii('VTL     ULT3580-TD8     SN00000001'),
      0x01, 0x03, 0x00, 8, 0x50, 0x00, 0xc5, 0x00, 0x00, 0x00, 0x00, 0x01,
      0x51, 0x94, 0x00, 4, 0x00, 0x00, 0x00, 0x02,
      0x53, 0x98, 0x00, 36, ...ascii(portName), 0, 0, 0, 0,
      0x53, 0xa8, 0x00, 24, ...ascii(deviceName), 0,
    ];
    assert.deepEqual([...(res.dataIn ?? [])], expected);
  });
});
