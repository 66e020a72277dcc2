// Test support: checks on encoded fixed-format sense bytes, written independently of the sense encoder.
import assert from 'node:assert/strict';
import type { ScsiResponse } from '../logical-unit.js';

export const GOOD = 0x00;
export const CHECK_CONDITION = 0x02;

/** SKS bytes 15-17 of a field pointer: SKSV, C/D, BPV and bit, then the 16-bit byte offset. */
export function fieldPointerBytes(inCdb: boolean, byte: number, bit?: number): number[] {
  return [0x80 | (inCdb ? 0x40 : 0) | (bit === undefined ? 0 : 0x08 | bit), byte >> 8, byte & 0xff];
}

/** Assert CHECK CONDITION with fixed sense key/ASC/ASCQ and, when given, the SKS field pointer. */
export function assertCheck(res: ScsiResponse, key: number, asc: number, ascq: number, sks?: number[]): void {
  assert.equal(res.status, CHECK_CONDITION, 'status is CHECK CONDITION');
  const s = res.sense;
  assert.ok(s, 'sense data present');
  assert.equal(s[0] & 0x7f, 0x70, 'fixed format, current error');
  assert.deepEqual([s[2] & 0x0f, s[12], s[13]], [key, asc, ascq]);
  if (sks) assert.deepEqual([...s.subarray(15, 18)], sks);
}

export function assertInvalidFieldInCdb(res: ScsiResponse, byte: number, bit?: number): void {
  assertCheck(res, 0x05, 0x24, 0x00, fieldPointerBytes(true, byte, bit));
}

export function assertInvalidFieldInParameterList(res: ScsiResponse, byte: number, bit?: number): void {
  assertCheck(res, 0x05, 0x26, 0x00, fieldPointerBytes(false, byte, bit));
}

export function assertGood(res: ScsiResponse): void {
  assert.equal(res.status, GOOD, `status GOOD, got ${res.status} ${res.sense?.toString('hex') ?? ''}`);
}

/** Bytes of an ASCII string. */
export function ascii(text: string): number[] {
  return [...Buffer.from(text, 'latin1')];
}
