// VPD pages per drive personality: HPE Ultrium adds C0h (firmware revision levels, HP's layout) and reports B0h in
// HP's length; IBM ULT3580 drives keep the SSC-4 pages (IBM's vendor pages are not reported, see CONFORMANCE.md).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../log.js';
import type { LtoGeneration } from '../../library/lto.js';
import { encodeStandardInquiry } from '../spc/inquiry.js';
import { vpdPage } from '../spc/vpd-pages.js';
import { createDriveUnit } from './drive-unit.js';
import { nexus } from './testing/drive-harness.js';
import { MemoryMediaStore } from './testing/memory-media-store.js';
import type { TapeDrive } from './tape-drive.js';

function drive(identity: { vendor: string; product: string }, generation: LtoGeneration = 8): TapeDrive {
  return createDriveUnit({
    name: 'drive0', generation, compressionDefault: true, mediaStore: new MemoryMediaStore(), targetName: 'iqn.2026-11.org.vtl:test',
    lunInventory: () => [0, 1], log: silentLogger(), lun: 1, identity: { ...identity, serial: '1068000123' },
  }).drive;
}

const page = (d: TapeDrive, code: number): Buffer | undefined => vpdPage(d, code, nexus(1));
const text = (b: Buffer, from: number, length: number): string => b.subarray(from, from + length).toString('ascii');

describe('drive personality VPD pages', () => {
  test('an HPE Ultrium drive lists C0h and reports its firmware entry in HP\'s slots, each null-terminated', () => {
    const d = drive({ vendor: 'HPE', product: 'Ultrium 8-SCSI' });
    assert.deepEqual([...(page(d, 0x00) ?? Buffer.alloc(0)).subarray(4)], [0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xc0]);
    const c0 = page(d, 0xc0) ?? assert.fail('no C0h');
    assert.deepEqual([...c0.subarray(0, 4)], [0x01, 0xc0, 0x00, 0x5c]);
    assert.equal(c0.length, 96);
    assert.equal(text(c0, 4, 26), 'Firmware'.padEnd(26, '\0'));
    assert.equal(text(c0, 30, 19), '001.000'.padEnd(19, '\0'));
    assert.equal(text(c0, 49, 24), '2026/01/01 00:00'.padEnd(24, '\0'));
    assert.equal(text(c0, 73, 23), 'Ultrium 8-SCSI'.padEnd(23, '\0'));
  });

  test('an HP Ultrium drive reports B0h four bytes long with WORM set; LTO-10 (no WORM media) clears it', () => {
    assert.deepEqual([...(page(drive({ vendor: 'HP', product: 'Ultrium 7-SCSI' }, 7), 0xb0) ?? [])], [0x01, 0xb0, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00]);
    assert.deepEqual([...(page(drive({ vendor: 'HPE', product: 'Ultrium 10-SCSI' }, 10), 0xb0) ?? [])], [0x01, 0xb0, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00]);
  });

  test('an IBM ULT3580 drive reports no C0h and the SSC-4 B0h', () => {
    const d = drive({ vendor: 'IBM', product: 'ULT3580-TD8' });
    assert.deepEqual([...(page(d, 0x00) ?? Buffer.alloc(0)).subarray(4)], [0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1]);
    assert.equal(page(d, 0xc0), undefined);
    assert.deepEqual([...(page(d, 0xb0) ?? [])], [0x01, 0xb0, 0x00, 0x02, 0x01, 0x00]);
  });

  test('every drive sets PROTECT in standard INQUIRY and reports 86h with SPT 001b and SIMPSUP (logical block protection)', () => {
    for (const identity of [{ vendor: 'IBM', product: 'ULT3580-TD8' }, { vendor: 'HPE', product: 'Ultrium 8-SCSI' }]) {
      const d = drive(identity);
      assert.equal(encodeStandardInquiry(d.identity)[5] & 0x01, 0x01);
      const p86 = page(d, 0x86) ?? assert.fail('no 86h');
      assert.deepEqual([...p86.subarray(0, 6)], [0x01, 0x86, 0x00, 0x3c, 0x08, 0x01]);
      assert.equal(p86.length, 4 + 0x3c);
    }
  });
});
