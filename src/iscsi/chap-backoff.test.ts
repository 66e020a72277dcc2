import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../log.js';
import { ChapBackoff, CHAP_BACKOFF_POLICY } from './chap-backoff.js';

const policy = { ...CHAP_BACKOFF_POLICY, maxFailures: 2, windowMs: 100, firstLockoutMs: 1000, maxLockoutMs: 3000, forgetAfterMs: 10_000, maxTracked: 6 };

describe('ChapBackoff', () => {
  test('failures spread wider than the window never lock out', () => {
    let t = 0;
    const b = new ChapBackoff(silentLogger(), policy, () => t);
    const who = { initiatorName: 'iqn.a', address: '10.0.0.1' };
    for (let i = 0; i < 10; i++) {
      b.failed(who);
      t += 100;
      assert.equal(b.lockedFor(who), 0);
    }
  });

  test('lockouts double up to the maximum, for the name and for the address separately', () => {
    let t = 0;
    const b = new ChapBackoff(silentLogger(), policy, () => t);
    const who = { initiatorName: 'iqn.a', address: '10.0.0.1' };
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      b.failed(who);
      b.failed(who);
      lengths.push(b.lockedFor(who));
      t += lengths[i];
    }
    assert.deepEqual(lengths, [1000, 2000, 3000, 3000]);
    b.failed(who);
    b.failed(who);
    assert.equal(b.lockedFor({ initiatorName: 'iqn.other', address: '10.0.0.1' }), 3000, 'same address');
    assert.equal(b.lockedFor({ initiatorName: 'iqn.a', address: '10.0.0.2' }), 3000, 'same name');
    assert.equal(b.lockedFor({ initiatorName: 'iqn.other', address: '10.0.0.2' }), 0);
  });

  test('invented names cannot grow the table beyond its bound, and a locked entry is kept over others', () => {
    const t = 0;
    const b = new ChapBackoff(silentLogger(), policy, () => t);
    const locked = { initiatorName: 'iqn.locked', address: '10.0.0.9' };
    b.failed(locked);
    b.failed(locked);
    for (let i = 0; i < 100; i++) b.failed({ initiatorName: `iqn.x${i}`, address: `10.1.0.${i}` });
    assert.ok(b.size <= policy.maxTracked);
    assert.equal(b.lockedFor(locked), 1000);
  });
});
