// The catalog contract (catalog-contract.ts) on both implementations: SQLite and PostgreSQL.
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Catalog } from '../../src/library/catalog.js';
import { PostgresConnection } from '../../src/library/catalog-postgres.js';
import { catalogContract } from './catalog-contract.js';
import { startTestPostgres } from './catalog-postgres-service.js';

catalogContract({
  name: 'SQLite',
  setUp() {
    const dir = mkdtempSync(join(tmpdir(), 'vtl-contract-'));
    return Promise.resolve({
      open: () => new Catalog(join(dir, 'catalog.sqlite')),
      crashTarget: { kind: 'sqlite', dir: join(dir, 'crash') },
      tearDown: () => rmSync(dir, { recursive: true, force: true }),
    });
  },
});

const postgres = startTestPostgres();
after(() => postgres.stop());

catalogContract({
  name: 'PostgreSQL',
  async setUp() {
    const dir = mkdtempSync(join(tmpdir(), 'vtl-contract-'));
    const url = await postgres.freshDatabase();
    const crashUrl = await postgres.freshDatabase();
    return {
      open: () => new Catalog(new PostgresConnection({ url })),
      crashTarget: { kind: 'postgres', url: crashUrl, dir: join(dir, 'crash') },
      tearDown: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
