// The connection cap (docs/ISCSI.md, "Memory bounds"): one connection past maxConnections is closed at accept and
// logged once per burst; the connections already open carry on, and a new one is accepted once one has closed.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { captureLog } from './capture-log.js';
import { INITIATOR, TARGET, startHarness } from './harness.js';

async function closedByPeer(port: number): Promise<boolean> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.resume();
  const [outcome] = await Promise.race([once(socket, 'close').then(() => ['closed']), new Promise<string[]>((r) => setTimeout(() => r(['open']), 2000))]);
  socket.destroy();
  return outcome === 'closed';
}

test('connections past maxConnections are closed at accept, logged once, and the open ones carry on', async () => {
  const captured = captureLog();
  const h = await startHarness({ maxConnections: 2, log: captured.log });
  after(() => h.close());
  const options = { host: '127.0.0.1', port: h.port, targetName: TARGET, initiatorName: INITIATOR };
  const first = await IscsiInitiator.connect(options);
  const second = await IscsiInitiator.connect({ ...options, isid: Buffer.from('400000000002', 'hex') });
  assert.equal(await closedByPeer(h.port), true, 'the third connection is closed');
  assert.equal(await closedByPeer(h.port), true, 'and the fourth');
  const refusals = captured.records().filter((r) => String(r.msg).startsWith('connection refused: too many connections'));
  assert.equal(refusals.length, 1, 'one log line for the burst');
  const inquiry = await first.command(0, [0x12, 0, 0, 0, 36, 0], { expectedDataInLength: 36 });
  assert.equal(inquiry.status, 0);
  await second.logout();
  while (h.server.outputStates().length > 1) await new Promise((r) => setTimeout(r, 10));
  const third = await IscsiInitiator.connect({ ...options, isid: Buffer.from('400000000003', 'hex') });
  await third.logout();
  await first.logout();
});
