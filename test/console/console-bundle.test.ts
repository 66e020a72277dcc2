// The console's bundle takes the API's types from the schemas, never the schemas themselves: zod stays on the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// This file runs from dist/test/console; scripts/build-console.js writes the bundle under dist/src.
const ASSETS = join(import.meta.dirname, '../../src/management/web/assets');

test('the console bundle holds no zod and no schema module, only their types', async () => {
  const map = JSON.parse(await readFile(join(ASSETS, 'console.js.map'), 'utf8').catch(() => assert.fail('the console is not built: npm run build'))) as { sources: string[] };
  assert.ok(map.sources.some((s) => s.endsWith('web/client/pages/cartridges.ts')), 'the source map lists the bundled modules');
  assert.deepEqual(map.sources.filter((s) => s.includes('/zod/') || /schemas\/(?!location-kinds\.ts$)/.test(s)), []);
});
