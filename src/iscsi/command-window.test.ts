import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommandWindow } from './command-window.js';

describe('CommandWindow', () => {
  test('delivers in CmdSN order, waiting for a command that is not ready', () => {
    const w = new CommandWindow(10, 8);
    const order: number[] = [];
    let firstReady = false;
    w.receive(10, { ready: () => firstReady, deliver: () => order.push(10) });
    w.receive(11, { ready: () => true, deliver: () => order.push(11) });
    assert.deepEqual(order, []);
    assert.equal(w.expCmdSN, 12);
    firstReady = true;
    w.pump();
    assert.deepEqual(order, [10, 11]);
  });

  test('MaxCmdSN follows the oldest unfinished command and wraps at 2^32', () => {
    const w = new CommandWindow(0xfffffffe, 4);
    assert.equal(w.maxCmdSN, 0x00000001);
    for (const sn of [0xfffffffe, 0xffffffff, 0, 1]) {
      assert.ok(w.accepts(sn));
      w.receive(sn, { ready: () => true, deliver: () => undefined });
    }
    assert.equal(w.expCmdSN, 2);
    assert.equal(w.maxCmdSN, 1);
    assert.equal(w.accepts(2), false, 'window closed');
    w.finished(0xfffffffe);
    assert.equal(w.maxCmdSN, 2);
    assert.equal(w.accepts(0xffffffff), false, 'duplicate');
  });
});
