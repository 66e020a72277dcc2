// Two vtl processes, one after the other, on one PostgreSQL catalog and one shared data directory: what the first
// committed before it was SIGKILLed, the second serves.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPostgres } from '../library/catalog-postgres-service.js';
import { VtlServer, vtlPorts } from '../e2e/vtl-process.js';

const postgres = startTestPostgres();
after(() => postgres.stop());

async function server(dir: string, configPath: string, name: string): Promise<VtlServer> {
  return new VtlServer({ dataDir: join(dir, 'data'), configPath, ...(await vtlPorts()), logPath: join(dir, `${name}.log`) });
}

test('a node started after another was SIGKILLed serves the cartridges the first committed to the shared PostgreSQL catalog', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vtl-shared-'));
  const url = await postgres.freshDatabase();
  const configPath = join(dir, 'vtl.yaml');
  writeFileSync(configPath, JSON.stringify({
    catalog: { kind: 'postgres', url },
    libraries: [{ name: 'lib0', driveCount: 1, slots: 6, mailSlots: 1, initialCartridges: { count: 2, capacityBytes: 1 << 20 } }],
  }));
  const first = await server(dir, configPath, 'first');
  const second = await server(dir, configPath, 'second');
  try {
    await first.start();
    await first.api('POST', '/cartridges', { library: 'lib0', barcode: 'P00001L8', capacityBytes: 1 << 20 });
    await first.kill();
    await second.start();
    const barcodes = ((await second.api('GET', '/cartridges')) as { barcode: string }[]).map((c) => c.barcode).sort();
    assert.deepEqual(barcodes, ['A00001L8', 'A00002L8', 'P00001L8']);
    // The catalog was PostgreSQL's, not a SQLite file in the data directory.
    assert.equal(existsSync(join(dir, 'data', 'catalog.sqlite')), false);
  } finally {
    await first.kill();
    await second.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
