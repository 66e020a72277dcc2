// Test support: what the soak's host does over iSCSI with the project's initiator: wait for a unit to be ready, read a
// whole cartridge back, and decode the answers it gets.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandResult, IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { FILEMARK, block, type TapeObject } from '../media/host-tape-model.js';
import { decodeFixedSense, describeSense, SenseKey, TapeCdb, type FixedSense } from '../media/tape-cdb.js';

/** The largest record the soak writes; reads ask for this much with SILI. */
export const MAX_RECORD_BYTES = 256 * 1024;

export function senseOf(r: CommandResult): FixedSense | undefined {
  return r.status === 2 && r.sense !== undefined ? decodeFixedSense(r.sense) : undefined;
}

export function describeResult(r: CommandResult): string {
  const s = senseOf(r);
  return s === undefined ? `status ${r.status}` : describeSense(s);
}

/**
 * TEST UNIT READY until GOOD: unit attentions (power on, medium changed) are consumed, NOT READY while a cartridge
 * is loading (04/01) is waited out. Returns the answer that ended the wait when the unit does not become ready.
 */
export async function untilReady(s: IscsiInitiator, lun: number): Promise<string | undefined> {
  let last = '';
  for (let i = 0; i < 200; i++) {
    const r = await s.command(lun, TapeCdb.testUnitReady());
    if (r.status === 0) return undefined;
    const sense = senseOf(r);
    last = describeResult(r);
    const loading = sense?.key === SenseKey.NOT_READY && sense.asc === 0x04;
    if (sense?.key !== SenseKey.UNIT_ATTENTION && !loading) return last;
    if (loading) await sleep(20);
  }
  return `never ready: ${last}`;
}

/** REWIND, then READ(6) variable with SILI until end of data (BLANK CHECK). */
export async function readWholeTape(s: IscsiInitiator, lun: number): Promise<{ objects: TapeObject[] } | { problem: string }> {
  const rewind = await s.command(lun, TapeCdb.rewind());
  if (rewind.status !== 0) return { problem: `REWIND before reading back: ${describeResult(rewind)}` };
  const objects: TapeObject[] = [];
  const cdb = TapeCdb.read6(MAX_RECORD_BYTES);
  cdb[1] |= 0x02; // SILI: a shorter record is not an error
  for (;;) {
    const r = await s.command(lun, cdb, { expectedDataInLength: MAX_RECORD_BYTES });
    if (r.status === 0) {
      objects.push(block(r.dataIn));
      continue;
    }
    const sense = senseOf(r);
    if (sense?.filemark === true) objects.push(FILEMARK);
    else if (sense?.key === SenseKey.BLANK_CHECK) return { objects };
    else return { problem: `READ of object ${objects.length}: ${describeResult(r)}` };
  }
}
