// What a checked data record gives the host (FORMAT.md "Encrypted records", "Encryption at rest"): the block as it
// is, the host's envelope (opened already when the drive lent its key), or the payload inside an at-rest envelope.
// The invariant it owns: memory the reader lent for the record either goes with the outcome (its release) or goes
// back at once, never both and never neither, also when an at-rest envelope does not open.
import type { AtRestSeal } from './crypto/at-rest-seal.js';
import { isAtRestRecord, isEncryptedRecord } from './record-header.js';
import type { RecordResult } from './record-reader.js';
import { placeOf } from './crypto/record-opener.js';
import type { ReadOutcome } from './tape-medium.js';

/** What opening an at-rest envelope takes (crypto/at-rest-seal.ts). */
export type AtRestOpening = Pick<AtRestSeal, 'open' | 'unpack'>;

/** A record read whole with its CRCs checked. */
export type CheckedRecord = Exclude<RecordResult, { readonly problem: string }>;

/** Logical bytes the host reads from this record, as the medium's counters count them. */
export function logicalBytesOf(record: CheckedRecord): number {
  return isAtRestRecord(record.header) || isEncryptedRecord(record.header) ? record.header.logicalLength : record.data.length;
}

/**
 * Data record `record` as the host gets it, or why a record encrypted at rest does not open
 * with `atRest` (its lent memory is then given back). A plain record costs one object here, its outcome.
 */
export function hostOutcome(record: CheckedRecord, atRest: AtRestOpening | undefined): ReadOutcome | { readonly problem: string } {
  const { header, release } = record;
  if (isAtRestRecord(header)) return openedAtRest(record, atRest);
  if (isEncryptedRecord(header)) {
    const host = record.opened?.host;
    return { kind: 'encrypted-block', envelope: record.data, place: placeOf(header), ...(release ? { release } : {}), ...(host ? { opened: host } : {}) };
  }
  return release ? { kind: 'block', data: record.data, release } : { kind: 'block', data: record.data };
}

function openedAtRest(record: CheckedRecord, atRest: AtRestOpening | undefined): ReadOutcome | { readonly problem: string } {
  const { header } = record;
  const place = placeOf(header);
  const hostSealed = isEncryptedRecord(header);
  // Opened as it was read (its forms in lent memory), or here.
  const opened = record.opened;
  let inner: Buffer | string;
  if (opened === undefined) inner = atRest?.open(record.data, place, hostSealed) ?? 'there is no data key for it';
  else inner = opened.atRestRefused ?? atRest?.unpack(opened.data, place, hostSealed) ?? 'there is no data key for it';
  const lent = opened !== undefined && inner === opened.data ? record.release : undefined;
  if (lent === undefined) record.release?.();
  if (typeof inner === 'string') return { problem: inner };
  if (!hostSealed) return lent ? { kind: 'block', data: inner, release: lent } : { kind: 'block', data: inner };
  const host = opened?.host;
  return { kind: 'encrypted-block', envelope: inner, place, ...(lent ? { release: lent } : {}), ...(host ? { opened: host } : {}) };
}
