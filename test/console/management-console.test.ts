import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, type ApiHarness } from '../management/harness.js';

describe('the console on the API listener', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApi();
  });
  after(async () => {
    await h.close();
  });

  test('the console page and script are served without a token, and nothing else is', async () => {
    const page = await fetch(`${h.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module" src="\/console\/console\.js"><\/script>/);
    assert.equal((await fetch(`${h.url}/console/console.js`)).status, 200);
    assert.equal((await fetch(`${h.url}/console/../api/v1/status`)).status, 401);
    assert.equal((await fetch(`${h.url}/console/nothing.js`)).status, 401);
    assert.equal((await fetch(`${h.url}/`, { method: 'POST' })).status, 401);
  });

  test('GET /whoami names the token and its role, for every role', async () => {
    assert.deepEqual((await h.call('GET', '/api/v1/whoami')).body, { name: 'api-token', role: 'admin' });
    const viewer = (await h.call('POST', '/api/v1/tokens', { name: 'monitor', role: 'viewer' })).body as { secret: string };
    assert.deepEqual((await h.call('GET', '/api/v1/whoami', undefined, viewer.secret)).body, { name: 'monitor', role: 'viewer' });
    assert.equal((await h.call('GET', '/api/v1/whoami', undefined, null)).status, 401);
  });
});
