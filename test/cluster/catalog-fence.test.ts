// The catalog's fence (migrations 4 and 5): on a shared PostgreSQL catalog, a node changes a cartridge located in a
// leased library only while it holds that library's live lease, under the fencing token its write carries; the shelf
// is nobody's, and nodes without a node id (no cluster config) are not fenced.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { LibraryLease } from '../../src/cluster/library-lease.js';
import { Catalog } from '../../src/library/catalog.js';
import { nodeSessionUrl } from '../../src/library/catalog-source.js';
import { PostgresConnection } from '../../src/library/catalog-postgres.js';
import { LibraryStateError } from '../../src/library/library-state-error.js';
import { silentLogger } from '../../src/log.js';
import { startTestPostgres } from '../library/catalog-postgres-service.js';

const postgres = startTestPostgres();
after(() => postgres.stop());

const LEASE_MS = 3000;
const slot = (index: number): { library: string; type: 'storage'; index: number } => ({ library: 'lib0', type: 'storage', index });

test('only the holder of a library\'s live lease changes its located cartridges; the shelf and unfenced sessions are free', { timeout: 60_000 }, async () => {
  const url = await postgres.freshDatabase();
  const plain = new Catalog(new PostgresConnection({ url }));
  const a = new Catalog(new PostgresConnection({ url: nodeSessionUrl(url, 'node-a') }));
  const b = new Catalog(new PostgresConnection({ url: nodeSessionUrl(url, 'node-b') }));
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  let token = 0;
  const lease = new LibraryLease({ pool, library: 'lib0', nodeId: 'node-a', portal: '127.0.0.1:1', leaseMs: LEASE_MS, log: silentLogger(),
    onAcquired: (t) => (token = t), onLost: () => undefined });
  try {
    plain.putLibrary({ name: 'lib0', storageCount: 4, importExportCount: 1, dataTransferCount: 1 });
    const cartridge = { generation: 8, worm: false, cleaning: false, capacityBytes: 1 << 20, library: 'lib0', placedByOperator: false };
    // No lease yet: every node may write (a library nobody has taken).
    b.insertCartridge({ ...cartridge, barcode: 'F00001L8', elementType: 'storage', elementIndex: 0 });
    lease.start();
    while (token === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    a.useLeaseTokens(new Map([['lib0', token]]));
    b.useLeaseTokens(new Map([['lib0', token]]));

    const refused = (fn: () => void): void => assert.throws(fn, (err: unknown) => err instanceof LibraryStateError && err.code === 'not-owner' && /node-b/.test(err.message));
    refused(() => b.relocate('F00001L8', slot(1), null, true));
    refused(() => b.insertCartridge({ ...cartridge, barcode: 'F00002L8', elementType: 'storage', elementIndex: 2 }));
    refused(() => b.setMediaMissing('F00001L8', true));
    refused(() => b.transaction(() => b.deleteCartridge('F00001L8')));
    assert.equal(b.cartridge('F00001L8')?.elementIndex, 0, 'nothing changed');

    a.relocate('F00001L8', slot(1), null, true);
    assert.equal(a.cartridge('F00001L8')?.elementIndex, 1, 'the holder moves it');
    // The shelf is nobody's: a cartridge goes there only through the holder (it leaves lib0), but one on it is free.
    a.relocate('F00001L8', { library: 'lib0', type: null, index: null }, null, false);
    b.setWriteProtected('F00001L8', true);
    plain.relocate('F00001L8', slot(3), null, true);
    assert.equal(plain.cartridge('F00001L8')?.elementIndex, 3, 'a session without a node id is not fenced');

    // The lease given up (or expired at the server): its former holder is refused as well.
    await lease.stop();
    assert.throws(() => a.relocate('F00001L8', slot(0), null, true), (err: unknown) => err instanceof LibraryStateError && err.code === 'not-owner');
  } finally {
    await lease.stop();
    await pool.end();
    for (const c of [plain, a, b]) c.close();
  }
});

/** Wait until `read()` gives a token other than `not` (the lease loop runs on its own timer). */
async function tokenAfter(read: () => number, not: number): Promise<number> {
  while (read() === not) await new Promise((resolve) => setTimeout(resolve, 20));
  return read();
}

test('a write queued under a lease\'s old fencing token is refused after its node took the lease again under a new one', { timeout: 60_000 }, async () => {
  const url = await postgres.freshDatabase();
  const plain = new Catalog(new PostgresConnection({ url }));
  const a = new Catalog(new PostgresConnection({ url: nodeSessionUrl(url, 'node-a') }));
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  let token = 0;
  const options = { pool, library: 'lib0', nodeId: 'node-a', portal: '127.0.0.1:1', leaseMs: LEASE_MS, log: silentLogger(),
    onAcquired: (t: number) => (token = t), onLost: () => (token = 0) };
  let lease = new LibraryLease(options);
  try {
    plain.putLibrary({ name: 'lib0', storageCount: 4, importExportCount: 1, dataTransferCount: 1 });
    plain.insertCartridge({ barcode: 'F00001L8', generation: 8, worm: false, cleaning: false, capacityBytes: 1 << 20, library: 'lib0',
      elementType: 'storage', elementIndex: 0, placedByOperator: false });
    lease.start();
    const first = await tokenAfter(() => token, 0);
    const queuedUnderFirst = new Map([['lib0', first]]);
    a.useLeaseTokens(queuedUnderFirst);
    a.relocate('F00001L8', slot(1), null, true);

    // The node loses the lease (given up here, as a node cut off loses it) and takes it again: a new token.
    await lease.stop();
    lease = new LibraryLease(options);
    lease.start();
    const second = await tokenAfter(() => token, 0);
    assert.equal(second, first + 1, 'every change of holder moves the token on');

    // What was queued under the first token still carries it: refused, though the same node holds the lease.
    a.useLeaseTokens(queuedUnderFirst);
    assert.throws(() => a.relocate('F00001L8', slot(2), null, true),
      (err: unknown) => err instanceof LibraryStateError && err.code === 'not-owner' && new RegExp(`token ${first}\\b`).test(err.message));
    // A write carrying no token for the library is refused as well.
    a.useLeaseTokens(new Map());
    assert.throws(() => a.setMediaMissing('F00001L8', true), (err: unknown) => err instanceof LibraryStateError && err.code === 'not-owner');
    assert.equal(plain.cartridge('F00001L8')?.elementIndex, 1, 'nothing changed under the old token');
    assert.equal(plain.cartridge('F00001L8')?.mediaMissing, false);

    a.useLeaseTokens(new Map([['lib0', second]]));
    a.relocate('F00001L8', slot(2), null, true);
    assert.equal(plain.cartridge('F00001L8')?.elementIndex, 2, 'the current token writes');
  } finally {
    await lease.stop();
    await pool.end();
    for (const c of [plain, a]) c.close();
  }
});
