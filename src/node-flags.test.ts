import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from './node-flags.js';

/** The repository root: the nearest folder above this file with a package.json (src/ under tsx, dist/src/ built). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

test('the vtl command and npm start run node with NODE_FLAGS', () => {
  const root = repoRoot();
  const shebang = readFileSync(join(root, 'src', 'main.ts'), 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.ok(scripts.start.includes(`node ${NODE_FLAGS.join(' ')} dist/src/main.js serve`), scripts.start);
});
