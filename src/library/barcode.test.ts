import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { barcodeRange, numberedBarcode, parseBarcode } from './barcode.js';
import { LibraryStateError } from './library-state-error.js';

describe('barcodes', () => {
  test('parseBarcode() reads the generation and WORM flag from the LTO suffix', () => {
    assert.deepEqual(parseBarcode('A00001L8'), { barcode: 'A00001L8', generation: 8, worm: false, cleaning: false });
    assert.deepEqual(parseBarcode('W00001LY'), { barcode: 'W00001LY', generation: 8, worm: true, cleaning: false });
    assert.deepEqual(parseBarcode('ABC123LA'), { barcode: 'ABC123LA', generation: 10, worm: false, cleaning: false });
  });

  test('parseBarcode() knows cleaning cartridges, with the universal CU suffix or a generation suffix', () => {
    assert.deepEqual(parseBarcode('CLN001CU'), { barcode: 'CLN001CU', generation: undefined, worm: false, cleaning: true });
    assert.equal(parseBarcode('CLN002L7').cleaning, true);
    assert.throws(() => parseBarcode('CLN003LY'), /cannot be WORM/);
  });

  test('parseBarcode() refuses wrong lengths, lower case and unknown suffixes with invalid-argument', () => {
    for (const bad of ['A0001L8', 'A000001L8', 'a00001l8', 'A00001L4', 'A00001XX', 'A00001CU', '']) {
      assert.throws(() => parseBarcode(bad), (e: unknown) => e instanceof LibraryStateError && e.code === 'invalid-argument', bad);
    }
  });

  test('barcodeRange() counts up the trailing digits and keeps prefix and suffix', () => {
    assert.deepEqual(barcodeRange('A00009L8', 3), ['A00009L8', 'A00010L8', 'A00011L8']);
    assert.deepEqual(barcodeRange('XYZ098LW', 1), ['XYZ098LW']);
  });

  test('barcodeRange() refuses a range that overflows its digits or has none', () => {
    assert.throws(() => barcodeRange('ABCD99L8', 2), /overflow/);
    assert.throws(() => barcodeRange('ABCDEFL8', 2), /does not end in digits/);
    assert.throws(() => barcodeRange('A00001L8', 0), /count/);
  });

  test('numberedBarcode() pads the number to fill six serial characters', () => {
    assert.equal(numberedBarcode('A', 1, 8), 'A00001L8');
    assert.equal(numberedBarcode('VOL', 42, 6, true), 'VOL042LW');
    assert.throws(() => numberedBarcode('ABCDE', 10, 8), /too many digits/);
    assert.throws(() => numberedBarcode('A', 1, 10, true), /no WORM/);
  });
});
