// The persistent catalog: library layouts, cartridges and where each one is, in SQLite (WAL, synchronous=FULL) or
// PostgreSQL, behind one SQL connection interface (catalog-sql.ts) and one set of statements written for both.
// A cartridge's location is a column of its own row, and (library, type, index) is unique among located rows:
// a cartridge can never be in two places, and two cartridges can never share an element, whatever crashes.
// Operations that also touch the outside world (drive loads, media files) record an intent row in the same
// transaction as their state change; start-up finishes or rolls back what an intent left half done.
import Database from 'better-sqlite3';
import { silentLogger } from '../log.js';
import { CatalogHealth } from './catalog-health.js';
import { migrate } from './catalog-migrations.js';
import type { SqlConnection } from './catalog-sql.js';
import { SqliteConnection } from './catalog-sqlite.js';
import { catalogWriteErrorOf } from './catalog-write-error.js';
import { toRow } from './catalog-schema.js';
import { LibraryStateError } from './library-state-error.js';
import type { CartridgeRow, IntentKind, IntentRow, LibraryRow, NewCartridgeRow, Place, RawCartridge } from './catalog-schema.js';
import type { ElementType } from './layout.js';

export { CATALOG_SCHEMA_VERSION } from './catalog-migrations.js';
export type { CartridgeRow, IntentKind, IntentRow, LibraryRow, NewCartridgeRow, Place } from './catalog-schema.js';

/** The SQLSTATE of the PostgreSQL fence (migration 4): a change to a library this node holds no lease on. */
const NOT_LEASED = 'VTL02';

export class Catalog {
  /** The connection: the catalog's statements, and the few modules that keep their own rows here (tokens, locks). */
  readonly sql: SqlConnection;
  /** Whether writes succeed; every write below reports to it. */
  readonly health: CatalogHealth;
  /** Writes nested in a write (statements of a transaction): only the outermost one reports. */
  private writeDepth = 0;
  /** The lease tokens the next writes are issued under (JSON, `{"library": token}`); undefined: not a cluster node. */
  private leaseTokens: string | undefined;

  /**
   * Open the catalog on a connection (which it then owns), or on SQLite: a path (created if needed) or an open
   * database (which the caller closes). Migrations are applied here.
   */
  constructor(source: string | Database.Database | SqlConnection, health: CatalogHealth = new CatalogHealth(silentLogger())) {
    this.health = health;
    this.sql = typeof source === 'string' || source instanceof Database ? new SqliteConnection(source) : source;
    try {
      migrate(this.sql);
    } catch (err) {
      this.sql.close();
      throw err;
    }
  }

  close(): void {
    this.sql.close();
  }

  /**
   * A cluster node's writes from now on carry these fencing tokens (`vtl.lease_tokens`, PostgreSQL only): the fence
   * of migration 5 refuses a change to a cartridge in a leased library unless the lease's current token is the one
   * given here for it. Set before each write, not once: a reconnected session starts without it.
   */
  useLeaseTokens(tokens: ReadonlyMap<string, number>): void {
    this.leaseTokens = JSON.stringify(Object.fromEntries(tokens));
  }

  /** Run `fn` as one transaction (it holds the catalog's write lock from the start: see SqlConnection). */
  transaction<T>(fn: () => T): T {
    return this.write(() => this.sql.transaction(fn));
  }

