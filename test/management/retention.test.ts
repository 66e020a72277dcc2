import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, type ApiHarness } from './harness.js';
import type { AuditEntry } from '../../src/library/audit-entry.js';
import type { RetentionView } from '../../src/management/service.js';

interface ErrorReply {
  error: { status: number; code: string; message: string };
}

const DAY_MS = 24 * 60 * 60 * 1000;

describe('retention locks through the API', () => {
  let h: ApiHarness;
  let operator: string;
  before(async () => {
    h = await startApi();
    operator = ((await h.call('POST', '/api/v1/tokens', { name: 'backup01', role: 'operator' })).body as { secret: string }).secret;
  });
  after(async () => {
    await h.close();
  });

  const message = (body: unknown): string => (body as ErrorReply).error.message;
  const retain = (barcode: string, body: unknown, token?: string) => h.call('POST', `/api/v1/cartridges/${barcode}/retention`, body, token);
  const later = (days: number): string => new Date(h.clock.now.getTime() + days * DAY_MS).toISOString();

  test('an admin locks a cartridge; deleting it is then 409 naming the lock and its expiry', async () => {
    const set = await retain('A00001L8', { mode: 'governance', days: 30 });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { barcode: 'A00001L8', locked: true, mode: 'governance', until: later(30), startedAt: h.clock.now.toISOString(), setBy: 'api-token' });
    const del = await h.call('DELETE', '/api/v1/cartridges/A00001L8');
    assert.equal(del.status, 409);
    assert.equal((del.body as ErrorReply).error.code, 'retention-locked');
    assert.equal(message(del.body), `Cannot delete cartridge "A00001L8": it is under a governance retention lock until ${later(30)}`);
    assert.equal(h.manager.cartridge('A00001L8').barcode, 'A00001L8');
  });

  test('an operator can neither delete nor change a lock: 403 naming the admin role', async () => {
    assert.equal((await h.call('DELETE', '/api/v1/cartridges/A00001L8', undefined, operator)).status, 403);
    const bypass = await retain('A00001L8', { mode: 'governance', days: 1, bypassGovernance: true }, operator);
    assert.equal(bypass.status, 403);
    assert.match(message(bypass.body), /needs the admin role/);
    const view = (await h.call('GET', '/api/v1/cartridges/A00001L8/retention', undefined, operator)).body as RetentionView;
    assert.equal(view.until, later(30));
  });

  test('shortening a governance lock needs the bypass flag; with it the change is done and audited', async () => {
    const refused = await retain('A00001L8', { mode: 'governance', days: 1 });
    assert.equal(refused.status, 409);
    assert.match(message(refused.body), /governance retention lock until .*; shortening it needs an admin token and bypassGovernance$/);
    const done = await retain('A00001L8', { mode: 'governance', days: 1, bypassGovernance: true });
    assert.equal(done.status, 200);
    assert.equal((done.body as RetentionView).until, later(1));
    const released = await h.call('DELETE', '/api/v1/cartridges/A00001L8/retention?bypassGovernance=true');
    assert.equal((released.body as RetentionView).locked, false);
    const audit = (await h.call('GET', '/api/v1/audit?barcode=A00001L8')).body as AuditEntry[];
    const bypasses = audit.filter((e) => e.kind.startsWith('retention.') && e.outcome === 'done');
    assert.deepEqual(bypasses.map((e) => [e.kind, e.actor]), [['retention.set', 'api-token'], ['retention.set', 'api-token'], ['retention.release', 'api-token']]);
    assert.deepEqual(bypasses[1]?.detail?.['request'], { bypassGovernance: true, days: 1, mode: 'governance' });
    assert.deepEqual(bypasses[2]?.detail?.['query'], { bypassGovernance: 'true' });
    assert.equal((await h.call('DELETE', '/api/v1/cartridges/A00001L8')).status, 204);
  });

  test('a compliance lock is extended but never shortened or released, even by an admin with the bypass', async () => {
    assert.equal((await retain('A00002L8', { mode: 'compliance', days: 10 })).status, 200);
    const shorter = await retain('A00002L8', { mode: 'compliance', days: 5, bypassGovernance: true });
    assert.equal(shorter.status, 409);
    assert.match(message(shorter.body), /compliance retention lock until .*, which can only be extended$/);
    assert.equal((await retain('A00002L8', { mode: 'governance', days: 20, bypassGovernance: true })).status, 409);
    assert.equal((await h.call('DELETE', '/api/v1/cartridges/A00002L8/retention?bypassGovernance=true')).status, 409);
    const longer = await retain('A00002L8', { mode: 'compliance', days: 20 });
    assert.equal((longer.body as RetentionView).until, later(20));
    assert.equal((await h.call('DELETE', '/api/v1/cartridges/A00002L8')).status, 409);
  });

  test('once the lock expires the cartridge is an ordinary one again', async () => {
    const start = h.clock.now;
    h.clock.now = new Date(start.getTime() + 21 * DAY_MS);
    try {
      const view = (await h.call('GET', '/api/v1/cartridges/A00002L8/retention')).body as RetentionView;
      assert.deepEqual([view.locked, view.mode], [false, 'compliance']);
      assert.equal((await h.call('DELETE', '/api/v1/cartridges/A00002L8')).status, 204);
    } finally {
      h.clock.now = start;
    }
  });

  test('a bad retention request names the field', async () => {
    const badMode = await retain('A00003L8', { mode: 'forever', days: 1 });
    assert.equal(badMode.status, 400);
    assert.match(message(badMode.body), /^body\.mode: /);
    const badDays = await retain('A00003L8', { mode: 'compliance', days: 0 });
    assert.match(message(badDays.body), /^body\.days: must be 1\.\.36500 days$/);
    assert.equal((await retain('NOPE00L8', { mode: 'compliance', days: 1 })).status, 404);
  });
});
