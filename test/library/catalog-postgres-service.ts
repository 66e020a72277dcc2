// The PostgreSQL the catalog and cluster tests use: the one scripts/test.sh started (VTL_TEST_PG_URL), or, when a
// test file runs alone, one started here through the same script and stopped when the file's tests end.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const script = fileURLToPath(new URL('../../../scripts/services/postgres.sh', import.meta.url));

export interface TestPostgres {
  /** The server's URL (its `postgres` database). */
  readonly url: string;
  /** A new, empty database on the server, for one test. */
  freshDatabase(): Promise<string>;
  /** Stops the server if this file started it. */
  stop(): void;
}

export function startTestPostgres(): TestPostgres {
  let url = process.env['VTL_TEST_PG_URL'];
  let dir: string | undefined;
  if (url === undefined) {
    const out = execFileSync('bash', [script, 'start'], { encoding: 'utf8' });
    url = /VTL_TEST_PG_URL=(\S+)/.exec(out)?.[1];
    dir = /VTL_TEST_PG_DIR=(\S+)/.exec(out)?.[1];
    if (!url || !dir) throw new Error(`postgres.sh start printed no URL: ${out}`);
  }
  const serverUrl = url;
  return {
    url: serverUrl,
    async freshDatabase() {
      const name = `vtl_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const u = new URL(serverUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    stop() {
      if (dir) execFileSync('bash', [script, 'stop', dir]);
    },
  };
}
