import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditSyslog } from '../../src/library/audit-syslog.js';
import { AuditTrail } from '../../src/library/audit-trail.js';
import { silentLogger } from '../../src/log.js';

test('each audit entry is also sent as an RFC 5424 syslog message carrying the entry\'s own line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-syslog-'));
  const receiver = createSocket('udp4');
  receiver.bind(0, '127.0.0.1');
  await once(receiver, 'listening');
  const syslog = new AuditSyslog({ host: '127.0.0.1', port: receiver.address().port, facility: 'local3', hostname: 'vtl-host' });
  try {
    const file = join(dir, 'audit.log');
    const trail = new AuditTrail({ file, log: silentLogger(), forward: (entry, line) => syslog.send(entry, line) });
    const received = once(receiver, 'message');
    await trail.record({ kind: 'cartridge.delete', outcome: 'refused', actor: 'backup01', barcode: 'A00001L8' });
    const [message] = (await received) as [Buffer];
    const line = (await readFile(file, 'utf8')).trimEnd();
    // local3 = facility 19; a refusal is a warning (4): 19 * 8 + 4 = 156.
    assert.equal(message.toString('utf8'), `<156>1 ${(JSON.parse(line) as { at: string }).at} vtl-host vtl ${process.pid} audit - ${line}`);
    const next = once(receiver, 'message');
    await trail.record({ kind: 'cartridge.export', outcome: 'done', actor: 'backup01' });
    assert.match(((await next) as [Buffer])[0].toString('utf8'), /^<157>1 /);
  } finally {
    syslog.close();
    receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a forwarder that fails does not fail the record: the entry is on disk all the same', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-syslog-'));
  try {
    const file = join(dir, 'audit.log');
    const trail = new AuditTrail({ file, log: silentLogger(), forward: () => Promise.reject(new Error('network unreachable')) });
    const entry = await trail.record({ kind: 'cartridge.export', outcome: 'done' });
    assert.equal(entry.seq, 1);
    assert.equal((await trail.verify()).status, 'intact');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
