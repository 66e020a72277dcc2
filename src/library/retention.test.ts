import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isActive, policyLock, stricter, type RetentionLock } from './retention.js';

const now = new Date('2026-12-01T00:00:00.000Z');
const lock = (mode: RetentionLock['mode'], until: string): RetentionLock => ({ mode, startedAt: '2026-11-01T00:00:00.000Z', until, setBy: 'x' });

test('stricter() keeps the later expiry and compliance when either lock is compliance', () => {
  const governanceLong = lock('governance', '2027-06-01T00:00:00.000Z');
  const complianceShort = lock('compliance', '2027-01-01T00:00:00.000Z');
  assert.deepEqual(stricter(governanceLong, complianceShort, now), { ...governanceLong, mode: 'compliance' });
  assert.deepEqual(stricter(complianceShort, governanceLong, now), { ...governanceLong, mode: 'compliance' });
});

test('stricter() ignores an expired lock in favour of an active one', () => {
  const expired = lock('compliance', '2026-11-15T00:00:00.000Z');
  const active = lock('governance', '2026-12-15T00:00:00.000Z');
  assert.deepEqual(stricter(expired, active, now), active);
  assert.deepEqual(stricter(active, expired, now), active);
});

test('policyLock() counts days from the event its policy names and skips policies whose event has not happened', () => {
  const policies = [
    { mode: 'governance', days: 10, from: 'first-write' },
    { mode: 'compliance', days: 3, from: 'unload' },
  ] as const;
  const times = { firstWriteAt: '2026-11-25T00:00:00.000Z', lastWriteAt: '2026-11-26T00:00:00.000Z', lastUnloadAt: null };
  assert.deepEqual(policyLock(policies, 'A00001L8', times, now), { mode: 'governance', startedAt: times.firstWriteAt, until: '2026-12-05T00:00:00.000Z', setBy: 'policy' });
  const unloaded = { ...times, lastUnloadAt: '2026-11-30T00:00:00.000Z' };
  assert.deepEqual(policyLock(policies, 'A00001L8', unloaded, now)?.mode, 'compliance');
  assert.equal(policyLock(policies, 'A00001L8', { firstWriteAt: null, lastWriteAt: null, lastUnloadAt: null }, now), undefined);
});

test('policyLock() counts a policy given in seconds from its event, and the lock is gone once they have passed', () => {
  const policies = [{ mode: 'governance', seconds: 60, from: 'unload' }] as const;
  const times = { firstWriteAt: null, lastWriteAt: null, lastUnloadAt: '2026-11-30T23:59:30.000Z' };
  const lock = policyLock(policies, 'A00001L8', times, now);
  assert.equal(lock?.until, '2026-12-01T00:00:30.000Z');
  assert.equal(isActive(lock, now), true);
  assert.equal(isActive(lock, new Date('2026-12-01T00:00:30.001Z')), false);
});
