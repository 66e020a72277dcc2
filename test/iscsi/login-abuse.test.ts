// Issue 22 finding 6: header fields that must not change during a login, and the CHAP failure policy
// (chap-backoff.ts) against an initiator guessing secrets.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, test } from 'node:test';
import { ChapBackoff, CHAP_BACKOFF_POLICY } from '../../src/iscsi/chap-backoff.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import type { InitiatorOptions } from '../initiator/iscsi-initiator.js';
import { LoginError } from '../initiator/login.js';
import { encodeText, frame, header, Op } from '../initiator/pdu-builder.js';
import { captureLog } from './capture-log.js';
import { connectionRig } from './connection-harness.js';
import { INITIATOR, TARGET, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const CHAP = { username: 'alice', secret: 'alice-secret-123' };

/** A Login Request header in the security stage, T=0; `cont` sets the C bit. */
function loginPdu(o: { isid?: number; itt?: number; cid?: number; cont?: boolean; csg?: number; cmdSN?: number }, text: Buffer): Buffer {
  const bhs = header(Op.LOGIN_REQUEST, true, (o.cont ? 0x40 : 0) | ((o.csg ?? 0) << 2));
  Buffer.from([0x80, 0, 0, 0, 0, o.isid ?? 1]).copy(bhs, 8);
  bhs.writeUInt32BE(o.itt ?? 7, 16);
  bhs.writeUInt16BE(o.cid ?? 0, 20);
  bhs.writeUInt32BE(o.cmdSN ?? 1, 24);
  return frame(bhs, text, false, false);
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LoginError) return `${err.statusClass.toString(16).padStart(2, '0')}/${err.statusDetail.toString(16).padStart(2, '0')}`;
    throw err;
  }
  assert.fail('login succeeded');
}

describe('login abuse', () => {
  const firstText = encodeText([['InitiatorName', INITIATOR], ['TargetName', TARGET], ['AuthMethod', 'None']]);
  const halves = [firstText.subarray(0, 20), firstText.subarray(20)];

  for (const [field, changed] of [
    ['ISID', { isid: 2 }], ['ITT', { itt: 8 }], ['CID', { cid: 5 }], ['CSG', { csg: 1 }], ['CmdSN', { cmdSN: 2 }],
  ] as const) {
    test(`a ${field} changed in the continuation (C bit) of a login request is refused with 02/00 and logged`, async () => {
      const captured = captureLog();
      const rig = connectionRig(undefined, captured.log);
      const replies: Buffer[] = [];
      rig.initiator.on('data', (c: Buffer) => replies.push(c));
      rig.connection.receive(loginPdu({ cont: true }, halves[0]));
      rig.connection.receive(loginPdu({ ...changed }, halves[1]));
      await nextTurn();
      const out = Buffer.concat(replies);
      assert.equal(out.length, 96, 'an empty acknowledgement of the first part, then the refusal');
      assert.deepEqual([out[48 + 36], out[48 + 37]], [0x02, 0x00]);
      assert.ok(rig.connection.isClosing);
      const refused = captured.records().filter((r) => r.msg === `login refused: ${field} changed during login (in a continuation, C bit)`);
      assert.equal(refused.length, 1, captured.lines.join('\n'));
      rig.connection.close('test done');
    });
  }

  test('the same fields unchanged across the continuation log in', async () => {
    const rig = connectionRig();
    const replies: Buffer[] = [];
    rig.initiator.on('data', (c: Buffer) => replies.push(c));
    rig.connection.receive(loginPdu({ cont: true }, halves[0]));
    rig.connection.receive(loginPdu({}, halves[1]));
    await nextTurn();
    const out = Buffer.concat(replies);
    assert.equal(out[48] & 0x3f, Op.LOGIN_RESPONSE);
    assert.deepEqual([out[48 + 36], out[48 + 37]], [0, 0]);
    assert.equal(rig.connection.isClosing, false);
    rig.connection.close('test done');
  });

  describe('repeated CHAP failures', () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    test('lock the initiator out with 02/01 for a growing time, logged once per lockout; a success clears it', async () => {
      const captured = captureLog();
      let clock = 1_000_000;
      const policy = { ...CHAP_BACKOFF_POLICY, maxFailures: 3 };
      h = await startHarness({ access: { initiators: [], chap: CHAP }, log: captured.log, chapBackoff: new ChapBackoff(captured.log, policy, () => clock) });
      const port = h.port;
      const connect = (o: Partial<InitiatorOptions>): Promise<IscsiInitiator> =>
        IscsiInitiator.connect({ host: '127.0.0.1', port, targetName: TARGET, initiatorName: INITIATOR, ...o });
      const wrong = { chap: { username: CHAP.username, secret: 'guess-number-one' } };
      const right = { chap: CHAP };
      const lockouts = (): Record<string, unknown>[] => captured.records().filter((r) => r.msg === 'repeated CHAP failures: further logins refused for a while');

      for (let i = 0; i < 3; i++) assert.equal(await refusal(connect(wrong)), '02/01');
      assert.equal(lockouts().length, 2, JSON.stringify(lockouts(), null, 1));
      assert.deepEqual(lockouts().map((r) => r.lockoutMs), [10_000, 10_000]);
      // Locked: even the right secret is refused, without a log line per attempt.
      for (let i = 0; i < 5; i++) assert.equal(await refusal(connect(right)), '02/01');
      assert.equal(lockouts().length, 2);
      assert.equal(captured.records().filter((r) => r.level === 40 && /locked out/.test(String(r.msg))).length, 0);

      clock += 10_000;
      for (let i = 0; i < 3; i++) assert.equal(await refusal(connect(wrong)), '02/01');
      assert.deepEqual(lockouts().slice(2).map((r) => r.lockoutMs), [20_000, 20_000], 'the second lockout is twice as long');
      clock += 19_999;
      assert.equal(await refusal(connect(right)), '02/01');
      clock += 1;
      const s = await connect(right);
      await s.logout();
      // The success cleared the record: three more failures start at the first lockout again.
      for (let i = 0; i < 3; i++) assert.equal(await refusal(connect(wrong)), '02/01');
      assert.deepEqual(lockouts().slice(4).map((r) => r.lockoutMs), [10_000, 10_000]);
    });
  });
});
