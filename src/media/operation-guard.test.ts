import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperationGuard } from './operation-guard.js';

test('OperationGuard refuses a second operation while one runs, naming both, and any operation after close', () => {
  const guard = new OperationGuard('G00001L8');
  guard.begin('write');
  assert.throws(() => guard.begin('read'), /Cannot read on cartridge G00001L8: write is already running/);
  guard.end();
  guard.begin('read');
  guard.end();
  guard.close();
  assert.throws(() => guard.begin('flush'), /Cannot flush on cartridge G00001L8: it is closed/);
});
