// RFC 1994 CHAP as iSCSI uses it (RFC 7143 12.1.3): R = H(I || secret || C), hex values with a 0x prefix.
import { createHash, randomBytes } from 'node:crypto';

export const ChapAlgorithm = { MD5: 5, SHA_256: 7 } as const;

export function chapHash(algorithm: number, id: number, secret: string, challenge: Buffer): Buffer {
  const name = algorithm === ChapAlgorithm.MD5 ? 'md5' : algorithm === ChapAlgorithm.SHA_256 ? 'sha256' : undefined;
  if (!name) throw new Error(`CHAP_A ${algorithm} is not supported by the test initiator`);
  return createHash(name).update(Buffer.from([id & 0xff])).update(Buffer.from(secret, 'utf8')).update(challenge).digest();
}

export function decodeChapBinary(value: string): Buffer {
  if (/^0x/i.test(value)) return Buffer.from(value.slice(2), 'hex');
  if (/^0b/i.test(value)) return Buffer.from(value.slice(2), 'base64');
  throw new Error(`not a CHAP binary value: ${value}`);
}

export function newChallenge(length: number): Buffer {
  return randomBytes(length);
}
