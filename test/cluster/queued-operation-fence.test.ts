// The catalog's fence follows the token an operation was queued under (LibraryManager, catalog migration 5): a node
// that loses a library and takes it again must not commit, under the new token, what it queued under the old one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { LibraryLease } from '../../src/cluster/library-lease.js';
import { configSchema } from '../../src/config/schema.js';
import type { MountRequest } from '../../src/library/drive-port.js';
import { LibraryManager } from '../../src/library/library-manager.js';
import { LibraryStateError } from '../../src/library/library-state-error.js';
import { silentLogger } from '../../src/log.js';
import { FakeDrive, FakeMediaStore } from '../library/fakes.js';
import { startTestPostgres } from '../library/catalog-postgres-service.js';

const postgres = startTestPostgres();
after(() => postgres.stop());

const LEASE_MS = 3000;
const SLOT = (n: number): number => 0x1000 + n - 1;
const DRIVE_1 = 0x0100;

/** A drive whose loads wait until the test opens the gate: the operation that loads it holds the queue meanwhile. */
class GatedDrive extends FakeDrive {
  private open: () => void = () => undefined;
  readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  loading = false;

  release(): void {
    this.open();
  }

  override async load(request: MountRequest): Promise<void> {
    this.loading = true;
    await this.gate;
    return super.load(request);
  }
}

async function acquired(pool: pg.Pool): Promise<{ lease: LibraryLease; token: number }> {
  let token = 0;
  const lease = new LibraryLease({ pool, library: 'lib0', nodeId: 'node-a', portal: '127.0.0.1:1', leaseMs: LEASE_MS, log: silentLogger(),
    onAcquired: (t) => (token = t), onLost: () => undefined });
  lease.start();
  while (token === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  return { lease, token };
}

test('an operation queued under a lease\'s token is refused by the catalog once the node holds the library under a new token', { timeout: 60_000 }, async () => {
  const url = await postgres.freshDatabase();
  // The catalog in PostgreSQL, its session naming node-a (catalog-source.ts), as a cluster node's.
  const config = configSchema.parse({ catalog: { kind: 'postgres', url }, cluster: { nodeId: 'node-a' },
    libraries: [{ name: 'lib0', driveCount: 2, slots: 6, mailSlots: 2, initialCartridges: { count: 3 } }] });
  const manager = new LibraryManager({ config, mediaStore: new FakeMediaStore(), log: silentLogger() });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const initial = await acquired(pool);
  let lease = initial.lease;
  const first = initial.token;
  try {
    await manager.startShared();
    await manager.startLibrary('lib0', first);
    const gated = new GatedDrive('lib0/0');
    await manager.attachDrive('lib0', 0, gated);
    await manager.attachDrive('lib0', 1, new FakeDrive('lib0/1'));
    const slotOf = (barcode: string): number | undefined => {
      const location = manager.cartridge(barcode).location;
      return location.kind === 'element' ? location.address : undefined;
    };
    const [barcode] = manager.cartridges().filter((c) => slotOf(c.barcode) === SLOT(2)).map((c) => c.barcode);

    // A load holds the queue; behind it, a move is queued under the first token.
    const loading = manager.move('lib0', SLOT(1), DRIVE_1);
    while (!gated.loading) await new Promise((resolve) => setImmediate(resolve));
    const queued = manager.move('lib0', SLOT(2), SLOT(5));

    // Meanwhile the lease is lost and this node takes the library again, under the next token.
    manager.stopLibrary('lib0');
    await lease.stop();
    const again = await acquired(pool);
    lease = again.lease;
    const second = again.token;
    assert.equal(second, first + 1);
    const restarted = manager.startLibrary('lib0', second);
    gated.release();
    await loading.catch(() => undefined);

    await assert.rejects(queued, (err: unknown) => err instanceof LibraryStateError && err.code === 'not-owner'
      && new RegExp(`under fencing token ${first}\\b`).test(err.message));
    assert.equal(slotOf(barcode), SLOT(2), 'the move queued under the old token did not happen');
    await restarted;
    const moved = await manager.move('lib0', SLOT(2), SLOT(5));
    assert.equal(moved.barcode, barcode, 'a move queued under the current token does');
    assert.equal(slotOf(barcode), SLOT(5));
  } finally {
    await lease.stop();
    await pool.end();
    manager.close();
  }
});
