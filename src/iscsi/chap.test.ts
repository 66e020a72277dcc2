import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { ChapAuthenticator, chapResponse, decodeBinary } from './chap.js';
import { LoginReject } from './login-reject.js';

describe('CHAP', () => {
  test('the response is MD5(id || secret || challenge) as RFC 1994 defines it', () => {
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const expected = createHash('md5').update(Buffer.concat([Buffer.from([7]), Buffer.from('secret'), challenge])).digest();
    assert.deepEqual(chapResponse(5, 7, 'secret', challenge), expected);
  });

  test('binary values are accepted in hex (0x) and base64 (0b) and refused otherwise', () => {
    assert.deepEqual(decodeBinary('0x0aff'), Buffer.from([0x0a, 0xff]));
    assert.deepEqual(decodeBinary('0bAP8='), Buffer.from([0x00, 0xff]));
    assert.equal(decodeBinary('0x0af'), undefined);
    assert.equal(decodeBinary('deadbeef'), undefined);
  });

  test('a full one-way exchange succeeds and a reflected mutual challenge fails', () => {
    const creds = { username: 'u', secret: 'secret-secret', mutual: { username: 't', secret: 'target-secret' } };
    const a = new ChapAuthenticator(creds);
    const first = new Map(a.step(new Map([['CHAP_A', '6,5']])));
    assert.equal(first.get('CHAP_A'), '5');
    const id = Number(first.get('CHAP_I'));
    const challenge = decodeBinary(first.get('CHAP_C') ?? '') ?? Buffer.alloc(0);
    const r = chapResponse(5, id, creds.secret, challenge);
    assert.deepEqual(a.step(new Map([['CHAP_N', 'u'], ['CHAP_R', `0x${r.toString('hex')}`]])), []);
    assert.equal(a.authenticated, true);

    const b = new ChapAuthenticator(creds);
    const f = new Map(b.step(new Map([['CHAP_A', '5']])));
    const c = decodeBinary(f.get('CHAP_C') ?? '') ?? Buffer.alloc(0);
    const resp = chapResponse(5, Number(f.get('CHAP_I')), creds.secret, c);
    assert.throws(
      () => b.step(new Map([['CHAP_N', 'u'], ['CHAP_R', `0x${resp.toString('hex')}`], ['CHAP_I', '1'], ['CHAP_C', f.get('CHAP_C') ?? '']])),
      (e: unknown) => e instanceof LoginReject && e.status === 0x0201,
    );
  });

  test('CHAP_R before CHAP_A, or CHAP_A twice, fails authentication', () => {
    assert.throws(() => new ChapAuthenticator({ username: 'u', secret: 'secret-secret' }).step(new Map([['CHAP_R', '0x00']])), LoginReject);
    const a = new ChapAuthenticator({ username: 'u', secret: 'secret-secret' });
    a.step(new Map([['CHAP_A', '5']]));
    assert.throws(() => a.step(new Map([['CHAP_A', '5']])), LoginReject);
  });

  test('an algorithm list without MD5 or SHA-256 fails authentication', () => {
    const a = new ChapAuthenticator({ username: 'u', secret: 'secret-secret' });
    assert.throws(() => a.step(new Map([['CHAP_A', '6,128']])), LoginReject);
  });
});
