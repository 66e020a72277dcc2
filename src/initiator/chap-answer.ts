// RFC 7143 12.1.3 CHAP from the initiator's side: answer the target's challenge (RFC 1994: H(id || secret ||
// challenge)) and, for mutual CHAP, challenge the target and check its answer.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** CHAP_A values (IANA PPP authentication algorithms) we can answer, preferred first. */
export const ChapAlgorithm = { SHA3_256: 8, SHA_256: 7, SHA1: 6, MD5: 5 } as const;

const HASH_NAMES = new Map<number, string>([
  [ChapAlgorithm.SHA3_256, 'sha3-256'],
  [ChapAlgorithm.SHA_256, 'sha256'],
  [ChapAlgorithm.SHA1, 'sha1'],
  [ChapAlgorithm.MD5, 'md5'],
]);

export function chapResponse(algorithm: number, identifier: number, secret: string, challenge: Buffer): Buffer {
  const name = HASH_NAMES.get(algorithm);
  if (name === undefined) throw new Error(`CHAP algorithm ${algorithm} is not supported`);
  return createHash(name).update(Buffer.from([identifier & 0xff])).update(secret, 'utf8').update(challenge).digest();
}

/** CHAP binary values are hex (0x) or base64 (0b) (RFC 7143 6.1). */
export function decodeChapValue(text: string): Buffer {
  const prefix = text.slice(0, 2).toLowerCase();
  if (prefix === '0x') return Buffer.from(text.slice(2), 'hex');
  if (prefix === '0b') return Buffer.from(text.slice(2), 'base64');
  throw new Error(`the target sent a CHAP value that is neither hex nor base64: "${text.slice(0, 16)}"`);
}

export function encodeChapValue(bytes: Buffer): string {
  return `0x${bytes.toString('hex')}`;
}

export interface MutualChallenge {
  readonly identifier: number;
  readonly challenge: Buffer;
}

export function newMutualChallenge(): MutualChallenge {
  return { identifier: randomBytes(1)[0], challenge: randomBytes(16) };
}

export function sameAnswer(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
