import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IscsiConnectionError } from '../initiator/initiator-errors.js';
import { SenseKey } from '../scsi/sense.js';
import { CopyCancelledError, CopyPausedError, PhysicalCartridgeTooSmallError } from './cartridge-copier.js';
import { decideAfterFailure, type FailureContext } from './failure-decision.js';
import { PhysicalDeviceError } from './physical-device-error.js';
import { NoFreeDriveError, PhysicalCartridgeMissingError } from './physical-library.js';

const context: FailureContext = { barcode: 'A00001L8', attempts: 0, maxAttempts: 3, cancelRequested: false, interrupted: false };
const mediumError = new PhysicalDeviceError('WRITE', 2, { key: SenseKey.MEDIUM_ERROR, asc: 0x0c, ascq: 0x00 } as never, false);

test('decideAfterFailure() lets an operator cancel win over a host loading the cartridge', () => {
  assert.deepEqual(decideAfterFailure(new CopyCancelledError(), { ...context, cancelRequested: true, interrupted: true }), { kind: 'cancelled' });
});

test('decideAfterFailure() starts a copy over when a host loaded its cartridge, and says so', () => {
  const d = decideAfterFailure(new CopyCancelledError(), { ...context, interrupted: true });
  assert.equal(d.kind, 'start-over');
  assert.match(d.kind === 'start-over' ? d.reason : '', /a host loaded the virtual cartridge A00001L8 during the copy/);
});

test('decideAfterFailure() queues a copy stopped by the engine stopping, without counting an attempt', () => {
  assert.deepEqual(decideAfterFailure(new CopyCancelledError(), context), { kind: 'requeue' });
});

test('decideAfterFailure() keeps a paused copy at the checkpoint it stopped at', () => {
  assert.deepEqual(decideAfterFailure(new CopyPausedError({ objects: 12, bytes: 34 }), context), { kind: 'paused', atObjects: 12 });
});

test('decideAfterFailure() waits out a missing cartridge or a busy library without counting an attempt', () => {
  assert.deepEqual(decideAfterFailure(new PhysicalCartridgeMissingError('A00001L8', 'tgt'), { ...context, attempts: 2 }), { kind: 'wait', reason: 'the physical library "tgt" holds no cartridge with barcode A00001L8' });
  assert.equal(decideAfterFailure(new NoFreeDriveError('tgt'), context).kind, 'wait');
});

test('decideAfterFailure() retries a transient error until the last attempt, then gives up saying how often it tried', () => {
  const dropped = new IscsiConnectionError('the connection was dropped');
  assert.deepEqual(decideAfterFailure(dropped, context), { kind: 'retry', attempts: 1, reason: 'attempt 1 of 3 failed: the connection was dropped' });
  assert.deepEqual(decideAfterFailure(dropped, { ...context, attempts: 1 }), { kind: 'retry', attempts: 2, reason: 'attempt 2 of 3 failed: the connection was dropped' });
  assert.deepEqual(decideAfterFailure(dropped, { ...context, attempts: 2 }), { kind: 'failed', attempts: 3, reason: 'gave up after 3 attempts: the connection was dropped' });
});

test('decideAfterFailure() fails at once on an error that does not heal by retrying, with its message as the reason', () => {
  assert.deepEqual(decideAfterFailure(mediumError, context), { kind: 'failed', attempts: 1, reason: mediumError.message });
  const tooSmall = new PhysicalCartridgeTooSmallError({ objects: 3, bytes: 300 }, 10);
  assert.deepEqual(decideAfterFailure(tooSmall, context), { kind: 'failed', attempts: 1, reason: tooSmall.message });
});
