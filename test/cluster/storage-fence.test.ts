// The storage fence (src/storage/fenced-storage.ts, CLUSTER.md "The fence in the storage"): a node cut off from the
// database in the middle of a host's stream loses its lease and, from that moment, changes nothing of the cartridge:
// its drive closes without flushing (no sync, no index checkpoint, no metadata save). The next owner reads what the
// first wrote while it held the lease.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CartridgeFile } from '../../src/media/cartridge-files.js';
import { startTcpProxy } from '../library/catalog-tcp-proxy.js';
import { ClusterProcess, clusterFixture } from './cluster-process.js';
import { assertFlushedReadBack, loadFirstSlot, read6, RECORD_BYTES, senseOf, session, write6 } from './cluster-session.js';

const { postgres, nodes, tempDir } = clusterFixture();

/** The cartridge folder that holds the most data (the one the test wrote to). */
function writtenCartridge(cartridges: string): string {
  const size = (name: string): number => statSync(join(cartridges, name, CartridgeFile.DATA), { throwIfNoEntry: false })?.size ?? 0;
  const [busiest] = readdirSync(cartridges).filter((n) => !n.startsWith('.')).sort((x, y) => size(y) - size(x));
  return join(cartridges, busiest);
}

/** Every file of a cartridge but its data: what closing it would save (metadata counters, an index checkpoint). */
function smallFiles(folder: string): Record<string, string> {
  return Object.fromEntries(readdirSync(folder).filter((n) => n !== CartridgeFile.DATA).sort().map((n) => [n, readFileSync(join(folder, n)).toString('base64')]));
}

test('a node cut off from the database mid-stream changes not one byte of the cartridge after its lease is lost; the next owner reads what it wrote before', { timeout: 120_000 }, async () => {
  const url = await postgres.freshDatabase();
  const proxy = await startTcpProxy(Number(new URL(url).port));
  const dir = tempDir('vtl-fence-');
  try {
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    const a = await ClusterProcess.create(dir, 'node-a', viaProxy.toString());
    const b = await ClusterProcess.create(dir, 'node-b', url);
    nodes.push(a, b);
    await a.start();
    const tokenA = Number((await a.serving())['fencingToken']);
    const { s } = await session(a.iscsiPort);
    assert.equal(await loadFirstSlot(s), 0, 'MOVE MEDIUM slot 1 -> drive 1');
    const flushed = Array.from({ length: 8 }, () => randomBytes(RECORD_BYTES));
    for (const r of flushed) assert.equal((await write6(s, r)).status, 0);
    assert.equal((await s.command(1, [0x10, 0, 0, 0, 1, 0])).status, 0, 'WRITE FILEMARKS(1) flushes');
    // Mid-stream: records answered but not flushed. Closing the cartridge would sync them and save its metadata.
    const unflushed = Array.from({ length: 4 }, () => randomBytes(RECORD_BYTES));
    for (const r of unflushed) assert.equal((await write6(s, r)).status, 0);
    const folder = writtenCartridge(join(dir, 'data', 'cartridges'));
    const before = smallFiles(folder);

    proxy.process.kill('SIGSTOP'); // node-a's database connections hang: it cannot renew its lease
    const lost = await a.waitFor((l) => l.msg === 'library lease lost: this node stops serving the library');
    assert.equal(Number(lost['fencingToken']), tokenA);
    await a.waitFor((l) => l.msg === 'the lost library\'s drives are closed');
    await s.closed;
    const discarded = a.lines.filter((l) => l.msg === 'the drive\'s unflushed data was discarded: the lease is lost');
    assert.equal(discarded.length, 1, 'the drive\'s flush at close was refused by the fence');
    assert.match(String(discarded[0]['reason']), new RegExp(`fenced \\(this node lost the lease on library "lib0" held under fencing token ${tokenA}\\)`));
    assert.deepEqual(a.lines.filter((l) => l.msg === 'a drive did not close cleanly'), []);
    assert.deepEqual(smallFiles(folder), before, 'no metadata or index saved after the loss');
    assert.ok(statSync(join(folder, CartridgeFile.DATA)).mtimeMs <= lost.time, 'the data file last changed before the loss');

    // The next owner recovers the cartridge from what node-a wrote while it held the lease.
    await b.start();
    const servedB = await b.serving(tokenA);
    assert.ok(Number(servedB['fencingToken']) > tokenA);
    const { s: s2 } = await session(b.iscsiPort);
    try {
      await assertFlushedReadBack(s2, flushed);
      // The records written after the filemark reached the file under the lease (not synced): those recovered are
      // the host's, in order, up to end of data; nothing else follows.
      let recovered = 0;
      for (; recovered <= unflushed.length; recovered++) {
        const read = await read6(s2);
        if (read.status !== 0) {
          assert.equal(senseOf(read.sense), '8/00/05', 'BLANK CHECK, end of data');
          break;
        }
        assert.ok(recovered < unflushed.length && read.dataIn.equals(unflushed[recovered]), `record ${recovered} after the filemark is the host's`);
      }
    } finally {
      s2.destroy();
    }
    await b.stop();
  } finally {
    proxy.process.kill('SIGCONT');
    proxy.process.kill('SIGKILL');
  }
});
