import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { startApi, type ApiHarness } from './harness.js';
import type { AuditEntry } from '../../src/library/audit-entry.js';

interface NewToken {
  name: string;
  role: string;
  secret: string;
}
interface ErrorReply {
  error: { status: number; code: string; message: string };
}

describe('API roles and tokens', () => {
  let h: ApiHarness;
  let viewer: NewToken;
  let operator: NewToken;
  before(async () => {
    h = await startApi();
    viewer = (await h.call('POST', '/api/v1/tokens', { name: 'monitor', role: 'viewer' })).body as NewToken;
    operator = (await h.call('POST', '/api/v1/tokens', { name: 'backup01', role: 'operator' })).body as NewToken;
  });
  after(async () => {
    await h.close();
  });

  const message = (body: unknown): string => (body as ErrorReply).error.message;

  test('a new token is answered once with a 64-hex-digit secret, and the catalog keeps only its SHA-256', () => {
    assert.match(operator.secret, /^[0-9a-f]{64}$/);
    const rows = h.db.prepare<[], { name: string; secret_sha256: string }>('SELECT name, secret_sha256 FROM api_tokens ORDER BY name').all();
    assert.deepEqual(rows.map((r) => r.name), ['backup01', 'monitor']);
    assert.equal(rows[0]?.secret_sha256, createHash('sha256').update(operator.secret).digest('hex'));
    assert.ok(!JSON.stringify(rows).includes(operator.secret));
  });

  test('GET /tokens lists names and roles, never a secret', async () => {
    const reply = await h.call('GET', '/api/v1/tokens');
    assert.equal(reply.status, 200);
    assert.deepEqual((reply.body as { name: string; role: string; createdBy: string }[]).map((t) => [t.name, t.role, t.createdBy]), [
      ['backup01', 'operator', 'api-token'],
      ['monitor', 'viewer', 'api-token'],
    ]);
    assert.ok(!JSON.stringify(reply.body).includes(viewer.secret));
  });

  test('a viewer reads but gets 403 naming the operator role when it tries to export', async () => {
    assert.equal((await h.call('GET', '/api/v1/cartridges', undefined, viewer.secret)).status, 200);
    const reply = await h.call('POST', '/api/v1/cartridges/A00001L8/export', {}, viewer.secret);
    assert.equal(reply.status, 403);
    assert.equal((reply.body as ErrorReply).error.code, 'forbidden');
    assert.equal(message(reply.body), 'POST /api/v1/cartridges/{barcode}/export needs the operator role; token "monitor" has the viewer role');
    assert.equal(h.manager.cartridge('A00001L8').location.kind, 'element');
  });

  test('bringing a cartridge back from the vault (the shelf) needs an operator token', async () => {
    assert.equal((await h.call('POST', '/api/v1/cartridges/A00003L8/shelve', { direct: true }, operator.secret)).status, 200);
    const refused = await h.call('POST', '/api/v1/cartridges/A00003L8/unshelve', {}, viewer.secret);
    assert.equal(refused.status, 403);
    assert.match(message(refused.body), /needs the operator role; token "monitor" has the viewer role$/);
    assert.equal((await h.call('POST', '/api/v1/cartridges/A00003L8/unshelve', {}, operator.secret)).status, 200);
  });

  test('an operator exports and imports, but deleting, protecting and making tokens need admin', async () => {
    assert.equal((await h.call('POST', '/api/v1/cartridges/A00002L8/export', {}, operator.secret)).status, 200);
    assert.equal((await h.call('POST', '/api/v1/cartridges/A00002L8/import', {}, operator.secret)).status, 200);
    for (const [method, path, body] of [
      ['DELETE', '/api/v1/cartridges/A00002L8', undefined],
      ['POST', '/api/v1/cartridges/A00002L8/protect', { on: true }],
      ['POST', '/api/v1/tokens', { name: 'mine', role: 'admin' }],
      ['GET', '/api/v1/tokens', undefined],
    ] as const) {
      const reply = await h.call(method, path, body, operator.secret);
      assert.equal(reply.status, 403, `${method} ${path}`);
      assert.match(message(reply.body), /needs the admin role; token "backup01" has the operator role$/);
    }
    assert.equal(h.manager.cartridge('A00002L8').writeProtected, false);
  });

  test('changes and refusals go to the audit log with the token name', async () => {
    const entries = (await h.call('GET', '/api/v1/audit?barcode=A00002L8', undefined, viewer.secret)).body as AuditEntry[];
    assert.deepEqual(entries.map((e) => [e.kind, e.outcome, e.actor]), [
      ['cartridge.export', 'done', 'backup01'],
      ['cartridge.import', 'done', 'backup01'],
      ['cartridge.delete', 'refused', 'backup01'],
      ['cartridge.protect', 'refused', 'backup01'],
    ]);
    assert.equal(entries[2]?.detail?.['status'], 403);
  });

  test('a large refused body is recorded by its size only (a body refused for the role is not even read)', async () => {
    const reply = await h.call('POST', '/api/v1/cartridges/A00003L8/protect', { on: true, padding: 'x'.repeat(10_000) });
    assert.equal(reply.status, 400);
    const [entry] = ((await h.call('GET', '/api/v1/audit?limit=1')).body as AuditEntry[]);
    assert.deepEqual([entry?.kind, entry?.detail?.['request']], ['cartridge.protect', { truncated: true, bytes: 10_024 }]);
  });

  test('a revoked token is refused with 401 at once', async () => {
    const temporary = (await h.call('POST', '/api/v1/tokens', { name: 'temp', role: 'viewer' })).body as NewToken;
    assert.equal((await h.call('GET', '/api/v1/status', undefined, temporary.secret)).status, 200);
    assert.equal((await h.call('DELETE', '/api/v1/tokens/temp')).status, 204);
    assert.equal((await h.call('GET', '/api/v1/status', undefined, temporary.secret)).status, 401);
    assert.equal((await h.call('DELETE', '/api/v1/tokens/temp')).status, 404);
  });

  test('a bad token request names the field; a duplicate name is 409', async () => {
    const badRole = await h.call('POST', '/api/v1/tokens', { name: 'x', role: 'root' });
    assert.equal(badRole.status, 400);
    assert.match(message(badRole.body), /^body\.role: /);
    const badName = await h.call('POST', '/api/v1/tokens', { name: 'has space', role: 'viewer' });
    assert.equal(badName.status, 400);
    assert.match(message(badName.body), /token "has space"/);
    assert.equal((await h.call('POST', '/api/v1/tokens', { name: 'monitor', role: 'viewer' })).status, 409);
  });

  test('the OpenAPI document shows each route\'s role, taken from the route table', async () => {
    const doc = (await h.call('GET', '/api/v1/openapi.json', undefined, viewer.secret)).body as { paths: Record<string, Record<string, { 'x-vtl-role'?: string; responses: Record<string, unknown> }>> };
    for (const route of h.server.routes) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      assert.equal(operation?.['x-vtl-role'], route.role, `${route.method} ${route.path}`);
      assert.equal('403' in (operation?.responses ?? {}), route.role !== 'viewer', `${route.method} ${route.path} 403`);
    }
  });

  test('every route that is not a GET declares its audit kind', () => {
    for (const route of h.server.routes) assert.equal(route.audit !== undefined, route.method !== 'GET', `${route.method} ${route.path}`);
  });
});

