import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from './schema.js';

test('the catalog is SQLite in the data directory when the config says nothing', () => {
  assert.deepEqual(configSchema.parse({}).catalog, { kind: 'sqlite' });
});

test('a PostgreSQL catalog takes a URL and a statement timeout that defaults to 5000 ms', () => {
  assert.deepEqual(configSchema.parse({ catalog: { kind: 'postgres', url: 'postgres://vtl@db:5432/vtl' } }).catalog,
    { kind: 'postgres', url: 'postgres://vtl@db:5432/vtl', timeoutMs: 5000 });
});

test('a PostgreSQL catalog without a URL, an unknown kind or an unknown key is refused', () => {
  for (const catalog of [{ kind: 'postgres' }, { kind: 'mysql', url: 'x' }, { kind: 'sqlite', url: 'x' }]) {
    assert.equal(configSchema.safeParse({ catalog }).success, false, JSON.stringify(catalog));
  }
});
