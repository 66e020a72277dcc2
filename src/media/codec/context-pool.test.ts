import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContextPool } from './context-pool.js';

test('ContextPool makes at most max contexts, never lends one to two calls at once, and takes it back from a failed call', async () => {
  let made = 0;
  const pool = new ContextPool(() => ({ id: ++made, busy: false }), 2);
  let most = 0;
  let running = 0;
  const job = (fail: boolean) => (context: { id: number; busy: boolean }): Promise<number> => {
    assert.equal(context.busy, false, `context ${context.id} lent twice`);
    context.busy = true;
    most = Math.max(most, ++running);
    return new Promise((resolve, reject) => setImmediate(() => {
      context.busy = false;
      running--;
      if (fail) reject(new Error('the call failed'));
      else resolve(context.id);
    }));
  };
  const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => pool.use(job(i % 3 === 0))));
  assert.deepEqual([made, most], [2, 2]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
  assert.ok((await pool.use(job(false))) <= 2, "a context made again");
});
