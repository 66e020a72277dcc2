// The persistent catalog: library layouts, cartridges and where each one is, in SQLite (WAL, synchronous=FULL).
// A cartridge's location is a column of its own row, and (library, type, index) is unique among located rows:
// a cartridge can never be in two places, and two cartridges can never share an element, whatever crashes.
// Operations that also touch the outside world (drive loads, media files) record an intent row in the same
// transaction as their state change; start-up finishes or rolls back what an intent left half done.
import Database from 'better-sqlite3';
import { silentLogger } from '../log.js';
import { CatalogHealth } from './catalog-health.js';
import { catalogWriteErrorOf } from './catalog-write-error.js';
import { CATALOG_SCHEMA_VERSION, SCHEMA, toRow } from './catalog-schema.js';
import type { CartridgeRow, IntentKind, IntentRow, LibraryRow, NewCartridgeRow, Place, RawCartridge } from './catalog-schema.js';
import type { ElementType } from './layout.js';

export { CATALOG_SCHEMA_VERSION } from './catalog-schema.js';
export type { CartridgeRow, IntentKind, IntentRow, LibraryRow, NewCartridgeRow, Place } from './catalog-schema.js';

export class Catalog {
  readonly db: Database.Database;
  /** Whether writes succeed; every write below reports to it. */
  readonly health: CatalogHealth;
  private readonly ownsDb: boolean;
  /** Writes nested in a write (statements of a transaction): only the outermost one reports. */
  private writeDepth = 0;

