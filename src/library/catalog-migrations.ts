// The catalog's schema as numbered migrations, applied in order at start-up on both dialects. `meta.schema_version`
// is the number of the last one applied; each runs in its own transaction with the bump of that number, so a crash
// leaves the catalog at a version, never between two. CATALOG.md's tables describe the result.
import type { SqlConnection, SqlDialect } from './catalog-sql.js';

interface Migration {
  readonly version: number;
  readonly what: string;
  /** Statements; `{id}` (an auto-numbered primary key), `{int64}` and `{timestamp}` are put in the dialect's words. */
  readonly sql: string;
  /** Only this dialect runs the statements; the other just records the version. */
  readonly only?: SqlDialect;
}

// Every statement says IF NOT EXISTS: catalogs written before migrations were numbered (one schema script run at
// every open) already hold the tables of the versions they record.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'libraries, cartridges, intents',
    sql: `
CREATE TABLE IF NOT EXISTS libraries (
  name TEXT PRIMARY KEY,
  storage_count INTEGER NOT NULL,
  import_export_count INTEGER NOT NULL,
  data_transfer_count INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cartridges (
  barcode TEXT PRIMARY KEY,
  generation INTEGER,
  worm INTEGER NOT NULL,
  cleaning INTEGER NOT NULL,
  capacity_bytes {int64} NOT NULL,
  write_protected INTEGER NOT NULL DEFAULT 0,
  library TEXT NOT NULL REFERENCES libraries(name),
  element_type TEXT CHECK (element_type IN ('transport', 'storage', 'importExport', 'dataTransfer')),
  element_index INTEGER,
  source_type TEXT,
  source_index INTEGER,
  placed_by_operator INTEGER NOT NULL DEFAULT 0,
  media_missing INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((element_type IS NULL) = (element_index IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS cartridges_by_element
  ON cartridges (library, element_type, element_index) WHERE element_type IS NOT NULL;
CREATE TABLE IF NOT EXISTS intents (
  id {id},
  kind TEXT NOT NULL,
  barcode TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL
);`,
  },
  {
    version: 2,
    what: 'api_tokens, retention_locks, cartridge_times',
    sql: `
CREATE TABLE IF NOT EXISTS api_tokens (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  secret_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS retention_locks (
  barcode TEXT PRIMARY KEY REFERENCES cartridges(barcode) ON DELETE CASCADE,
  mode TEXT NOT NULL CHECK (mode IN ('governance', 'compliance')),
  started_at TEXT NOT NULL,
  until TEXT NOT NULL,
  set_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cartridge_times (
  barcode TEXT PRIMARY KEY REFERENCES cartridges(barcode) ON DELETE CASCADE,
  first_write_at TEXT,
  last_write_at TEXT,
  last_unload_at TEXT
);`,
  },
  {
    version: 3,
    what: 'library_leases',
    // Used by nodes sharing a PostgreSQL catalog (src/cluster/library-lease.ts); present but unused on SQLite.
    sql: `
CREATE TABLE IF NOT EXISTS library_leases (
  library TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  portal TEXT NOT NULL,
  token {int64} NOT NULL,
  expires_at {timestamp} NOT NULL
);`,
  },
  {
    version: 4,
    what: 'cluster_nodes, and the fence on cartridges in leased libraries',
    only: 'postgres',
    // A node names itself to the server in its session (`vtl.node_id`, set by catalog-source.ts from cluster.nodeId).
    // A change to a cartridge located in a library that has a lease is refused (SQLSTATE VTL02) unless that node
    // holds the lease, live by the server's clock: a node that lost a library writes nothing more to it, whatever
    // code path tries. The shelf is nobody's. Sessions without a node id (no cluster config) are not fenced.
    sql: `
CREATE TABLE IF NOT EXISTS cluster_nodes (
  node_id TEXT PRIMARY KEY,
  portal TEXT NOT NULL,
  api_address TEXT NOT NULL,
  seen_at TIMESTAMPTZ NOT NULL
);
CREATE OR REPLACE FUNCTION vtl_fence_cartridge() RETURNS trigger LANGUAGE plpgsql AS $fence$
DECLARE
  me TEXT := current_setting('vtl.node_id', true);
  lib TEXT;
BEGIN
  IF me IS NULL OR me = '' THEN RETURN COALESCE(NEW, OLD); END IF;
  FOREACH lib IN ARRAY ARRAY[
      CASE WHEN TG_OP <> 'INSERT' AND OLD.element_type IS NOT NULL THEN OLD.library END,
      CASE WHEN TG_OP <> 'DELETE' AND NEW.element_type IS NOT NULL THEN NEW.library END] LOOP
    IF lib IS NOT NULL AND EXISTS (SELECT 1 FROM library_leases l WHERE l.library = lib
        AND NOT (l.owner = me AND l.expires_at >= clock_timestamp())) THEN
      RAISE EXCEPTION 'library "%" is not leased to node "%"', lib, me USING ERRCODE = 'VTL02';
    END IF;
  END LOOP;
  RETURN COALESCE(NEW, OLD);
END
$fence$;
DROP TRIGGER IF EXISTS cartridges_fence ON cartridges;
CREATE TRIGGER cartridges_fence BEFORE INSERT OR UPDATE OR DELETE ON cartridges
  FOR EACH ROW EXECUTE FUNCTION vtl_fence_cartridge();`,
  },
  {
    version: 5,
    what: 'the fence on cartridges checks the fencing token',
    only: 'postgres',
    // The holder alone is not enough: a node that lost a lease and took it again must not commit, under the new
    // token, what was queued under the old one. A node's writes carry the tokens they were queued under
    // (`vtl.lease_tokens`, a JSON object library -> token, set by Catalog.useLeaseTokens); a change to a cartridge
    // in a leased library needs that token to be the lease's current one, besides the holder and the live expiry.
    // A token not given compares as -1, never a lease's (tokens start at 1).
    sql: `
CREATE OR REPLACE FUNCTION vtl_fence_cartridge() RETURNS trigger LANGUAGE plpgsql AS $fence$
DECLARE
  me TEXT := current_setting('vtl.node_id', true);
  tokens JSONB := COALESCE(NULLIF(current_setting('vtl.lease_tokens', true), ''), '{}')::jsonb;
  lib TEXT;
BEGIN
  IF me IS NULL OR me = '' THEN RETURN COALESCE(NEW, OLD); END IF;
  FOREACH lib IN ARRAY ARRAY[
      CASE WHEN TG_OP <> 'INSERT' AND OLD.element_type IS NOT NULL THEN OLD.library END,
      CASE WHEN TG_OP <> 'DELETE' AND NEW.element_type IS NOT NULL THEN NEW.library END] LOOP
    IF lib IS NOT NULL AND EXISTS (SELECT 1 FROM library_leases l WHERE l.library = lib
        AND NOT (l.owner = me AND l.expires_at >= clock_timestamp() AND l.token = COALESCE((tokens ->> lib)::bigint, -1))) THEN
      RAISE EXCEPTION 'library "%" is not leased to node "%" under fencing token %', lib, me, COALESCE(tokens ->> lib, 'none') USING ERRCODE = 'VTL02';
    END IF;
  END LOOP;
  RETURN COALESCE(NEW, OLD);
END
$fence$;`,
  },
];

