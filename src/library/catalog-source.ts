// The catalog's connection as the config asks for it: SQLite in the data directory, or PostgreSQL.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VtlConfig } from '../config/schema.js';
import { PostgresConnection } from './catalog-postgres.js';
import type { SqlConnection } from './catalog-sql.js';
import { SqliteConnection } from './catalog-sqlite.js';

/** `catalogPath` is the SQLite path when the config names none (default `<dataDir>/catalog.sqlite`). */
export function openCatalogConnection(config: VtlConfig, catalogPath?: string): SqlConnection {
  const c = config.catalog;
  if (c.kind === 'postgres') return new PostgresConnection({ url: nodeSessionUrl(c.url, config.cluster?.nodeId), timeoutMs: c.timeoutMs });
  const path = c.path ?? catalogPath ?? join(config.server.dataDir, 'catalog.sqlite');
  mkdirSync(dirname(path), { recursive: true });
  return new SqliteConnection(path);
}

/**
 * A cluster node names itself in every session of its catalog connection (`vtl.node_id`), which the fence on
 * cartridges (catalog migration 4) compares with the library's lease holder.
 */
export function nodeSessionUrl(url: string, nodeId: string | undefined): string {
  if (nodeId === undefined) return url;
  const u = new URL(url);
  u.searchParams.set('options', `${u.searchParams.get('options') ?? ''} -c vtl.node_id=${nodeId}`.trim());
  return u.toString();
}