describe('the API while its audit log does not verify', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApi();
  });
  after(async () => {
    await h.close();
  });

  test('changes are refused with 503 audit-unavailable and nothing moves; reads and verify still answer', async () => {
    const first = await h.call('POST', '/api/v1/tokens', { name: 'monitor', role: 'viewer' });
    assert.equal(first.status, 201);
    assert.equal((await h.call('POST', '/api/v1/tokens', { name: 'other', role: 'viewer' })).status, 201);
    assert.equal((await h.call('POST', '/api/v1/tokens', { name: 'api-token', role: 'admin' })).status, 400);
    const restarted = await startApiOverAuditFile(h, (lines) => [lines[1] ?? '', lines[0] ?? '', ...lines.slice(2)]);
    try {
      const refused = await restarted.call('POST', '/api/v1/cartridges/A00001L8/export', {});
      assert.equal(refused.status, 503);
      assert.equal((refused.body as ErrorReply).error.code, 'audit-unavailable');
      assert.match((refused.body as ErrorReply).error.message, /does not verify at line 1/);
      assert.equal(restarted.manager.cartridge('A00001L8').location.kind, 'element');
      assert.equal((restarted.manager.cartridge('A00001L8').location as { type: string }).type, 'storage');
      assert.equal((await restarted.call('GET', '/api/v1/cartridges')).status, 200);
      assert.equal(((await restarted.call('GET', '/api/v1/audit/verify')).body as { status: string }).status, 'tampered');
    } finally {
      await restarted.close();
    }
  });
});

/** A second API whose audit log is `h`'s, edited by `edit` (line by line) before it starts. */
async function startApiOverAuditFile(h: ApiHarness, edit: (lines: string[]) => string[]): Promise<ApiHarness> {
  const text = await readFile(h.audit.file, 'utf8');
  const fresh = await startApi();
  await writeFile(fresh.audit.file, `${edit(text.split('\n').slice(0, -1)).join('\n')}\n`);
  return fresh;
}
