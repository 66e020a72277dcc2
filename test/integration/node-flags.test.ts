import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_FLAGS } from '../../src/node-flags.js';
import { repoRoot } from '../e2e/vtl-process.js';

test('the vtl command and npm start run node with NODE_FLAGS', () => {
  const root = repoRoot();
  const shebang = readFileSync(join(root, 'src', 'main.ts'), 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.ok(scripts.start.includes(`node ${NODE_FLAGS.join(' ')} dist/src/main.js serve`), scripts.start);
});
