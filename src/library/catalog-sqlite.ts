// The SQLite implementation of the catalog's SQL connection (better-sqlite3: synchronous, in process).
import Database from 'better-sqlite3';
import type { SqlConnection, SqlParams, SqlRunResult } from './catalog-sql.js';

export class SqliteConnection implements SqlConnection {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly ownsDb: boolean;

  /** Open (creating if needed) the database at `path`, or use an open one (which the caller closes). */
  constructor(source: string | Database.Database) {
    this.ownsDb = typeof source === 'string';
    this.db = typeof source === 'string' ? new Database(source) : source;
    this.db.pragma('journal_mode = WAL');
    // FULL: a committed move survives power loss, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
  }

  all<R>(sql: string, params: SqlParams = []): R[] {
    return this.db.prepare<unknown[], R>(sql).all(...params);
  }

  get<R>(sql: string, params: SqlParams = []): R | undefined {
    return this.db.prepare<unknown[], R>(sql).get(...params);
  }

  run(sql: string, params: SqlParams = []): SqlRunResult {
    return { changes: this.db.prepare(sql).run(...params).changes };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  transaction<T>(fn: () => T): T {
    // better-sqlite3 turns a nested transaction into a savepoint.
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