  /** Open (creating if needed) the catalog at `path`, or use an open database. */
  constructor(source: string | Database.Database, health: CatalogHealth = new CatalogHealth(silentLogger())) {
    this.health = health;
    this.ownsDb = typeof source === 'string';
    this.db = typeof source === 'string' ? new Database(source) : source;
    this.db.pragma('journal_mode = WAL');
    // FULL: a committed move survives power loss, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    const version = this.db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema_version'").get();
    if (!version) {
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(CATALOG_SCHEMA_VERSION));
    } else if (Number(version.value) > CATALOG_SCHEMA_VERSION) {
      throw new Error(`The catalog has schema version ${version.value}; this vtl understands up to ${CATALOG_SCHEMA_VERSION}`);
    } else if (Number(version.value) < CATALOG_SCHEMA_VERSION) {
      // Every migration so far only adds tables, which SCHEMA has just created.
      this.db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(CATALOG_SCHEMA_VERSION));
    }
  }

  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }

  /** Run `fn` as one transaction (IMMEDIATE: it takes the write lock up front). */
  transaction<T>(fn: () => T): T {
    return this.write(() => this.db.transaction(fn).immediate());
  }

  /**
   * Run a write; SQLite's "cannot write" failures become a CatalogWriteError (the statement or transaction was rolled
   * back, so nothing changed) and the health hears of every outcome.
   */
  private write<T>(fn: () => T): T {
    if (this.writeDepth > 0) return fn();
    this.writeDepth++;
    try {
      const result = fn();
      this.health.succeeded();
      return result;
    } catch (err) {
      const failure = catalogWriteErrorOf(err);
      if (!failure) throw err;
      this.health.failed(failure);
      throw failure;
    } finally {
      this.writeDepth--;
    }
  }

  libraries(): LibraryRow[] {
    return this.db
      .prepare<[], { name: string; storage_count: number; import_export_count: number; data_transfer_count: number; created_at: string }>(
        'SELECT * FROM libraries ORDER BY name')
      .all()
      .map((r) => ({ name: r.name, storageCount: r.storage_count, importExportCount: r.import_export_count, dataTransferCount: r.data_transfer_count, createdAt: r.created_at }));
  }

  library(name: string): LibraryRow | undefined {
    return this.libraries().find((l) => l.name === name);
  }

  putLibrary(row: Omit<LibraryRow, 'createdAt'>): void {
    this.write(() => {
      this.db
        .prepare(`INSERT INTO libraries (name, storage_count, import_export_count, data_transfer_count, created_at)
          VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET storage_count = excluded.storage_count,
          import_export_count = excluded.import_export_count, data_transfer_count = excluded.data_transfer_count`)
        .run(row.name, row.storageCount, row.importExportCount, row.dataTransferCount, now());
    });
  }

  cartridge(barcode: string): CartridgeRow | undefined {
    const r = this.db.prepare<[string], RawCartridge>('SELECT * FROM cartridges WHERE barcode = ?').get(barcode);
    return r && toRow(r);
  }

  cartridgeAt(library: string, type: ElementType, index: number): CartridgeRow | undefined {
    const r = this.db
      .prepare<[string, string, number], RawCartridge>(
        'SELECT * FROM cartridges WHERE library = ? AND element_type = ? AND element_index = ?')
      .get(library, type, index);
    return r && toRow(r);
  }

  /** Cartridges in a library's elements (not its shelf). */
  cartridgesIn(library: string): CartridgeRow[] {
    return this.db
      .prepare<[string], RawCartridge>('SELECT * FROM cartridges WHERE library = ? AND element_type IS NOT NULL')
      .all(library)
      .map(toRow);
  }

  allCartridges(): CartridgeRow[] {
    return this.db.prepare<[], RawCartridge>('SELECT * FROM cartridges ORDER BY barcode').all().map(toRow);
  }

  insertCartridge(row: NewCartridgeRow): void {
    this.write(() => {
      const t = now();
      this.db
        .prepare(`INSERT INTO cartridges (barcode, generation, worm, cleaning, capacity_bytes, write_protected, library,
          element_type, element_index, placed_by_operator, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(row.barcode, row.generation, bit(row.worm), bit(row.cleaning), row.capacityBytes, bit(row.writeProtected ?? false),
          row.library, row.elementType, row.elementIndex, bit(row.placedByOperator), t, t);
    });
  }

  /** Put a cartridge at `to`, remembering `source` (the SMC source element) and who placed it. */
  relocate(barcode: string, to: Place, source: Place | null, placedByOperator: boolean): void {
    this.write(() => {
      const info = this.db
        .prepare(`UPDATE cartridges SET library = ?, element_type = ?, element_index = ?, source_type = ?, source_index = ?,
          placed_by_operator = ?, updated_at = ? WHERE barcode = ?`)
        .run(to.library, to.type, to.index, source?.type ?? null, source?.index ?? null, bit(placedByOperator), now(), barcode);
      if (info.changes !== 1) throw new Error(`catalog: no cartridge ${barcode} to relocate`);
    });
  }

  deleteCartridge(barcode: string): void {
    this.write(() => {
      this.db.prepare('DELETE FROM cartridges WHERE barcode = ?').run(barcode);
    });
  }

  setWriteProtected(barcode: string, on: boolean): void {
    this.write(() => {
      this.db.prepare('UPDATE cartridges SET write_protected = ?, updated_at = ? WHERE barcode = ?').run(bit(on), now(), barcode);
    });
  }

  setMediaMissing(barcode: string, missing: boolean): void {
    this.write(() => {
      this.db.prepare('UPDATE cartridges SET media_missing = ?, updated_at = ? WHERE barcode = ?').run(bit(missing), now(), barcode);
    });
  }

  /**
   * Mail slot indexes a host opened (OPEN IMPORT/EXPORT ELEMENT) and has not closed, kept in the meta table under
   * `open_mail_slots:<library>` so an open slot stays open across restarts, as a real library's open door does.
   */
  openMailSlots(library: string): number[] {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(`open_mail_slots:${library}`);
    if (!row) return [];
    const parsed = JSON.parse(row.value) as unknown;
    return Array.isArray(parsed) ? parsed.filter((n): n is number => Number.isInteger(n) && (n as number) >= 0) : [];
  }

  setOpenMailSlots(library: string, indexes: readonly number[]): void {
    this.write(() => {
      const key = `open_mail_slots:${library}`;
      if (indexes.length === 0) this.db.prepare('DELETE FROM meta WHERE key = ?').run(key);
      else {
        this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
          .run(key, JSON.stringify([...indexes].sort((a, b) => a - b)));
      }
    });
  }

  addIntent(kind: IntentKind, barcode: string, payload: unknown): number {
    return this.write(() => {
      const info = this.db
        .prepare('INSERT INTO intents (kind, barcode, payload, created_at) VALUES (?, ?, ?, ?)')
        .run(kind, barcode, JSON.stringify(payload), now());
      return Number(info.lastInsertRowid);
    });
  }

  removeIntent(id: number): void {
    this.write(() => {
      this.db.prepare('DELETE FROM intents WHERE id = ?').run(id);
    });
  }

  intents(): IntentRow[] {
    return this.db
      .prepare<[], { id: number; kind: IntentKind; barcode: string; payload: string; created_at: string }>('SELECT * FROM intents ORDER BY id')
      .all()
      .map((r) => ({ id: r.id, kind: r.kind, barcode: r.barcode, payload: JSON.parse(r.payload) as unknown, createdAt: r.created_at }));
  }
}

function bit(b: boolean): number {
  return b ? 1 : 0;
}

function now(): string {
  return new Date().toISOString();
}
