// The `cluster:` section: defaults from the rest of the config, and the refusals that keep the leases safe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/load-config.js';
import { configSchema } from '../../src/config/schema.js';
import { clusterSettings } from '../../src/serve-cluster.js';

const postgres = { kind: 'postgres', url: 'postgres://vtl@db.example/vtl' };

test('a config without cluster: is a single node, and a cluster takes its portal and API address from server and api by default', () => {
  assert.equal(clusterSettings(configSchema.parse({ catalog: postgres })), undefined);
  const settings = clusterSettings(configSchema.parse({ catalog: postgres, server: { listen: '192.0.2.1:3260' }, api: { listen: '192.0.2.1:8090' }, cluster: { nodeId: 'vtl-a' } }));
  assert.deepEqual(settings, { nodeId: 'vtl-a', url: postgres.url, portal: '192.0.2.1:3260', apiAddress: '192.0.2.1:8090', leaseMs: 15_000, renewEveryMs: 5000 });
});

test('a cluster on the SQLite catalog, or renewing less often than twice a lease, is refused naming the field', () => {
  assert.throws(() => clusterSettings(configSchema.parse({ cluster: { nodeId: 'vtl-a' } })), (err: unknown) => err instanceof ConfigError && /cluster: a cluster needs the catalog in PostgreSQL/.test(err.message));
  assert.throws(() => clusterSettings(configSchema.parse({ catalog: postgres, cluster: { nodeId: 'vtl-a', leaseSeconds: 4, renewSeconds: 3 } })),
    (err: unknown) => err instanceof ConfigError && /cluster\.renewSeconds: must be at most half of leaseSeconds/.test(err.message));
  assert.throws(() => configSchema.parse({ catalog: postgres, cluster: { nodeId: 'vtl a' } }), /letters, digits/);
});

test('a cluster with a deduplicated library is refused naming the library (its chunk writes are not fenced by the lease)', () => {
  const config = configSchema.parse({ catalog: postgres, cluster: { nodeId: 'vtl-a' }, libraries: [{ name: 'lib0' }, { name: 'lib1', dedup: { enabled: true } }] });
  assert.throws(() => clusterSettings(config), (err: unknown) => err instanceof ConfigError && /libraries\.lib1\.dedup: deduplication is not supported on a cluster yet/.test(err.message));
});
