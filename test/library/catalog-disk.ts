// A full disk under the catalog, staged through SQLite itself. A real ENOSPC needs a filesystem of its own (root); the
// page limit (`PRAGMA max_page_count`, per connection) makes SQLite's pager fail with SQLITE_FULL on the same code
// path. A catalog this small has room left in its pages, so while the disk is "full" TEMP triggers make each watched
// write also store a 256 KiB blob, which needs fresh pages: with the limit at the current size, that write fails.
import type Database from 'better-sqlite3';

export type WatchedWrite = `${'INSERT' | 'UPDATE' | 'DELETE'} ON ${'cartridges' | 'intents'}`;

export const EVERY_WRITE: readonly WatchedWrite[] = [
  'INSERT ON cartridges', 'UPDATE ON cartridges', 'DELETE ON cartridges', 'INSERT ON intents', 'UPDATE ON intents', 'DELETE ON intents',
];

const BLOB_BYTES = 262144;

export class CatalogDisk {
  private readonly unlimited: number;
  private triggers: string[] = [];

  constructor(private readonly db: Database.Database) {
    this.unlimited = db.pragma('max_page_count', { simple: true }) as number;
    db.exec('CREATE TABLE IF NOT EXISTS disk_filler (b BLOB)');
  }

  /** No page left: each of the `watched` writes fails with SQLITE_FULL (others still fit in their pages). */
  fill(watched: readonly WatchedWrite[] = EVERY_WRITE): void {
    this.free();
    const pageBytes = this.db.pragma('page_size', { simple: true }) as number;
    if ((this.db.pragma('freelist_count', { simple: true }) as number) * pageBytes >= BLOB_BYTES) throw new Error('the catalog has free pages; the disk cannot be filled');
    for (const write of watched) {
      const [op, , table] = write.split(' ');
      const name = `fill_${op}_${table}`;
      this.db.exec(`CREATE TEMP TRIGGER ${name} AFTER ${op} ON main.${table} BEGIN INSERT INTO main.disk_filler VALUES (zeroblob(${BLOB_BYTES})); END`);
      this.triggers.push(name);
    }
    this.db.pragma(`max_page_count = ${this.db.pragma('page_count', { simple: true }) as number}`);
  }

  /** Space is back. */
  free(): void {
    for (const name of this.triggers) this.db.exec(`DROP TRIGGER temp.${name}`);
    this.triggers = [];
    this.db.pragma(`max_page_count = ${this.unlimited}`);
  }

  /** Writes fail as on a disk gone read-only after an I/O error (SQLITE_READONLY). */
  breakWrites(broken: boolean): void {
    this.db.pragma(`query_only = ${broken ? 1 : 0}`);
  }
}
