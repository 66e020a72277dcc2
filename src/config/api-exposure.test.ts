import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkApiExposure, isLoopbackHost } from './api-exposure.js';
import { ConfigError } from './load-config.js';
import { configSchema } from './schema.js';

const config = (api: Record<string, unknown>) => configSchema.parse({ api });

test('isLoopbackHost() knows 127.0.0.0/8, ::1 and localhost, and nothing else', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '[::1]', '::1', 'localhost']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '[::]', '192.168.1.10', 'vtl.example', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
});

test('plain HTTP beyond loopback is refused naming api.listen and --insecure-api', () => {
  assert.throws(
    () => checkApiExposure(config({ listen: '0.0.0.0:8090' })),
    (e: unknown) => e instanceof ConfigError && /api\.listen: 0\.0\.0\.0:8090 is not a loopback address: give api\.tls \(cert and key\) or start with --insecure-api/.test(e.message),
  );
});

test('TLS, an explicit insecure, loopback or a disabled API are all accepted', () => {
  checkApiExposure(config({ listen: '0.0.0.0:8090', tls: { cert: 'c.pem', key: 'k.pem' } }));
  checkApiExposure(config({ listen: '[::]:8090', insecure: true }));
  checkApiExposure(config({ listen: '127.0.0.1:8090' }));
  checkApiExposure(config({ listen: '0.0.0.0:8090', enabled: false }));
});
