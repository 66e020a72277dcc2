// `npm pack` and `npm install -g` exactly as an operator does (docs/OPERATIONS.md, "Install"): the tarball from this
// build (npm test builds dist/ first; `prepack` builds it for anyone packing by hand), installed into an empty prefix
// from an empty directory, its dependencies from the npm cache or registry; then its `vtl serve` answers the console
// and the API. better-sqlite3 compiles from source when no prebuilt binary can be fetched: minutes, not seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { vtlPorts } from '../e2e/vtl-process.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');

/** npm's environment without what an enclosing `npm test` exports (its prefix, its package): a clean install. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(?!config_cache$)/i.test(key)));
}

/** GET until the server answers (it is starting), for at most `attempts` tries a quarter second apart. */
async function getWhenUp(url: string, attempts: number, headers: Record<string, string> = {}): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      return await fetch(url, { headers });
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

test('npm pack makes a package that npm install -g puts into a clean prefix, and its vtl serves the console and the API', { timeout: 20 * 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-package-'));
  try {
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, env: cleanEnv() });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info);
    const files = info.files.map((f) => f.path);
    for (const needed of ['dist/src/main.js', 'dist/src/management/web/assets/index.html', 'dist/src/management/web/assets/console.js', 'packaging/vtl.service', 'docs/OPERATIONS.md', 'README.md']) {
      assert.ok(files.includes(needed), `${needed} is not in the package`);
    }
    const stray = files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('dist/test/') || f.endsWith('.test.js') || f.endsWith('.ts'));
    assert.deepEqual(stray, []);

    const prefix = join(dir, 'prefix');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(dir, info.filename)], { cwd: elsewhere, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 });

    const { iscsiPort, apiPort } = await vtlPorts();
    const data = join(dir, 'data');
    const vtl = spawn(join(prefix, 'bin', 'vtl'), ['serve', '--data-dir', data, '--listen', `127.0.0.1:${iscsiPort}`, '--api-listen', `127.0.0.1:${apiPort}`], {
      cwd: elsewhere,
      env: cleanEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    vtl.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(vtl, 'exit');
    try {
      const page = await getWhenUp(`http://127.0.0.1:${apiPort}/`, 240);
      assert.equal(page.status, 200, stderr);
      assert.match(await page.text(), /\/console\/console\.js/);
      assert.equal((await fetch(`http://127.0.0.1:${apiPort}/console/console.js`)).status, 200);
      const token = (await readFile(join(data, 'api-token'), 'utf8')).trim();
      const status = await fetch(`http://127.0.0.1:${apiPort}/api/v1/status`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(status.status, 200);
      assert.equal(((await status.json()) as { version: string }).version, (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
    } finally {
      vtl.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0, `vtl serve did not stop cleanly: ${stderr}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
