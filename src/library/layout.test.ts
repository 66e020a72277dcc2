import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../config/schema.js';
import { describeElement, elementAt, elementsOf, layoutOf } from './layout.js';

const library = (extra: Record<string, unknown> = {}) => configSchema.parse({ libraries: [{ name: 'lib0', ...extra }] }).libraries[0];

describe('library layout', () => {
  test('layoutOf() takes first addresses from the config and counts from slots, mail slots and drives', () => {
    const l = layoutOf(library({ slots: 30, mailSlots: 3, driveCount: 2 }));
    assert.deepEqual(l, {
      transport: { firstAddress: 0x0000, count: 1 },
      storage: { firstAddress: 0x1000, count: 30 },
      importExport: { firstAddress: 0x0010, count: 3 },
      dataTransfer: { firstAddress: 0x0100, count: 2 },
    });
  });

  test('layoutOf() refuses overlapping ranges and ranges past FFFFh', () => {
    assert.throws(() => layoutOf(library({ slots: 300, elementAddresses: { storage: 0x0000, transport: 0x0200 } })), /overlap/);
    assert.throws(() => layoutOf(library({ slots: 20, elementAddresses: { storage: 0xfff0 } })), /FFFFh/);
  });

  test('elementAt() maps addresses to type and 0-based index; gaps are undefined', () => {
    const l = layoutOf(library());
    assert.deepEqual(elementAt(l, 0x1003), { type: 'storage', index: 3, address: 0x1003 });
    assert.deepEqual(elementAt(l, 0x0101), { type: 'dataTransfer', index: 1, address: 0x0101 });
    assert.equal(elementAt(l, 0x0001), undefined);
    assert.equal(elementAt(l, 0x1018), undefined);
  });

  test('elementsOf() lists elements in ascending address order', () => {
    const l = layoutOf(library({ slots: 2, mailSlots: 1, driveCount: 1 }));
    assert.deepEqual(elementsOf(l).map((e) => e.address), [0x0000, 0x0010, 0x0100, 0x1000, 0x1001]);
  });

  test('describeElement() counts from 1 and shows the hex address', () => {
    assert.equal(describeElement({ type: 'storage', index: 11, address: 0x100b }), 'slot 12 (100Bh)');
    assert.equal(describeElement({ type: 'transport', index: 0, address: 0 }), 'robot (0000h)');
  });
});
