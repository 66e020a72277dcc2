// RFC 7143 6.1: text data segments are `key=value` pairs, each terminated by a NUL byte, UTF-8.
import { IscsiProtocolError } from './iscsi-protocol-error.js';
import { RejectReason } from './pdu.js';

/** 6.1: keys are at most 63 bytes; values at most 255 bytes, or 8192 for the few keys that allow more. */
export const MAX_KEY_LENGTH = 63;
export const MAX_VALUE_LENGTH = 8192;

export type TextPair = readonly [key: string, value: string];

const KEY_PATTERN = /^[A-Za-z0-9.\-+@_#?]+$/;

/** Parse a (complete, reassembled) text data segment. A trailing fragment without NUL is an error. */
export function parseTextData(data: Buffer): TextPair[] {
  const pairs: TextPair[] = [];
  let start = 0;
  // Some initiators pad with extra NULs; empty fields are skipped.
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0) continue;
    if (i > start) pairs.push(parsePair(data.subarray(start, i)));
    start = i + 1;
  }
  if (start < data.length) {
    throw new IscsiProtocolError('text data does not end with a NUL byte', RejectReason.PROTOCOL_ERROR);
  }
  return pairs;
}

function parsePair(field: Buffer): TextPair {
  const eq = field.indexOf(0x3d);
  if (eq <= 0) throw new IscsiProtocolError('text field without key=value', RejectReason.PROTOCOL_ERROR);
  const key = field.subarray(0, eq).toString('utf8');
  const value = field.subarray(eq + 1).toString('utf8');
  if (eq > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
    throw new IscsiProtocolError(`invalid text key "${key.slice(0, MAX_KEY_LENGTH)}"`, RejectReason.PROTOCOL_ERROR);
  }
  if (field.length - eq - 1 > MAX_VALUE_LENGTH) {
    throw new IscsiProtocolError(`value of ${key} is longer than ${MAX_VALUE_LENGTH} bytes`, RejectReason.PROTOCOL_ERROR);
  }
  return [key, value];
}

export function encodeTextData(pairs: readonly TextPair[]): Buffer {
  return Buffer.from(pairs.map(([k, v]) => `${k}=${v}\0`).join(''), 'utf8');
}
