// Login: CHAP (one-way, mutual, SHA-256, wrong secret), access control, unknown targets, status classes,
// the negotiation table's answers, and discovery with SendTargets.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import type { InitiatorOptions } from '../initiator/iscsi-initiator.js';
import { LoginError } from '../initiator/login.js';
import { fakeTarget } from './fake-unit.js';
import { INITIATOR, TARGET, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const CHAP = { username: 'alice', secret: 'alice-secret-123', mutual: { username: 'vtl-target', secret: 'target-secret-456' } };

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LoginError) return `${err.statusClass.toString(16).padStart(2, '0')}/${err.statusDetail.toString(16).padStart(2, '0')}`;
    throw err;
  }
  assert.fail('login succeeded');
}

describe('login', () => {
  let h: Harness | undefined;
  const start = async (o: Parameters<typeof startHarness>[0] = {}): Promise<Harness> => (h = await startHarness(o));
  const connect = (o: Partial<InitiatorOptions> = {}): Promise<IscsiInitiator> => {
    assert.ok(h);
    return IscsiInitiator.connect({ host: '127.0.0.1', port: h.port, targetName: TARGET, initiatorName: INITIATOR, ...o });
  };
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  test('CHAP with the right secret logs in, MD5 and SHA-256', async () => {
    await start({ access: { initiators: [], chap: CHAP } });
    const md5 = await connect({ chap: { username: CHAP.username, secret: CHAP.secret, algorithms: [5] } });
    assert.equal(md5.negotiated.get('CHAP_A'), '5');
    assert.equal((await md5.command(0, [0, 0, 0, 0, 0, 0])).status, 0);
    await md5.logout();
    const sha = await connect({ chap: { username: CHAP.username, secret: CHAP.secret, algorithms: [7, 5] }, isid: Buffer.from([0x80, 0, 0, 0, 0, 3]) });
    assert.equal(sha.negotiated.get('CHAP_A'), '7');
    await sha.logout();
  });

  test('mutual CHAP: the target proves it knows the mutual secret', async () => {
    await start({ access: { initiators: [], chap: CHAP } });
    const s = await connect({ chap: { username: CHAP.username, secret: CHAP.secret }, mutualChap: CHAP.mutual });
    await s.logout();
    await assert.rejects(connect({ chap: { username: CHAP.username, secret: CHAP.secret }, mutualChap: { ...CHAP.mutual, secret: 'some-other-secret' } }), /mutual CHAP/);
  });

  test('a wrong secret, a wrong user name or no CHAP at all is refused with 02/01 authentication failure', async () => {
    await start({ access: { initiators: [], chap: { username: CHAP.username, secret: CHAP.secret } } });
    assert.equal(await refusal(connect({ chap: { username: CHAP.username, secret: 'not-the-secret' } })), '02/01');
    assert.equal(await refusal(connect({ chap: { username: 'mallory', secret: CHAP.secret } })), '02/01');
    assert.equal(await refusal(connect({})), '02/01');
    assert.equal(await refusal(connect({ skipSecurity: true })), '02/01');
    // The target has no mutual secret: a request for mutual CHAP fails.
    assert.equal(await refusal(connect({ chap: { username: CHAP.username, secret: CHAP.secret }, mutualChap: CHAP.mutual })), '02/01');
  });

  test('an initiator not in the access list is refused with 02/02; a listed one is let in', async () => {
    await start({ access: { initiators: ['iqn.2026-11.org.vtl:allowed'] } });
    assert.equal(await refusal(connect()), '02/02');
    const s = await connect({ initiatorName: 'iqn.2026-11.org.vtl:allowed' });
    await s.logout();
  });

  test('an unknown target is 02/03, a missing TargetName 02/07, a TSIH of no session 02/0a', async () => {
    await start();
    assert.equal(await refusal(connect({ targetName: 'iqn.2026-11.org.vtl:nothing' })), '02/03');
    assert.equal(await refusal(connect({ targetName: undefined })), '02/07');
    assert.equal(await refusal(connect({ tsih: 77 })), '02/0a');
  });

  test('the operational stage answers by the negotiation table', async () => {
    await start({ limits: { maxBurstLength: 131072 } });
    const s = await connect({
      maxBurstLength: 16776192,
      firstBurstLength: 262144,
      extraKeys: [['X-com.example.Foo', 'bar'], ['IFMarker', 'No'], ['OFMarkInt', '2048~8192'], ['iSCSIProtocolLevel', '99'], ['TaskReporting', 'FastAbort,RFC3720'], ['Unknown', '1']],
    });
    const n = s.negotiated;
    assert.equal(n.get('MaxBurstLength'), '131072');
    assert.equal(n.get('FirstBurstLength'), '131072', 'clamped to MaxBurstLength');
    assert.equal(n.get('X-com.example.Foo'), 'NotUnderstood');
    assert.equal(n.get('Unknown'), 'NotUnderstood');
    assert.equal(n.get('IFMarker'), 'No');
    assert.equal(n.get('OFMarkInt'), 'Reject');
    assert.equal(n.get('iSCSIProtocolLevel'), 'Reject', 'out of range');
    assert.equal(n.get('TaskReporting'), 'RFC3720', 'first offered value we support');
    assert.equal(n.get('ErrorRecoveryLevel'), '0');
    assert.equal(n.get('MaxConnections'), '1');
    assert.equal(n.get('DataPDUInOrder'), 'Yes');
    assert.equal(n.get('TargetPortalGroupTag'), '1');
    assert.equal(n.get('TargetAlias'), 'test target');
    assert.ok(Number(n.get('MaxRecvDataSegmentLength')) >= 8192);
    await s.logout();
  });

  test('a login whose text is not key=value, or that repeats a key, is refused with 02/00', async () => {
    await start();
    assert.equal(await refusal(connect({ extraKeys: [['=', 'x']] })), '02/00');
    assert.equal(await refusal(connect({ extraKeys: [['MaxOutstandingR2T', '4']] })), '02/00');
  });

  test('discovery with SendTargets=All lists the targets this initiator may use, with address and portal group', async () => {
    const { device } = fakeTarget([0]);
    await start({
      extraTargets: [
        { name: 'iqn.2026-11.org.vtl:other', portalGroupTag: 3, device, access: { initiators: [] } },
        { name: 'iqn.2026-11.org.vtl:private', portalGroupTag: 1, device, access: { initiators: ['iqn.2026-11.org.vtl:someone-else'] } },
      ],
    });
    assert.ok(h);
    const found = await IscsiInitiator.discover({ host: '127.0.0.1', port: h.port, initiatorName: INITIATOR });
    assert.deepEqual(found, [
      { name: TARGET, addresses: [`127.0.0.1:${h.port},1`] },
      { name: 'iqn.2026-11.org.vtl:other', addresses: [`127.0.0.1:${h.port},3`] },
    ]);
    const one = await IscsiInitiator.discover({ host: '127.0.0.1', port: h.port, initiatorName: INITIATOR, sendTargets: 'iqn.2026-11.org.vtl:other' });
    assert.deepEqual(one.map((t) => t.name), ['iqn.2026-11.org.vtl:other']);
  });

  test('discovery answers session keys that do not apply with Irrelevant and refuses SCSI commands', async () => {
    await start();
    const s = await connect({ sessionType: 'Discovery', targetName: undefined, extraKeys: [['MaxBurstLength', '65536']] });
    assert.equal(s.negotiated.get('MaxBurstLength'), 'Irrelevant');
    await assert.rejects(s.command(0, [0, 0, 0, 0, 0, 0]), /rejected/);
    await s.logout();
  });

  test('discovery CHAP protects SendTargets', async () => {
    await start({ discoveryChap: { username: 'disc', secret: 'discovery-secret' } });
    assert.ok(h);
    const port = h.port;
    assert.equal(await refusal(IscsiInitiator.discover({ host: '127.0.0.1', port, initiatorName: INITIATOR })), '02/01');
    const found = await IscsiInitiator.discover({ host: '127.0.0.1', port, initiatorName: INITIATOR, chap: { username: 'disc', secret: 'discovery-secret' } });
    assert.equal(found.length, 1);
  });

  test('a SendTargets answer longer than the initiator accepts comes in continued Text Responses', async () => {
    const { device } = fakeTarget([0]);
    const many = Array.from({ length: 40 }, (_, i) => ({
      name: `iqn.2026-11.org.vtl:library-with-a-long-name-${String(i).padStart(3, '0')}`, portalGroupTag: 1, device, access: { initiators: [] },
    }));
    await start({ extraTargets: many });
    assert.ok(h);
    const found = await IscsiInitiator.discover({ host: '127.0.0.1', port: h.port, initiatorName: INITIATOR, maxRecvDataSegmentLength: 512 });
    assert.equal(found.length, 41);
    assert.equal(found[40].name, many[39].name);
  });

  test('SendTargets in a normal session reports only the session target', async () => {
    const { device } = fakeTarget([0]);
    await start({ extraTargets: [{ name: 'iqn.2026-11.org.vtl:other', portalGroupTag: 3, device, access: { initiators: [] } }] });
    const s = await connect();
    const pairs = await s.text([['SendTargets', 'All']]);
    assert.deepEqual(pairs.filter(([k]) => k === 'TargetName').map(([, v]) => v), [TARGET]);
    await s.logout();
  });
});
