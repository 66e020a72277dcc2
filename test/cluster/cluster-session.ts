// A host's iSCSI session to lib0 of a cluster node, and the few tape commands the cluster tests send through it.
import assert from 'node:assert/strict';
import { IscsiInitiator, type CommandResult } from '../initiator/iscsi-initiator.js';
import { IQN } from './cluster-process.js';

export const INITIATOR = 'iqn.2026-11.org.vtl.test:cluster';
export const SLOT = [0x10, 0x00];
export const DRIVE = [0x01, 0x00];
export const RECORD_BYTES = 32 * 1024;

/** A session to lib0 at `port`, past the unit attentions of a new nexus; the drive's first TEST UNIT READY sense kept. */
export async function session(port: number): Promise<{ s: IscsiInitiator; firstSense: Buffer | undefined }> {
  const s = await IscsiInitiator.connect({ host: '127.0.0.1', port, initiatorName: INITIATOR, targetName: IQN });
  for (let i = 0; i < 3 && (await s.command(0, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
  let firstSense: Buffer | undefined;
  for (let i = 0; i < 5; i++) {
    const r = await s.command(1, [0x00, 0, 0, 0, 0, 0]);
    firstSense ??= r.sense;
    if (r.status === 0) break;
  }
  return { s, firstSense };
}

/** Sense key / ASC / ASCQ of fixed-format sense data. */
export function senseOf(sense: Buffer | undefined): string {
  if (!sense) return 'none';
  return `${(sense[2] & 0x0f).toString(16)}/${sense[12].toString(16).padStart(2, '0')}/${sense[13].toString(16).padStart(2, '0')}`;
}

/** MOVE MEDIUM from slot 1 to drive 1, then until the drive is ready. */
export async function loadFirstSlot(s: IscsiInitiator): Promise<number> {
  const status = (await s.command(0, [0xa5, 0, 0, 0, ...SLOT, ...DRIVE, 0, 0, 0, 0])).status;
  for (let i = 0; i < 20 && (await s.command(1, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
  return status;
}

/** WRITE(6) of one fixed record of RECORD_BYTES (variable-block mode). */
export const write6 = (s: IscsiInitiator, record: Buffer): Promise<{ status: number }> =>
  s.command(1, [0x0a, 0, (RECORD_BYTES >> 16) & 0xff, (RECORD_BYTES >> 8) & 0xff, RECORD_BYTES & 0xff, 0], { dataOut: record });

/** READ(6) of up to RECORD_BYTES. */
export const read6 = (s: IscsiInitiator): Promise<CommandResult> =>
  s.command(1, [0x08, 0, (RECORD_BYTES >> 16) & 0xff, (RECORD_BYTES >> 8) & 0xff, RECORD_BYTES & 0xff, 0], { expectedDataInLength: RECORD_BYTES });

/** REWIND, then every record of `flushed` reads back identically, then the filemark that followed them. */
export async function assertFlushedReadBack(s: IscsiInitiator, flushed: readonly Buffer[]): Promise<void> {
  assert.equal((await s.command(1, [0x01, 0, 0, 0, 0, 0])).status, 0, 'REWIND');
  for (const [i, r] of flushed.entries()) {
    const read = await read6(s);
    assert.equal(read.status, 0, `READ of record ${i}`);
    assert.ok(read.dataIn.equals(r), `record ${i} reads back identically`);
  }
  const mark = await read6(s);
  assert.equal(mark.status, 2, 'the filemark comes next');
  assert.ok(mark.sense && (mark.sense[2] & 0x80) !== 0, 'FILEMARK set in the sense data');
}
