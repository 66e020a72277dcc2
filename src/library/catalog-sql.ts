// The one interface under the catalog: a synchronous SQL connection with a dialect. Two implementations:
// catalog-sqlite.ts (better-sqlite3, in process) and catalog-postgres.ts (the `pg` client in a worker thread behind a
// synchronous bridge). CATALOG.md says why the interface stays synchronous.

export type SqlDialect = 'sqlite' | 'postgres';

/** A statement's parameters: `?` placeholders, in order. */
export type SqlParams = readonly (string | number | null)[];

export interface SqlRunResult {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

export interface SqlConnection {
  readonly dialect: SqlDialect;
  all<R>(sql: string, params?: SqlParams): R[];
  get<R>(sql: string, params?: SqlParams): R | undefined;
  run(sql: string, params?: SqlParams): SqlRunResult;
  /** Statements without parameters, separated by semicolons (schema migrations). */
  exec(sql: string): void;
  /**
   * Run `fn` as one transaction that holds the catalog's write lock from its first statement (SQLite: BEGIN
   * IMMEDIATE; PostgreSQL: an advisory transaction lock every node takes), so that transactions never interleave,
   * whichever node runs them. Nested calls are savepoints. A throw rolls everything back and is rethrown.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}
