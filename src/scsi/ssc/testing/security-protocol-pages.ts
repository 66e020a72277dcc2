// Test helpers for SECURITY PROTOCOL IN/OUT (security-protocol.test.ts, encrypted-blocks.test.ts): the Set Data
// Encryption page built byte by byte from the standard, the two CDBs, and the drive steps the tests share.
import { cdb, nexus, type Harness } from './drive-harness.js';


export const KEY = Buffer.alloc(32, 0x5a);

export interface SdeFields {
  scope?: number; lock?: boolean; ceem?: number; rdmc?: number; sdk?: boolean; ckod?: boolean; ckorp?: boolean; ckorl?: boolean;
  enc?: number; dec?: number; alg?: number; keyFormat?: number; kadFormat?: number; key?: Buffer;
  kads?: { type: number; value: Buffer; reserved?: number }[];
}

/** A Set Data Encryption page built byte by byte as SSC-4 8.5.4.2 lays it out (not with the code under test). */
export function sde(f: SdeFields = {}): Buffer {
  const key = f.key ?? KEY;
  const kads = (f.kads ?? []).map((k) => Buffer.concat([Buffer.from([k.type, k.reserved ?? 0, k.value.length >> 8, k.value.length & 0xff]), k.value]));
  const body = Buffer.concat([Buffer.alloc(20), key, ...kads]);
  body.writeUInt16BE(0x0010, 0);
  body.writeUInt16BE(body.length - 4, 2);
  body[4] = ((f.scope ?? 2) << 5) | (f.lock ? 1 : 0);
  body[5] = ((f.ceem ?? 0) << 6) | ((f.rdmc ?? 0) << 4) | (f.sdk ? 8 : 0) | (f.ckod ? 4 : 0) | (f.ckorp ? 2 : 0) | (f.ckorl ? 1 : 0);
  body[6] = f.enc ?? 2;
  body[7] = f.dec ?? 2;
  body[8] = f.alg ?? 1;
  body[9] = f.keyFormat ?? 0;
  body[10] = f.kadFormat ?? 0;
  body.writeUInt16BE(key.length, 18);
  return body;
}

export const spin = (protocol: number, page: number, length = 8192): number[] => [0xa2, protocol, page >> 8, page & 0xff, 0, 0, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0, 0];
export const spout = (length: number, protocol = 0x20, page = 0x0010): number[] => [0xb5, protocol, page >> 8, page & 0xff, 0, 0, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0, 0];

export async function setKey(h: Harness, f: SdeFields = {}, n = 1): Promise<void> {
  const page = sde(f);
  await h.good(spout(page.length), { dataOut: page, nexus: nexus(n) });
}

export async function senseOf(h: Harness, command: number[], options: { dataOut?: Buffer; n?: number } = {}): Promise<[number, number, number, (readonly [number, number | undefined]) | undefined]> {
  const s = await h.check(command, { ...(options.dataOut ? { dataOut: options.dataOut } : {}), nexus: nexus(options.n ?? 1) });
  return [s.key, s.asc, s.ascq, s.field];
}

/** Take the unit attentions a nexus has pending (power on for its first command, a reset). */
export async function attend(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < 3; i++) if ((await h.run(cdb.testUnitReady(), { nexus: nexus(n) })).sense?.[2] !== 0x06) break;
}

/** Write `blocks` (variable length) from nexus 1, rewind. */
export async function writeBlocks(h: Harness, ...blocks: Buffer[]): Promise<void> {
  for (const b of blocks) await h.good(cdb.write6(b.length), { dataOut: b });
  await h.good(cdb.rewind());
}

