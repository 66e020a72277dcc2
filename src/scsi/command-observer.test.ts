import assert from 'node:assert/strict';
import { test } from 'node:test';
import { senseKeyNameOf } from './command-observer.js';
import { encodeSense, SenseFormat, senseOf } from './sense.js';

test('senseKeyNameOf() reads the sense key of fixed and descriptor format sense data by its SPC-4 name', () => {
  assert.equal(senseKeyNameOf(encodeSense(senseOf('MEDIUM_NOT_PRESENT'), SenseFormat.FIXED)), 'NOT_READY');
  assert.equal(senseKeyNameOf(encodeSense(senseOf('INVALID_FIELD_IN_CDB'), SenseFormat.DESCRIPTOR)), 'ILLEGAL_REQUEST');
  assert.equal(senseKeyNameOf(Buffer.from([0x72, 0x0d, 0, 0])), 'VOLUME_OVERFLOW');
  assert.equal(senseKeyNameOf(Buffer.from([0x70, 0, 0x0c, 0])), 'KEY_C');
});

test('senseKeyNameOf() answers undefined for no sense data or an unknown response code', () => {
  assert.equal(senseKeyNameOf(undefined), undefined);
  assert.equal(senseKeyNameOf(Buffer.from([0x7f, 0x05, 0x05])), undefined);
  assert.equal(senseKeyNameOf(Buffer.from([0x70])), undefined);
});
