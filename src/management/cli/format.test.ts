import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLocation, formatBytes, formatDuration, parseBarcodeRange, parseSize } from './format.js';
import { formatFields, formatTable } from './table.js';

test('parseSize() reads decimal and binary units and plain bytes', () => {
  assert.equal(parseSize('10G'), 10_000_000_000);
  assert.equal(parseSize('10GB'), 10_000_000_000);
  assert.equal(parseSize('1.5T'), 1_500_000_000_000);
  assert.equal(parseSize('512Mi'), 512 * 1048576);
  assert.equal(parseSize('2 MiB'), 2 * 1048576);
  assert.equal(parseSize('1048576'), 1048576);
  assert.equal(parseSize('lots'), undefined);
  assert.equal(parseSize('-1G'), undefined);
  assert.equal(parseSize('10X'), undefined);
  assert.equal(parseSize('99999999P'), undefined);
});

/** The message parseBarcodeRange() gives for a bad range. */
function rangeError(text: string): string {
  const result = parseBarcodeRange(text);
  assert.equal(typeof result, 'string', `${text} was accepted`);
  return result as string;
}

test('parseBarcodeRange() turns FIRST-LAST into a first barcode and a count', () => {
  assert.deepEqual(parseBarcodeRange('A00000L8-A00009L8'), { first: 'A00000L8', count: 10 });
  assert.deepEqual(parseBarcodeRange('AB0007LY-AB0007LY'), { first: 'AB0007LY', count: 1 });
  assert.match(rangeError('A00009L8-A00000L8'), /comes before the first/);
  assert.match(rangeError('A00000L8-B00009L8'), /same prefix and suffix/);
  assert.match(rangeError('A00000L8-A00009L7'), /same prefix and suffix/);
  assert.match(rangeError('A00000L8'), /not a range/);
  assert.match(rangeError('A0L8-A9L8'), /8-character barcodes/);
});

test('formatBytes() uses decimal units with three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(4096), '4.10 kB');
  assert.equal(formatBytes(12_000_000_000_000), '12 TB');
  assert.equal(formatBytes(1_500_000_000_000), '1.50 TB');
  assert.equal(formatBytes(250_000_000), '250 MB');
});

test('formatDuration() shows the two largest units', () => {
  assert.equal(formatDuration(7), '0m 07s');
  assert.equal(formatDuration(3725), '1h 02m');
  assert.equal(formatDuration(90061), '1d 1h 01m');
});

test('describeLocation() counts slots from 1 and drives from 0, with the element address', () => {
  assert.equal(describeLocation({ kind: 'slot', library: 'lib0', address: 0x100b, index: 11 }), 'lib0 slot 12 (100Bh)');
  assert.equal(describeLocation({ kind: 'mailslot', library: 'lib0', address: 0x10, index: 0 }), 'lib0 mail slot 1 (0010h)');
  assert.equal(describeLocation({ kind: 'drive', library: 'lib0', address: 0x101, index: 1 }), 'lib0 drive 1 (0101h)');
  assert.equal(describeLocation({ kind: 'robot', library: 'lib0', address: 0, index: 0 }), 'lib0 robot (0000h)');
  assert.equal(describeLocation({ kind: 'shelf', library: 'lib1', address: null, index: null }), 'shelf (lib1)');
});

test('formatTable() pads columns to the widest cell and right-aligns numbers', () => {
  const text = formatTable(
    [
      { header: 'NAME', value: (r: { name: string; n: number }) => r.name },
      { header: 'N', value: (r) => r.n, align: 'right' },
    ],
    [
      { name: 'a', n: 1 },
      { name: 'longer', n: 100 },
    ],
  );
  assert.equal(text, 'NAME      N\na         1\nlonger  100\n');
});

test('formatFields() aligns values after the keys', () => {
  assert.equal(formatFields([['A', 1], ['Long key', 'x']]), 'A:        1\nLong key: x\n');
});
