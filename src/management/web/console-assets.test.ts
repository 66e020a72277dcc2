import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleAssets } from './console-assets.js';

async function withAssets(files: Record<string, string>, run: (assets: ConsoleAssets | undefined, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-console-assets-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await run(await ConsoleAssets.load(dir), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function serve(assets: ConsoleAssets, run: (url: string) => Promise<void>): Promise<void> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (assets.has(path)) assets.send(request, response, path);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

const BUILT = { 'index.html': '<!doctype html><title>t</title>', 'console.js': 'export {};', 'console.css': 'body{}', 'notes.txt': 'not served' };

test('ConsoleAssets.load() finds no console in a directory without the page and its script', async () => {
  await withAssets({ 'index.html': '<!doctype html>' }, async (assets) => assert.equal(assets, undefined));
  assert.equal(await ConsoleAssets.load(join(tmpdir(), 'vtl-no-such-dir-for-sure')), undefined);
});

test('the page is served at / and its files under /console/, with their types and a policy that allows only this origin', async () => {
  await withAssets(BUILT, async (assets) => {
    assert.ok(assets);
    await serve(assets, async (url) => {
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'; .*connect-src 'self'.*frame-ancestors 'none'/);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(await page.text(), BUILT['index.html']);
      assert.equal((await fetch(`${url}/console/console.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal((await fetch(`${url}/console/console.css`)).headers.get('content-type'), 'text/css; charset=utf-8');
      assert.equal((await fetch(`${url}/console/notes.txt`)).status, 404, 'a file of no known type is not served');
      assert.equal((await fetch(`${url}/console/index.html`)).status, 404, 'the page is served at / only');
    });
  });
});

test('a browser holding the current version is answered 304 and revalidates every time (no stale script after an upgrade)', async () => {
  await withAssets(BUILT, async (assets) => {
    assert.ok(assets);
    await serve(assets, async (url) => {
      const first = await fetch(`${url}/console/console.js`);
      const etag = first.headers.get('etag') ?? '';
      assert.match(etag, /^"[\w-]{27}"$/);
      assert.equal(first.headers.get('cache-control'), 'no-cache');
      const again = await fetch(`${url}/console/console.js`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      assert.equal((await fetch(`${url}/console/console.js`, { headers: { 'if-none-match': '"older"' } })).status, 200);
    });
  });
});
