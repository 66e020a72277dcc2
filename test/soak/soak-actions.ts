// Test support: the soak's workload, one command at a time. Each action is a command for one LUN with what it does
// to the host's view when it is answered GOOD, and, for a write, the tape it would leave if it ran to the end while
// the target was killed (so a read-back may show it).
import { FILEMARK, HostTapeModel, block, type PossibleTape, type TapeObject } from '../media/host-tape-model.js';
import { pattern } from '../media/fault-session.js';
import { TapeCdb } from '../media/tape-cdb.js';
import { MAX_RECORD_BYTES } from './soak-host.js';

export const DRIVE_ADDRESS = 0x0100;
export const SLOT_ADDRESS = 0x1000;
export const SLOTS = 6;
export const DRIVES = 2;

export interface SoakCartridge {
  readonly barcode: string;
  readonly model: HostTapeModel;
  /** The tape a write in flight at the last kill could have left, besides the host's view. */
  possible: PossibleTape | undefined;
}

export interface Action {
  readonly what: string;
  readonly lun: number;
  readonly cdb: readonly number[];
  readonly dataOut?: Buffer;
  /** The cartridge the command writes to, and the tape it leaves if it completes. */
  readonly writes?: { readonly cartridge: SoakCartridge; readonly tape: PossibleTape };
  onGood(): void;
}

/** A drive as the host sees it: its cartridge, and whether the host unloaded it (it waits for the robot). */
export interface DriveSlot {
  cartridge: SoakCartridge | undefined;
  ejected: boolean;
}

export type Random = () => number;

/** mulberry32: a small seeded generator, so a soak run can be repeated (up to where the kills land). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

function bytesOf(model: HostTapeModel): number {
  let total = 0;
  for (const o of model.objects) if (o.kind === 'block') total += o.data.length;
  return total;
}

/** Keep cartridges small: past this many bytes the host overwrites from early on the tape. */
const CARTRIDGE_BUDGET_BYTES = 4 * 1024 * 1024;

function writeAction(lun: number, c: SoakCartridge, objects: TapeObject[], what: string, cdb: readonly number[], dataOut: Buffer | undefined, flushes: boolean): Action {
  const m = c.model;
  return {
    what, lun, cdb, ...(dataOut === undefined ? {} : { dataOut }),
    writes: { cartridge: c, tape: { objects: [...m.objects.slice(0, m.position), ...objects], durable: Math.min(m.durable, m.position) } },
    onGood: () => {
      m.wrote(objects);
      if (flushes) m.flushed();
    },
  };
}

/** REWIND and UNLOAD: the buffer is flushed, the position is the beginning of the partition. */
function flushedAtStart(m: HostTapeModel): void {
  m.flushed();
  m.moveTo(0);
}

/** The next command for a drive that holds a cartridge the host has not unloaded. */
export function tapeAction(random: Random, driveIndex: number, c: SoakCartridge, seed: number): Action {
  const lun = driveIndex + 1;
  const m = c.model;
  const roll = random();
  if (roll < 0.55) {
    const size = random() < 0.7 ? between(random, 1, 16 * 1024) : between(random, 16 * 1024, MAX_RECORD_BYTES);
    const data = pattern(size, seed, random() < 0.5);
    return writeAction(lun, c, [block(data)], `WRITE ${size} bytes to ${c.barcode} at ${m.position}`, TapeCdb.write6(size), data, false);
  }
  if (roll < 0.7) {
    const count = between(random, 1, 2);
    const immed = random() < 0.5;
    const fms = Array.from({ length: count }, () => FILEMARK);
    return writeAction(lun, c, fms, `WRITE FILEMARKS ${count}${immed ? ' IMMED' : ''} to ${c.barcode}`, TapeCdb.writeFilemarks(count, immed), undefined, !immed);
  }
  if (roll < 0.8) {
    return { what: `REWIND ${c.barcode}`, lun, cdb: TapeCdb.rewind(), onGood: () => flushedAtStart(m) };
  }
  if (roll < 0.93) {
    // Somewhere in the data, for an overwrite by the next write; early on the tape when it grew past its budget.
    const end = bytesOf(m) > CARTRIDGE_BUDGET_BYTES ? Math.floor(m.endOfData / 4) : m.endOfData;
    const target = between(random, 0, end);
    return { what: `LOCATE ${c.barcode} to ${target}`, lun, cdb: TapeCdb.locate10(target), onGood: () => m.moveTo(target) };
  }
  return { what: `UNLOAD ${c.barcode}`, lun, cdb: TapeCdb.unload(), onGood: () => flushedAtStart(m) };
}

/** MOVE MEDIUM through the changer (LUN 0). */
export function moveAction(what: string, source: number, destination: number, onGood: () => void): Action {
  return { what, lun: 0, cdb: TapeCdb.moveMedium(0, source, destination), onGood };
}
