import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from './load-config.js';

test('a library deduplicates only when its config says so, with scope library unless it says global, and zstd unless it says otherwise', () => {
  const config = parseConfig('libraries:\n  - name: a\n  - name: b\n    dedup: {enabled: true, compression: lz4}\n  - name: c\n    dedup: {enabled: true, scope: global, compression: "zstd:2"}\n', 'vtl.yaml');
  assert.deepEqual(config.libraries.map((l) => l.dedup), [
    { enabled: false, scope: 'library', compression: 'zstd' },
    { enabled: true, scope: 'library', compression: 'lz4' },
    { enabled: true, scope: 'global', compression: 'zstd:2' },
  ]);
});

test('a dedup scope other than library or global, or an unknown dedup field, is refused', () => {
  assert.throws(() => parseConfig('libraries:\n  - name: a\n    dedup: {enabled: true, scope: drive}\n', 'vtl.yaml'), ConfigError);
  assert.throws(() => parseConfig('libraries:\n  - name: a\n    dedup: {enabled: true, level: 3}\n', 'vtl.yaml'), ConfigError);
});

test('a dedup compression other than lz4, zstd or zstd:1..19 is refused with a message naming the field', () => {
  for (const bad of ['gzip', 'zstd:0', 'zstd:20', 'lz4:3', 'zstd:', 'ZSTD', '3']) {
    assert.throws(() => parseConfig(`libraries:\n  - name: a\n    dedup: {enabled: true, compression: "${bad}"}\n`, 'vtl.yaml'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /vtl\.yaml:3:\d+: libraries\[0\]\.dedup\.compression: must be lz4, zstd or zstd:LEVEL with LEVEL 1\.\.19/, bad);
      return true;
    });
  }
});

test('libraries sharing the global chunk store must agree on its compression', () => {
  const text = (second: string): string => `libraries:\n  - name: a\n    dedup: {enabled: true, scope: global, compression: lz4}\n  - name: b\n    dedup: {enabled: true, scope: global${second}}\n  - name: c\n    dedup: {enabled: true, compression: "zstd:5"}\n`;
  assert.throws(() => parseConfig(text(''), 'vtl.yaml'), /libraries\[1\]\.dedup\.compression: differs from libraries\[0\], which shares the global chunk store/);
  assert.deepEqual(parseConfig(text(', compression: lz4'), 'vtl.yaml').libraries.map((l) => l.dedup.compression), ['lz4', 'lz4', 'zstd:5']);
});
