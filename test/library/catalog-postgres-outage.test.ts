// A PostgreSQL catalog whose server stops answering: statements fail as "catalog unavailable" (CatalogWriteError,
// io-error) after the configured timeout instead of holding the event loop, and the catalog works again once the
// server answers.
import { execFileSync } from 'node:child_process';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CatalogHealth } from '../../src/library/catalog-health.js';
import { Catalog } from '../../src/library/catalog.js';
import { PostgresConnection } from '../../src/library/catalog-postgres.js';
import { CatalogWriteError } from '../../src/library/catalog-write-error.js';
import { silentLogger } from '../../src/log.js';
import { startTestPostgres } from './catalog-postgres-service.js';
import { startTcpProxy } from './catalog-tcp-proxy.js';

const postgres = startTestPostgres();
after(() => postgres.stop());

const isUnavailable = (code: string) => (e: unknown): boolean => e instanceof CatalogWriteError && e.problem === 'io-error' && e.code === code;

/** Call `fn` until it stops throwing (the server is back), at most `tries` times. */
async function eventually<T>(fn: () => T, tries = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return fn();
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(100);
    }
  }
}

test('a catalog whose PostgreSQL cannot be reached refuses to open with CatalogWriteError', () => {
  // Port 1 on loopback: nothing listens, the connection is refused.
  assert.throws(() => new Catalog(new PostgresConnection({ url: 'postgres://vtl@127.0.0.1:1/none', timeoutMs: 3000 })),
    (e: unknown) => e instanceof CatalogWriteError && e.problem === 'io-error');
});

test('a silent PostgreSQL fails a statement with PG_TIMEOUT, later ones at once, and the catalog recovers when it answers', async () => {
  const url = new URL(await postgres.freshDatabase());
  const proxy = await startTcpProxy(Number(url.port));
  url.port = String(proxy.port);
  const health = new CatalogHealth(silentLogger());
  let catalog: Catalog | undefined;
  try {
    const c = new Catalog(new PostgresConnection({ url: url.toString(), timeoutMs: 400 }), health);
    catalog = c;
    c.putLibrary({ name: 'lib0', storageCount: 4, importExportCount: 1, dataTransferCount: 1 });
    proxy.process.kill('SIGSTOP');
    assert.throws(() => c.putLibrary({ name: 'lib1', storageCount: 4, importExportCount: 1, dataTransferCount: 1 }), isUnavailable('PG_TIMEOUT'));
    assert.equal(health.state().writable, false);
    // The worker is still stuck on that statement: this one is refused without a second wait.
    assert.throws(() => c.libraries(), (e: unknown) => isUnavailable('PG_TIMEOUT')(e) && /earlier request/.test(String((e as Error).cause)));
    proxy.process.kill('SIGCONT');
    await eventually(() => c.putLibrary({ name: 'lib2', storageCount: 4, importExportCount: 1, dataTransferCount: 1 }));
    assert.equal(health.state().writable, true);
    // lib1's statement never started (the caller had stopped waiting), so it is not there; lib2 is.
    assert.deepEqual(c.libraries().map((l) => l.name), ['lib0', 'lib2']);
  } finally {
    proxy.process.kill('SIGCONT');
    proxy.process.kill('SIGKILL');
    catalog?.close();
  }
});

test('a catalog whose session the server terminates reconnects and keeps its rows', async () => {
  const url = await postgres.freshDatabase();
  const catalog = new Catalog(new PostgresConnection({ url, timeoutMs: 3000 }));
  try {
    catalog.putLibrary({ name: 'lib0', storageCount: 4, importExportCount: 1, dataTransferCount: 1 });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const ended = await admin.query("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    await admin.end();
    assert.equal(ended.rowCount, 1);
    // The first statement may meet the dead session (and fail as unavailable); the catalog then reconnects.
    const libraries = await eventually(() => catalog.libraries(), 3);
    assert.deepEqual(libraries.map((l) => l.name), ['lib0']);
  } finally {
    catalog.close();
  }
});

test('a session that dies inside a transaction fails the transaction whole: no statement of it commits on a new session', async () => {
  const url = await postgres.freshDatabase();
  const catalog = new Catalog(new PostgresConnection({ url, timeoutMs: 3000 }));
  try {
    catalog.putLibrary({ name: 'lib0', storageCount: 4, importExportCount: 1, dataTransferCount: 1 });
    catalog.insertCartridge({ barcode: 'S00001L8', generation: 8, worm: false, cleaning: false, capacityBytes: 1 << 20, library: 'lib0', elementType: 'storage', elementIndex: 0, placedByOperator: false });
    assert.throws(() => catalog.transaction(() => {
      catalog.relocate('S00001L8', { library: 'lib0', type: 'storage', index: 1 }, null, false);
      // Synchronously, from outside: the server ends this catalog's session in the middle of its transaction.
      execFileSync('/usr/lib/postgresql/15/bin/psql', [url, '-qAtc',
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()']);
      catalog.addIntent('move', 'S00001L8', {});
    }), (e: unknown) => e instanceof CatalogWriteError && e.problem === 'io-error');
    const after = await eventually(() => catalog.cartridge('S00001L8'), 3);
    assert.equal(after?.elementIndex, 0);
    assert.deepEqual(catalog.intents(), []);
  } finally {
    catalog.close();
  }
});
