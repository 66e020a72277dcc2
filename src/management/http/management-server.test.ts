import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../log.js';
import { ManagementService, type LibraryOperations } from '../service.js';
import { ensureApiToken, tokensMatch } from './api-token.js';
import { ManagementServer } from './management-server.js';
import { AuditTrail } from '../../library/audit-trail.js';

/** A library whose every query fails with a plain Error: a bug, as far as the API can tell. */
function brokenLibrary(): LibraryOperations {
  return {
    on: () => () => undefined,
    libraries: () => {
      throw new Error('catalog is on fire');
    },
  } as unknown as LibraryOperations;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-api-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('ensureApiToken() keeps the token across restarts and tightens a too-open file to 0600', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'sub', 'api-token');
    const first = await ensureApiToken(file);
    assert.equal(await ensureApiToken(file), first);
    await chmod(file, 0o644);
    assert.equal(await ensureApiToken(file), first);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await readFile(file, 'utf8')).trim(), first);
  });
});

test('ensureApiToken() uses a token an administrator wrote into the file', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'api-token');
    await writeFile(file, '  my-own-token\n', { mode: 0o600 });
    assert.equal(await ensureApiToken(file), 'my-own-token');
  });
});

test('tokensMatch() compares whole tokens', () => {
  assert.equal(tokensMatch('abc', 'abc'), true);
  assert.equal(tokensMatch('abc', 'abcd'), false);
  assert.equal(tokensMatch('abc', ''), false);
});

test('an unexpected error is a 500 with a generic message, and the server keeps serving', async () => {
  await withDir(async (dir) => {
    const service = new ManagementService({ manager: brokenLibrary(), version: '0.0.0' });
    const server = new ManagementServer({ service, log: silentLogger(), tokenFile: join(dir, 'api-token'), audit: new AuditTrail({ file: join(dir, 'audit.log'), log: silentLogger() }) });
    const { port } = await server.listen('127.0.0.1', 0);
    try {
      const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
      const headers = { authorization: `Bearer ${token}` };
      const broken = await fetch(`http://127.0.0.1:${port}/api/v1/libraries`, { headers });
      assert.equal(broken.status, 500);
      assert.deepEqual(await broken.json(), { error: { status: 500, code: 'internal', message: 'Internal error; see the server log' } });
      const doc = await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`, { headers });
      assert.equal(doc.status, 200);
      assert.equal(((await doc.json()) as { openapi: string }).openapi, '3.1.0');
    } finally {
      await server.close();
      service.close();
    }
  });
});

test('close() ends open event streams instead of waiting for them', async () => {
  await withDir(async (dir) => {
    const library = { on: () => () => undefined } as unknown as LibraryOperations;
    const service = new ManagementService({ manager: library, version: '0.0.0' });
    const server = new ManagementServer({ service, log: silentLogger(), tokenFile: join(dir, 'api-token'), audit: new AuditTrail({ file: join(dir, 'audit.log'), log: silentLogger() }) });
    const { port } = await server.listen('127.0.0.1', 0);
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/events?follow=1`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    const reader = response.body?.getReader();
    assert.ok(reader);
    await reader.read();
    await server.close();
    // The stream ends (or errors) once the server has closed its connection.
    const end = await reader.read().then(
      (chunk) => (chunk.done ? 'done' : 'data'),
      () => 'error',
    );
    assert.notEqual(end, 'data');
    service.close();
  });
});
