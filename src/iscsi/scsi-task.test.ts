import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ScsiTask, type TaskInit } from './scsi-task.js';

function task(): ScsiTask {
  const init: TaskInit = {
    itt: 1, lun: 0, lunField: Buffer.alloc(8), cdb: Buffer.alloc(16), expectedDataTransferLength: 0, read: false,
    write: false, attribute: 0, cmdSN: 1, immediate: false, bidiReadLength: undefined,
  };
  return new ScsiTask(init, undefined);
}

describe('ScsiTask abort signal', () => {
  test('cancel() fires a signal handed out before it', () => {
    const t = task();
    const signal = t.signal;
    assert.equal(signal.aborted, false);
    assert.equal(t.signal, signal, 'one signal per task');
    t.cancel();
    assert.equal(t.aborted, true);
    assert.equal(signal.aborted, true);
  });

  test('a signal first asked for after cancel() is already aborted', () => {
    const t = task();
    t.cancel();
    assert.equal(t.signal.aborted, true);
  });
});
