// The production initiator (src/initiator) against Debian's tgt: login with and without CHAP, data both ways in
// segments larger than one PDU, and a session that comes back after its connection was dropped.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { LoginFailedError } from '../../src/initiator/login.js';
import { IscsiSession, discoverTargets } from '../../src/initiator/iscsi-session.js';
import { IscsiConnectionError } from '../../src/initiator/initiator-errors.js';
import { tgtLibrary, TEST_INITIATOR, type TgtLibrary } from './tgt-library.js';

const tgt: TgtLibrary = tgtLibrary();
const sessions: IscsiSession[] = [];
after(async () => {
  for (const s of sessions) await s.close();
});

function session(extra: Partial<ConstructorParameters<typeof IscsiSession>[0]> = {}): IscsiSession {
  const s = new IscsiSession({ host: tgt.host, port: tgt.port, initiatorName: TEST_INITIATOR, targetName: tgt.iqn, retryDelayMs: 50, ...extra });
  sessions.push(s);
  return s;
}

const inquiry = (lun: number): { lun: number; cdb: Buffer; dataInLength: number } => ({ lun, cdb: Buffer.from([0x12, 0, 0, 0, 96, 0]), dataInLength: 96 });

test('discovery lists the library target and the CHAP target', async () => {
  const targets = await discoverTargets({ host: tgt.host, port: tgt.port, initiatorName: TEST_INITIATOR });
  const names = targets.map((t) => t.name);
  assert.ok(names.includes(tgt.iqn) && names.includes(tgt.chapIqn), names.join(', '));
});

test('a session logs in and reads the changer identity with INQUIRY', async () => {
  const s = session();
  const r = await s.execute(inquiry(3));
  assert.equal(r.status, 0);
  assert.equal(r.data[0] & 0x1f, 0x08, 'peripheral device type medium changer');
  assert.equal(s.negotiated?.initialR2T, false);
  assert.equal(s.negotiated?.targetMaxRecvDataSegmentLength, 262144);
});

test('CHAP with the right secret logs in; a wrong secret fails with authentication failure and no retry', async () => {
  const good = session({ targetName: tgt.chapIqn, chap: { username: tgt.chapUser, secret: tgt.chapSecret } });
  assert.equal((await good.execute(inquiry(1))).status, 0);
  const bad = session({ targetName: tgt.chapIqn, chap: { username: tgt.chapUser, secret: 'not-the-secret-1' }, loginAttempts: 5 });
  await assert.rejects(bad.open(), (err: unknown) => err instanceof LoginFailedError && err.statusClass === 2 && err.permanent);
});

test('a target without our CHAP account refuses a login without CHAP', async () => {
  const s = session({ targetName: tgt.chapIqn, loginAttempts: 1 });
  await assert.rejects(s.open(), LoginFailedError);
});

test('a dropped connection fails nothing that was not in flight: the next command reinstates the session', async () => {
  const s = session();
  await s.open();
  s.dropConnection();
  const r = await s.execute(inquiry(3));
  assert.equal(r.status, 0);
  assert.equal(s.reconnects, 1);
});

test('a command issued as the connection drops rejects with IscsiConnectionError', async () => {
  const s = session();
  await s.open();
  const pending = s.execute(inquiry(3));
  s.dropConnection();
  await assert.rejects(pending, IscsiConnectionError);
});

test('a portal that does not listen fails with the connection error after the configured attempts', async () => {
  const s = session({ port: 1, loginAttempts: 2, retryDelayMs: 10 });
  await assert.rejects(s.open(), (err: unknown) => err instanceof IscsiConnectionError && /ECONNREFUSED/.test(err.message));
});

test('with header and data digests negotiated, commands with data both ways complete', async () => {
  const s = session({ targetName: tgt.chapIqn, chap: { username: tgt.chapUser, secret: tgt.chapSecret }, headerDigest: true, dataDigest: true });
  const r = await s.execute(inquiry(1));
  assert.equal(r.status, 0);
  assert.equal(s.negotiated?.headerDigest, true);
  assert.equal(s.negotiated?.dataDigest, true);
  const page = await s.execute({ lun: 1, cdb: Buffer.from([0x12, 1, 0x80, 0, 255, 0]), dataInLength: 255 });
  assert.equal(page.status, 0);
  assert.equal(page.data[1], 0x80, 'unit serial number page');
});
