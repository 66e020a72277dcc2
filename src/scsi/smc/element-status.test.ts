import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ElementStatus } from '../../library/library-manager.js';
import type { Cartridge } from '../../library/cartridge.js';
import { SenseError } from '../sense.js';
import { decodeReadElementStatus, encodeElementStatus, selectElements } from './element-status.js';
import type { ReportElement } from './element-status.js';

function cartridge(barcode: string, extra: Partial<Cartridge> = {}): Cartridge {
  return {
    barcode, generation: 8, worm: false, cleaning: false, capacityBytes: 1, writeProtected: false,
    location: { kind: 'shelf', library: 'lib0' }, source: undefined, placedByOperator: false, mediaMissing: false,
    createdAt: '', updatedAt: '', ...extra,
  };
}

function element(type: ElementStatus['type'], address: number, c?: Cartridge, extra: Partial<ElementStatus> = {}): ReportElement {
  return { status: { library: 'lib0', type, index: 0, address, cartridge: c, accessible: true, open: false, exception: undefined, ...extra }, extras: {} };
}

describe('element status encoding', () => {
  test('decodeReadElementStatus() reads every CDB field', () => {
    const r = decodeReadElementStatus(Buffer.from([0xb8, 0x14, 0x01, 0x00, 0x00, 0x02, 0x03, 0x01, 0x02, 0x03, 0x00, 0x00]));
    assert.deepEqual({ ...r }, { direction: 'in', lengthBytes: 0x010203, voltag: true, elementTypeCode: 4, startingAddress: 0x100, numberOfElements: 2, curdata: true, dvcid: true, allocationLength: 0x010203 });
  });

  test('a mail slot the operator filled reports IMPEXP and no source; a WORM cartridge medium type 4', () => {
    const data = encodeElementStatus([element('importExport', 0x10, cartridge('W00001LY', { worm: true, placedByOperator: true }))], { voltag: false, dvcid: false });
    assert.deepEqual([...data], [
      0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14,
      0x03, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x0c,
      0x00, 0x10, 0x3b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00,
    ]);
  });

  test('a cleaning cartridge moved from slot 1000h reports SVALID, the source and medium type 2', () => {
    const c = cartridge('CLN001CU', { cleaning: true, generation: undefined, source: { type: 'storage', index: 0, address: 0x1000 } });
    const data = encodeElementStatus([element('storage', 0x1001, c)], { voltag: false, dvcid: false });
    assert.deepEqual([...data.subarray(16)], [0x10, 0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x82, 0x10, 0x00]);
  });

  test('a slot whose cartridge was refused for its encryption key reports EXCEPT with 74/03 INCORRECT DATA ENCRYPTION KEY', () => {
    const c = cartridge('A00001L8', { loadError: 'Cannot open cartridge "A00001L8": its data key is wrapped by master key 00', loadErrorCause: 'encryption-key' });
    const data = encodeElementStatus([element('storage', 0x1000, c)], { voltag: false, dvcid: false });
    // FULL, ACCESS and EXCEPT (0Dh); ASC 74h, ASCQ 03h at bytes 4-5 of the descriptor; medium type 1 (data).
    assert.deepEqual([...data.subarray(16)], [0x10, 0x00, 0x0d, 0x00, 0x74, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]);
  });

  test('a cartridge refused for a damaged file reports 31/00 MEDIUM FORMAT CORRUPTED; a missing file 30/00; none clears EXCEPT', () => {
    const damaged = encodeElementStatus([element('dataTransfer', 0x100, cartridge('A00002L8', { loadError: 'bad header', loadErrorCause: 'medium' }))], { voltag: false, dvcid: false });
    assert.deepEqual([damaged[18] & 0x04, damaged[20], damaged[21]], [0x04, 0x31, 0x00]);
    const missing = encodeElementStatus([element('storage', 0x1000, cartridge('A00003L8', { mediaMissing: true }), { exception: 'media-missing' })], { voltag: false, dvcid: false });
    assert.deepEqual([missing[18] & 0x04, missing[20], missing[21]], [0x04, 0x30, 0x00]);
    const fine = encodeElementStatus([element('storage', 0x1000, cartridge('A00004L8'))], { voltag: false, dvcid: false });
    assert.deepEqual([fine[18] & 0x04, fine[20], fine[21]], [0x00, 0x00, 0x00]);
  });

  test('selectElements() with NUMBER OF ELEMENTS 0 reports no descriptors and an empty header', () => {
    const all = [element('storage', 0x1000), element('storage', 0x1001)];
    const request = decodeReadElementStatus(Buffer.from([0xb8, 0x02, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]));
    const data = encodeElementStatus(selectElements(all, request), request);
    assert.deepEqual([...data], [0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('random CDBs either decode and encode consistently or raise a SenseError', () => {
    const all = [element('transport', 0), element('importExport', 0x10), element('dataTransfer', 0x100), element('storage', 0x1000, cartridge('A00001L8'))];
    fc.assert(fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), (bytes) => {
      const cdb = Buffer.from(bytes);
      cdb[0] = 0xb8;
      try {
        const request = decodeReadElementStatus(cdb);
        const data = encodeElementStatus(selectElements(all, request), request);
        assert.equal(data.readUIntBE(5, 3), data.length - 8);
      } catch (err) {
        if (!(err instanceof SenseError)) throw err;
      }
    }));
  });
});
