import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './load-config.js';

test('a library deduplicates only when its config says so, with scope library unless it says global', () => {
  const config = parseConfig('libraries:\n  - name: a\n  - name: b\n    dedup: {enabled: true}\n  - name: c\n    dedup: {enabled: true, scope: global}\n', 'vtl.yaml');
  assert.deepEqual(config.libraries.map((l) => l.dedup), [
    { enabled: false, scope: 'library' },
    { enabled: true, scope: 'library' },
    { enabled: true, scope: 'global' },
  ]);
});

test('a dedup scope other than library or global, or an unknown dedup field, is refused', () => {
  assert.throws(() => parseConfig('libraries:\n  - name: a\n    dedup: {enabled: true, scope: drive}\n', 'vtl.yaml'), ConfigError);
  assert.throws(() => parseConfig('libraries:\n  - name: a\n    dedup: {enabled: true, level: 3}\n', 'vtl.yaml'), ConfigError);
});
