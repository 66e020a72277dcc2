import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeDrive } from '../library/fakes.js';
import { changerHarness, volumeTag } from './changer-harness.js';
import type { ChangerHarness } from './changer-harness.js';

// Default layout of the small test library: robot 0000h, mail slots 0010h-0011h, drives 0100h-0101h,
// slots 1000h-1005h; cartridges A00001L8..A00003L8 in the first three slots.
const RES = 0xb8;

describe('READ ELEMENT STATUS', () => {
  let h: ChangerHarness;
  afterEach(() => h.close());

  test("the ch driver's single-element request with VolTag returns exactly that element with its barcode", async () => {
    h = await changerHarness();
    // ch.c: type code in byte 1 with VOLTAG, element address, one element, allocation length 255.
    const data = await h.good([RES, 0x12, 0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]);
    assert.deepEqual([...data], [
      0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x38, // first address 1001h, 1 element, 56 bytes of pages
      0x02, 0x80, 0x00, 0x30, 0x00, 0x00, 0x00, 0x30, // storage, PVOLTAG, 48-byte descriptors, 48 bytes
      0x10, 0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // ACCESS|FULL, data medium, no source
      ...volumeTag('A00002L8'),
    ]);
  });

  test('an empty slot without VolTag is a 12-byte descriptor with only ACCESS set', async () => {
    h = await changerHarness();
    const data = await h.good([RES, 0x02, 0x10, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]);
    assert.deepEqual([...data], [
      0x10, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14,
      0x02, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x0c,
      0x10, 0x05, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]);
  });

  test("mtx's all-elements request reports one page per type in address order with full descriptors", async () => {
    h = await changerHarness();
    await h.manager.move('lib0', 0x1002, 0x0101, { actor: 'host' });
    const data = await h.good([RES, 0x10, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]);
    // 11 elements, 4 pages of 8 bytes, 11 descriptors of 48 bytes.
    assert.deepEqual([...data.subarray(0, 8)], [0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x02, 0x30]);
    assert.equal(data.length, 8 + 4 * 8 + 11 * 48);
    const pages: [number, number][] = [];
    for (let p = 8; p < data.length;) {
      const count = data.readUIntBE(p + 5, 3) / data.readUInt16BE(p + 2);
      pages.push([data[p], count]);
      p += 8 + data.readUIntBE(p + 5, 3);
    }
    assert.deepEqual(pages, [[1, 1], [3, 2], [4, 2], [2, 6]]);
    // Drive 2 (0101h): FULL, ACCESS, LU VALID with LUN 2, SVALID with source 1002h, barcode A00003L8.
    const drive2 = 8 + 8 + 48 + 8 + 2 * 48 + 8 + 48;
    assert.deepEqual([...data.subarray(drive2, drive2 + 12)], [0x01, 0x01, 0x09, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x81, 0x10, 0x02]);
    assert.deepEqual([...data.subarray(drive2 + 12, drive2 + 48)], volumeTag('A00003L8'));
    // Mail slot 1 (0010h): INENAB, EXENAB, ACCESS, empty.
    assert.equal(data[8 + 8 + 48 + 8 + 2], 0x38);
  });

  test('a short allocation length truncates the data but the header still counts the whole report', async () => {
    h = await changerHarness();
    const full = await h.good([RES, 0x10, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]);
    const head = await h.good([RES, 0x10, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00]);
    assert.deepEqual(head, full.subarray(0, 8));
    const part = await h.good([RES, 0x10, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 100, 0x00, 0x00]);
    assert.deepEqual(part, full.subarray(0, 100));
  });

  test('the starting address selects the first element at or above it, for at most the number asked', async () => {
    h = await changerHarness();
    const data = await h.good([RES, 0x02, 0x00, 0x20, 0x00, 0x02, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]);
    assert.deepEqual([...data.subarray(0, 4)], [0x10, 0x00, 0x00, 0x02]);
    assert.deepEqual([data.readUInt16BE(16), data.readUInt16BE(28)], [0x1000, 0x1001]);
  });

  test('a starting address above every element of the type is INVALID ELEMENT ADDRESS', async () => {
    h = await changerHarness();
    await h.check([RES, 0x04, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00], 0x5, 0x21, 0x01);
  });

  test('a reserved element type code is INVALID FIELD IN CDB', async () => {
    h = await changerHarness();
    await h.check([RES, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00], 0x5, 0x24, 0x00);
  });

  test("DVCID adds the drive's T10 vendor ID designator, the one its VPD 83h reports", async () => {
    h = await changerHarness();
    await h.manager.attachDrive('lib0', 0, new FakeDrive('d0', { vendor: 'IBM', product: 'ULT3580-TD8', revision: 'Q3F1', serial: '1234567890' }));
    const data = await h.good([RES, 0x04, 0x01, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0xff, 0x00, 0x00]);
    // 12 + identification header 4 + 34 identifier bytes, padded to 52.
    assert.equal(data.readUInt16BE(10), 52);
    const id = data.subarray(16 + 12, 16 + 52);
    assert.deepEqual([...id.subarray(0, 4)], [0x02, 0x01, 0x00, 34]);
    assert.equal(id.subarray(4, 38).toString('ascii'), 'IBM     ULT3580-TD8     1234567890');
  });

  test('a cartridge whose media file is missing is reported with EXCEPT and 30/00', async () => {
    h = await changerHarness();
    h.store.files.delete('A00001L8');
    await h.restartChanger();
    const device = h.unit.device;
    const data = device.reportElements().find((e) => e.status.address === 0x1000);
    assert.equal(data?.status.exception, 'media-missing');
    const bytes = await h.good([RES, 0x02, 0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]);
    assert.deepEqual([bytes[18], bytes[20], bytes[21]], [0x0d, 0x30, 0x00]);
  });
});
