import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BufferedMode, MAX_BLOCK_LENGTH, SscModeState } from './ssc-mode-state.js';

const values = (m: SscModeState): unknown[] => [m.blockLength, m.bufferedMode, m.compression, m.appendOnly];

describe('SscModeState', () => {
  test('power-on values are variable blocks, buffered mode 1, the configured compression and overwrite allowed', () => {
    assert.deepEqual(values(new SscModeState(true)), [0, 1, true, false]);
    assert.deepEqual(values(new SscModeState(false)), [0, 1, false, false]);
  });

  test('reset returns every value to its power-on value', () => {
    const m = new SscModeState(false);
    m.selectBlockDescriptor(BufferedMode.UNBUFFERED, 512);
    m.setCompression(true);
    m.setAppendOnly(true);
    assert.deepEqual(values(m), [512, 0, true, true]);
    m.reset();
    assert.deepEqual(values(m), [0, 1, false, false]);
  });

  test('selectBlockDescriptor() reports whether anything changed and keeps the block length without a descriptor', () => {
    const m = new SscModeState(true);
    assert.equal(m.selectBlockDescriptor(BufferedMode.BUFFERED, 0), false);
    assert.equal(m.selectBlockDescriptor(BufferedMode.BUFFERED, 0x10000), true);
    assert.equal(m.selectBlockDescriptor(BufferedMode.UNBUFFERED, undefined), true);
    assert.deepEqual([m.blockLength, m.bufferedMode], [0x10000, 0]);
    assert.equal(m.selectBlockDescriptor(BufferedMode.UNBUFFERED, 0x10000), false);
  });

  test('selectBlockDescriptor() refuses a block length READ BLOCK LIMITS does not allow, changing nothing', () => {
    const m = new SscModeState(true);
    assert.throws(() => m.selectBlockDescriptor(BufferedMode.UNBUFFERED, MAX_BLOCK_LENGTH + 1), RangeError);
    assert.deepEqual(values(m), [0, 1, true, false]);
  });
});
