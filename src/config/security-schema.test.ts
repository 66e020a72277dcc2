import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from './schema.js';

const withRetention = (retention: unknown) => configSchema.safeParse({ libraries: [{ name: 'lib0', retention }] });

test('a library takes one retention policy or a list, and always holds a list', () => {
  const one = withRetention({ mode: 'compliance', days: 30, from: 'first-write' });
  assert.deepEqual(one.success && one.data.libraries[0]?.retention, [{ mode: 'compliance', days: 30, from: 'first-write' }]);
  const list = withRetention([{ mode: 'governance', days: 7, from: 'unload', barcodes: 'A00000L8-A00099L8' }]);
  assert.equal(list.success && list.data.libraries[0]?.retention.length, 1);
  const none = configSchema.parse({ libraries: [{ name: 'lib0' }] });
  assert.deepEqual(none.libraries[0]?.retention, []);
});

test('a bad retention policy is refused naming the field', () => {
  const problems = (retention: unknown): string[] => {
    const r = withRetention(retention);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  assert.ok(problems({ mode: 'forever', days: 1, from: 'unload' }).some((p) => p.startsWith('libraries.0.retention')));
  assert.ok(problems({ mode: 'compliance', days: 1, from: 'unload', barcodes: 'A00099L8-A00000L8' }).some((p) => /FIRST not after LAST/.test(p)));
  assert.ok(problems({ mode: 'compliance', days: 0, from: 'unload' }).length > 0);
  assert.ok(problems({ mode: 'compliance', from: 'unload' }).some((p) => /exactly one of days and seconds/.test(p)));
  assert.ok(problems({ mode: 'compliance', days: 1, seconds: 30, from: 'unload' }).some((p) => /exactly one of days and seconds/.test(p)));
  assert.ok(problems({ mode: 'governance', seconds: 0.5, from: 'unload' }).length > 0);
});

test('a retention policy may count in seconds instead of days', () => {
  const short = withRetention({ mode: 'governance', seconds: 60, from: 'unload', barcodes: 'A00015L8-A00015L8' });
  assert.deepEqual(short.success && short.data.libraries[0]?.retention, [{ mode: 'governance', seconds: 60, from: 'unload', barcodes: 'A00015L8-A00015L8' }]);
});

test('audit.syslog takes a HOST:PORT and a local facility, local0 by default', () => {
  const parsed = configSchema.parse({ audit: { syslog: { address: '127.0.0.1:514' } } });
  assert.deepEqual(parsed.audit.syslog, { address: '127.0.0.1:514', facility: 'local0' });
  assert.equal(configSchema.safeParse({ audit: { syslog: { address: 'loghost', facility: 'local0' } } }).success, false);
  assert.equal(configSchema.safeParse({ audit: { syslog: { address: 'loghost:514', facility: 'kern' } } }).success, false);
  assert.deepEqual(configSchema.parse({}).audit, {});
});
