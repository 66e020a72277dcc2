// RFC 7143 12.1.3 / RFC 1994: CHAP in the security negotiation stage, one-way and mutual. CHAP_A 5 (MD5) and
// 7 (SHA-256, where the initiator offers it). Secrets never leave this file: not in errors, not in logs.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { LoginReject } from './login-reject.js';
import { LoginStatus } from './pdu.js';
import type { TextPair } from './text-data.js';

export interface ChapCredentials {
  readonly username: string;
  readonly secret: string;
  /** Mutual CHAP: how the target authenticates itself to the initiator. */
  readonly mutual?: { readonly username: string; readonly secret: string };
}

/** CHAP_A values (IANA PPP authentication algorithms) with their hash and challenge length. */
const ALGORITHMS: ReadonlyMap<number, { readonly hash: string; readonly challengeBytes: number }> = new Map([
  [5, { hash: 'md5', challengeBytes: 16 }],
  [7, { hash: 'sha256', challengeBytes: 32 }],
]);

/** Largest binary value accepted in CHAP_C / CHAP_R (RFC 7143 12.1.3 limits them to 1024 bytes). */
const MAX_BINARY = 1024;

export function chapResponse(algorithm: number, id: number, secret: string, challenge: Buffer): Buffer {
  const a = ALGORITHMS.get(algorithm);
  if (!a) throw new Error(`CHAP_A ${algorithm} is not supported`);
  return createHash(a.hash).update(Buffer.from([id & 0xff])).update(Buffer.from(secret, 'utf8')).update(challenge).digest();
}

/** 6.1 binary values: 0x hex or 0b base64. */
export function decodeBinary(value: string): Buffer | undefined {
  let b: Buffer | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(value) && value.length % 2 === 0) b = Buffer.from(value.slice(2), 'hex');
  else if (/^0[bB][A-Za-z0-9+/]+=*$/.test(value)) b = Buffer.from(value.slice(2), 'base64');
  if (!b || b.length === 0 || b.length > MAX_BINARY) return undefined;
  return b;
}

const fail = (message: string): LoginReject => new LoginReject(LoginStatus.AUTHENTICATION_FAILURE, message);

export class ChapAuthenticator {
  private algorithm = 0;
  private id = 0;
  private challenge: Buffer = Buffer.alloc(0);
  private state: 'algorithm' | 'response' | 'done' = 'algorithm';

  constructor(private readonly credentials: ChapCredentials) {}

  get authenticated(): boolean {
    return this.state === 'done';
  }

  /** Handle the CHAP keys of one login request. Throws LoginReject on failure. */
  step(keys: ReadonlyMap<string, string>): TextPair[] {
    if (this.state === 'algorithm') {
      const offered = keys.get('CHAP_A');
      if (offered === undefined) {
        if (keys.size > 0) throw fail('CHAP keys before CHAP_A');
        return [];
      }
      const pick = offered.split(',').map(Number).find((a) => ALGORITHMS.has(a));
      if (pick === undefined) throw fail(`no supported CHAP_A in "${offered.slice(0, 64)}"`);
      this.algorithm = pick;
      this.id = randomInt(256);
      this.challenge = randomBytes(ALGORITHMS.get(pick)?.challengeBytes ?? 16);
      this.state = 'response';
      return [['CHAP_A', String(pick)], ['CHAP_I', String(this.id)], ['CHAP_C', `0x${this.challenge.toString('hex')}`]];
    }
    if (this.state === 'done') {
      if ([...keys.keys()].some((k) => k.startsWith('CHAP_'))) throw fail('CHAP keys after authentication');
      return [];
    }
    if (keys.has('CHAP_A')) throw fail('CHAP_A sent twice');
    const name = keys.get('CHAP_N');
    const response = keys.get('CHAP_R');
    if (name === undefined || response === undefined) {
      throw new LoginReject(LoginStatus.MISSING_PARAMETER, 'CHAP_N or CHAP_R missing');
    }
    const got = decodeBinary(response);
    const want = chapResponse(this.algorithm, this.id, this.credentials.secret, this.challenge);
    const userOk = name === this.credentials.username;
    const responseOk = got !== undefined && got.length === want.length && timingSafeEqual(got, want);
    if (!userOk || !responseOk) throw fail(`CHAP authentication of "${name.slice(0, 64)}" failed`);
    this.state = 'done';
    const idValue = keys.get('CHAP_I');
    const challengeValue = keys.get('CHAP_C');
    if (idValue === undefined && challengeValue === undefined) return [];
    // Mutual CHAP: the initiator challenges us.
    const mutual = this.credentials.mutual;
    if (!mutual) throw fail('initiator asked for mutual CHAP, which is not configured for this target');
    // 12.1.3: one secret must not serve both directions, or the initiator could reflect our challenge.
    if (mutual.secret === this.credentials.secret) throw fail('mutual CHAP secret equals the initiator secret');
    const id = Number(idValue);
    const challenge = challengeValue === undefined ? undefined : decodeBinary(challengeValue);
    if (!Number.isInteger(id) || id < 0 || id > 255 || !/^\d+$/.test(idValue ?? '') || !challenge) {
      throw fail('malformed mutual CHAP_I or CHAP_C');
    }
    // A reflected challenge would let an attacker use us as an oracle (RFC 7143 12.1.3).
    if (challenge.equals(this.challenge)) throw fail('initiator reflected the target challenge');
    const answer = chapResponse(this.algorithm, id, mutual.secret, challenge);
    return [['CHAP_N', mutual.username], ['CHAP_R', `0x${answer.toString('hex')}`]];
  }
}