  /**
   * Run a write; "cannot write" failures become a CatalogWriteError (the statement or transaction was rolled back,
   * so nothing changed) and the health hears of every outcome.
   */
  private write<T>(fn: () => T): T {
    if (this.writeDepth > 0) return fn();
    this.writeDepth++;
    try {
      if (this.leaseTokens !== undefined && this.sql.dialect === 'postgres') this.sql.get(`SELECT set_config('vtl.lease_tokens', ?, false)`, [this.leaseTokens]);
      const result = fn();
      this.health.succeeded();
      return result;
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === NOT_LEASED) {
        throw new LibraryStateError('not-owner', `${(err as Error).message}: another node serves it`, { cause: err });
      }
      const failure = catalogWriteErrorOf(err);
      if (!failure) throw err;
      this.health.failed(failure);
      throw failure;
    } finally {
      this.writeDepth--;
    }
  }

  libraries(): LibraryRow[] {
    return this.sql
      .all<{ name: string; storage_count: number; import_export_count: number; data_transfer_count: number; created_at: string }>(
        'SELECT * FROM libraries ORDER BY name')
      .map((r) => ({ name: r.name, storageCount: r.storage_count, importExportCount: r.import_export_count, dataTransferCount: r.data_transfer_count, createdAt: r.created_at }));
  }

  library(name: string): LibraryRow | undefined {
    return this.libraries().find((l) => l.name === name);
  }

  putLibrary(row: Omit<LibraryRow, 'createdAt'>): void {
    this.write(() => {
      this.sql.run(`INSERT INTO libraries (name, storage_count, import_export_count, data_transfer_count, created_at)
        VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET storage_count = excluded.storage_count,
        import_export_count = excluded.import_export_count, data_transfer_count = excluded.data_transfer_count`,
      [row.name, row.storageCount, row.importExportCount, row.dataTransferCount, now()]);
    });
  }

  cartridge(barcode: string): CartridgeRow | undefined {
    const r = this.sql.get<RawCartridge>('SELECT * FROM cartridges WHERE barcode = ?', [barcode]);
    return r && toRow(r);
  }

  cartridgeAt(library: string, type: ElementType, index: number): CartridgeRow | undefined {
    const r = this.sql.get<RawCartridge>(
      'SELECT * FROM cartridges WHERE library = ? AND element_type = ? AND element_index = ?', [library, type, index]);
    return r && toRow(r);
  }

  /** Cartridges in a library's elements (not its shelf). */
  cartridgesIn(library: string): CartridgeRow[] {
    return this.sql
      .all<RawCartridge>('SELECT * FROM cartridges WHERE library = ? AND element_type IS NOT NULL ORDER BY barcode', [library])
      .map(toRow);
  }

  allCartridges(): CartridgeRow[] {
    return this.sql.all<RawCartridge>('SELECT * FROM cartridges ORDER BY barcode').map(toRow);
  }

  insertCartridge(row: NewCartridgeRow): void {
    this.write(() => {
      const t = now();
      this.sql.run(`INSERT INTO cartridges (barcode, generation, worm, cleaning, capacity_bytes, write_protected, library,
        element_type, element_index, placed_by_operator, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.barcode, row.generation, bit(row.worm), bit(row.cleaning), row.capacityBytes, bit(row.writeProtected ?? false),
        row.library, row.elementType, row.elementIndex, bit(row.placedByOperator), t, t]);
    });
  }

  /** Put a cartridge at `to`, remembering `source` (the SMC source element) and who placed it. */
  relocate(barcode: string, to: Place, source: Place | null, placedByOperator: boolean): void {
    this.write(() => {
      const info = this.sql.run(`UPDATE cartridges SET library = ?, element_type = ?, element_index = ?, source_type = ?,
        source_index = ?, placed_by_operator = ?, updated_at = ? WHERE barcode = ?`,
      [to.library, to.type, to.index, source?.type ?? null, source?.index ?? null, bit(placedByOperator), now(), barcode]);
      if (info.changes !== 1) throw new Error(`catalog: no cartridge ${barcode} to relocate`);
    });
  }

  deleteCartridge(barcode: string): void {
    this.write(() => {
      this.sql.run('DELETE FROM cartridges WHERE barcode = ?', [barcode]);
    });
  }

  setWriteProtected(barcode: string, on: boolean): void {
    this.write(() => {
      this.sql.run('UPDATE cartridges SET write_protected = ?, updated_at = ? WHERE barcode = ?', [bit(on), now(), barcode]);
    });
  }

  setMediaMissing(barcode: string, missing: boolean): void {
    this.write(() => {
      this.sql.run('UPDATE cartridges SET media_missing = ?, updated_at = ? WHERE barcode = ?', [bit(missing), now(), barcode]);
    });
  }

  /**
   * Mail slot indexes a host opened (OPEN IMPORT/EXPORT ELEMENT) and has not closed, kept in the meta table under
   * `open_mail_slots:<library>` so an open slot stays open across restarts, as a real library's open door does.
   */
  openMailSlots(library: string): number[] {
    const row = this.sql.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [`open_mail_slots:${library}`]);
    if (!row) return [];
    const parsed = JSON.parse(row.value) as unknown;
    return Array.isArray(parsed) ? parsed.filter((n): n is number => Number.isInteger(n) && (n as number) >= 0) : [];
  }

  setOpenMailSlots(library: string, indexes: readonly number[]): void {
    this.write(() => {
      const key = `open_mail_slots:${library}`;
      if (indexes.length === 0) this.sql.run('DELETE FROM meta WHERE key = ?', [key]);
      else {
        this.sql.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          [key, JSON.stringify([...indexes].sort((a, b) => a - b))]);
      }
    });
  }

  addIntent(kind: IntentKind, barcode: string, payload: unknown): number {
    return this.write(() => {
      const row = this.sql.get<{ id: number }>('INSERT INTO intents (kind, barcode, payload, created_at) VALUES (?, ?, ?, ?) RETURNING id',
        [kind, barcode, JSON.stringify(payload), now()]);
      return Number(row?.id);
    });
  }

  removeIntent(id: number): void {
    this.write(() => {
      this.sql.run('DELETE FROM intents WHERE id = ?', [id]);
    });
  }

  intents(): IntentRow[] {
    return this.sql
      .all<{ id: number; kind: IntentKind; barcode: string; payload: string; created_at: string }>('SELECT * FROM intents ORDER BY id')
      .map((r) => ({ id: r.id, kind: r.kind, barcode: r.barcode, payload: JSON.parse(r.payload) as unknown, createdAt: r.created_at }));
  }
}

function bit(b: boolean): number {
  return b ? 1 : 0;
}

function now(): string {
  return new Date().toISOString();
}
