import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IscsiSession } from '../initiator/iscsi-session.js';
import { Status, TaskAttribute, type ScsiRequest, type ScsiResult } from '../initiator/scsi-task.js';
import { PhysicalDeviceError } from './physical-device-error.js';
import { ScsiDevice } from './scsi-device.js';

/** Fixed-format sense bytes (SPC-5 4.4.3): UNIT ATTENTION, POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29/00). */
const powerOn = Buffer.from([0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0x00, 0, 0, 0, 0]);

/** A session answering each command with the next of `answers`, keeping what was sent. */
function sessionAnswering(answers: ScsiResult[]): { session: IscsiSession; sent: ScsiRequest[] } {
  const sent: ScsiRequest[] = [];
  const session = { execute: (r: ScsiRequest) => Promise.resolve(void sent.push(r)).then(() => answers.shift() ?? good) } as unknown as IscsiSession;
  return { session, sent };
}

const good: ScsiResult = { status: Status.GOOD, data: Buffer.alloc(0), residualOverflow: 0, residualUnderflow: 0 };
const attention: ScsiResult = { status: Status.CHECK_CONDITION, sense: powerOn, data: Buffer.alloc(0), residualOverflow: 0, residualUnderflow: 0 };

test('ScsiDevice.run() repeats a command that met a UNIT ATTENTION (it did not run), sent SIMPLE', async () => {
  const { session, sent } = sessionAnswering([attention]);
  await new ScsiDevice(session, 1).run('WRITE', Buffer.alloc(6), { dataOut: Buffer.from('x') });
  assert.equal(sent.length, 2);
  assert.equal(sent[0].taskAttribute, undefined);
});

test('ScsiDevice.run() sends a command in flight with others ORDERED and never repeats it: a UNIT ATTENTION is a transient error', async () => {
  const { session, sent } = sessionAnswering([attention]);
  await assert.rejects(new ScsiDevice(session, 1).run('WRITE', Buffer.alloc(6), { dataOut: Buffer.from('x'), inFlightWithOthers: true }), (err: unknown) => {
    assert.ok(err instanceof PhysicalDeviceError);
    assert.equal(err.transient, true);
    return true;
  });
  assert.equal(sent.length, 1, 'a repeat would run after the writes sent later');
  assert.equal(sent[0].taskAttribute, TaskAttribute.ORDERED);
});