export const CATALOG_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

const WORDS: Record<SqlDialect, { readonly id: string; readonly int64: string; readonly timestamp: string }> = {
  sqlite: { id: 'INTEGER PRIMARY KEY AUTOINCREMENT', int64: 'INTEGER', timestamp: 'TEXT' },
  postgres: { id: 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY', int64: 'BIGINT', timestamp: 'TIMESTAMPTZ' },
};

export function migrationSql(migration: Migration, dialect: SqlDialect): string {
  const words = WORDS[dialect];
  return migration.sql.replaceAll('{id}', words.id).replaceAll('{int64}', words.int64).replaceAll('{timestamp}', words.timestamp);
}

/**
 * Bring the catalog to CATALOG_SCHEMA_VERSION; refuse one newer than this vtl. Each step runs under the catalog's
 * write lock, so nodes starting together over one PostgreSQL catalog migrate it once.
 */
export function migrate(sql: SqlConnection): number {
  sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const versionNow = (): number => Number(sql.get<{ value: string }>("SELECT value FROM meta WHERE key = 'schema_version'")?.value ?? 0);
  const found = versionNow();
  if (found > CATALOG_SCHEMA_VERSION) {
    throw new Error(`The catalog has schema version ${found}; this vtl understands up to ${CATALOG_SCHEMA_VERSION}`);
  }
  for (const migration of MIGRATIONS) {
    sql.transaction(() => {
      // Read again under the lock: another node may have applied it meanwhile.
      if (versionNow() >= migration.version) return;
      if (migration.only === undefined || migration.only === sql.dialect) sql.exec(migrationSql(migration, sql.dialect));
      sql.run(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [String(migration.version)]);
    });
  }
  return found;
}
