import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Catalog, CATALOG_SCHEMA_VERSION } from '../../src/library/catalog.js';

test('a version-1 catalog opens at the newest version with empty token, retention and times tables, its rows untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vtl-migration-'));
  try {
    const path = join(dir, 'catalog.sqlite');
    const first = new Catalog(path);
    first.putLibrary({ name: 'lib0', storageCount: 2, importExportCount: 1, dataTransferCount: 1 });
    first.insertCartridge({ barcode: 'A00001L8', generation: 8, worm: false, cleaning: false, capacityBytes: 1 << 20, library: 'lib0', elementType: 'storage', elementIndex: 0, placedByOperator: false });
    first.close();
    // Make it what version 1 wrote.
    const raw = new Database(path);
    raw.exec("DROP TABLE api_tokens; DROP TABLE retention_locks; DROP TABLE cartridge_times; UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    raw.close();

    const catalog = new Catalog(path);
    try {
      assert.equal(CATALOG_SCHEMA_VERSION, 5);
      assert.equal(catalog.sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'")?.value, '5');
      for (const table of ['api_tokens', 'retention_locks', 'cartridge_times']) {
        assert.equal(catalog.sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)?.n, 0, table);
      }
      assert.equal(catalog.cartridge('A00001L8')?.elementIndex, 0);
    } finally {
      catalog.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
