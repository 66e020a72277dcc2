// Test support: a representative drive session (variable and fixed writes, filemarks with and without IMMED, a
// checkpoint, an overwrite in the middle, SET CAPACITY, unload) run through a drive logical unit with CDB bytes, with
// one storage fault armed. The host's view is kept in a HostTapeModel from the answers it gets; when a command fails,
// the sense must be the documented one and say what was lost, and afterwards the cartridge must reopen consistent
// and accept writes again.
import { FILEMARK, HostTapeModel, block, checkReadBack, type TapeObject } from './host-tape-model.js';
import { BARCODE, FaultDrive, MOUNT, readBack, type Answer } from './fault-drive.js';
import { blockLengthParameters, describeSense, TapeCdb, type FixedSense } from './tape-cdb.js';
import type { CallCounts, FaultCode, FaultPlan } from '../../src/storage/testing/faulty-storage.js';

export type Step =
  | { readonly op: 'write'; readonly data: Buffer }
  | { readonly op: 'write-fixed'; readonly blocks: readonly Buffer[] }
  | { readonly op: 'filemarks'; readonly count: number; readonly immed: boolean }
  | { readonly op: 'mode'; readonly blockLength: number; readonly buffered: boolean }
  /** `note` tells this REWIND from the others in case names. */
  | { readonly op: 'rewind'; readonly note?: string }
  | { readonly op: 'locate'; readonly objectNumber: number }
  | { readonly op: 'set-capacity'; readonly proportion: number }
  | { readonly op: 'unload' };

/** Deterministic block contents; compressible ones repeat a short phrase so LZ4 shrinks them. */
export function pattern(length: number, seed: number, compressible = false): Buffer {
  const out = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    if (compressible && i % 64 >= 8) out[i] = 0x61 + (i % 7);
    else {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      out[i] = x & 0xff;
    }
  }
  return out;
}

/** The one fixed-mode WRITE of the session: its block length and count. */
export interface FixedWrite {
  readonly blockLength: number;
  readonly blocks: number;
}

/**
 * 400 blocks of 512 bytes (too short to compress) go to the file in background writes while the command runs. With
 * 4200 blocks (more than CHECKPOINT_EVERY_RECORDS, 4096) the flush after them saves an index checkpoint; with fewer,
 * checkpoints are still saved before the cut and on close.
 */
export const SMALL_FIXED_WRITE: FixedWrite = { blockLength: 512, blocks: 400 };
export const CHECKPOINT_FIXED_WRITE: FixedWrite = { blockLength: 16, blocks: 4200 };

export function representativeSession(fixed: FixedWrite): Step[] {
  const writes = (count: number, size: (i: number) => number, seed: number, compressible: (i: number) => boolean): Step[] =>
    Array.from({ length: count }, (_, i) => ({ op: 'write', data: pattern(size(i), seed + i, compressible(i)) }));
  return [
    ...writes(3, (i) => [100, 3000, 5000][i], 1, () => true),
    { op: 'filemarks', count: 1, immed: false },
    { op: 'rewind', note: 'before SET CAPACITY' },
    { op: 'set-capacity', proportion: 0x8000 },
    ...writes(6, (i) => 2000 + 1500 * i, 10, (i) => i % 2 === 0),
    { op: 'filemarks', count: 1, immed: false },
    { op: 'mode', blockLength: fixed.blockLength, buffered: true },
    { op: 'write-fixed', blocks: Array.from({ length: fixed.blocks }, (_, i) => pattern(fixed.blockLength, 1000 + i)) },
    { op: 'mode', blockLength: 0, buffered: true },
    { op: 'filemarks', count: 2, immed: true },
    ...writes(40, () => 8192, 20000, () => true),
    { op: 'filemarks', count: 1, immed: false },
    // Unbuffered (buffered mode 0): every WRITE and WRITE FILEMARKS is flushed before GOOD.
    { op: 'mode', blockLength: 0, buffered: false },
    ...writes(3, () => 3000, 25000, () => true),
    { op: 'filemarks', count: 1, immed: true },
    { op: 'mode', blockLength: 0, buffered: true },
    ...writes(10, (i) => 1024 * (1 + (i % 4)), 30000, () => false),
    { op: 'locate', objectNumber: fixed.blocks + 45 },
    ...writes(2, () => 6000, 40000, () => true),
    { op: 'filemarks', count: 1, immed: true },
    ...writes(20, () => 8192, 50000, () => true),
    { op: 'rewind' },
    { op: 'unload' },
  ];
}

export function describeStep(step: Step): string {
  switch (step.op) {
    case 'write': return `WRITE(6) variable ${step.data.length} bytes`;
    case 'write-fixed': return `WRITE(6) fixed ${step.blocks.length} blocks`;
    case 'filemarks': return `WRITE FILEMARKS ${step.count}${step.immed ? ' IMMED' : ''}`;
    case 'mode': return `MODE SELECT block length ${step.blockLength}, buffered mode ${step.buffered ? 1 : 0}`;
    case 'rewind': return step.note === undefined ? 'REWIND' : `REWIND ${step.note}`;
    case 'locate': return `LOCATE(10) ${step.objectNumber}`;
    case 'set-capacity': return `SET CAPACITY ${step.proportion}`;
    case 'unload': return 'LOAD UNLOAD (unload)';
  }
}

/** The objects a step writes at the position. */
function objectsOf(step: Step): TapeObject[] {
  if (step.op === 'write') return [block(step.data)];
  if (step.op === 'write-fixed') return step.blocks.map(block);
  if (step.op === 'filemarks') return Array.from({ length: step.count }, () => FILEMARK);
  return [];
}

function send(d: FaultDrive, step: Step): Promise<Answer> {
  switch (step.op) {
    case 'write': return d.run(TapeCdb.write6(step.data.length), step.data);
    case 'write-fixed': return d.run(TapeCdb.write6(step.blocks.length, true), Buffer.concat(step.blocks));
    case 'filemarks': return d.run(TapeCdb.writeFilemarks(step.count, step.immed));
    case 'mode': return d.run(TapeCdb.modeSelectBlockLength(), blockLengthParameters(step.blockLength, step.buffered));
    case 'rewind': return d.run(TapeCdb.rewind());
    case 'locate': return d.run(TapeCdb.locate10(step.objectNumber));
    case 'set-capacity': return d.run(TapeCdb.setCapacity(step.proportion));
    case 'unload': return d.run(TapeCdb.unload());
  }
}

/** GOOD: what the host now believes (in buffered mode 0 every write is flushed before GOOD). */
function applyGood(model: HostTapeModel, step: Step, buffered: boolean): void {
  if (step.op === 'locate') model.moveTo(step.objectNumber);
  else if (step.op === 'rewind' || step.op === 'unload') {
    model.flushed();
    model.moveTo(0);
  } else if (step.op === 'set-capacity') {
    model.moveTo(0);
    model.endsAt(0);
    model.flushed();
  } else if (step.op !== 'mode') {
    model.wrote(objectsOf(step));
    if (!buffered || (step.op === 'filemarks' && !step.immed)) model.flushed();
  }
}

/** End-of-data numbers the sense of a failed `step` allows (the documented reading), applied once the drive says which. */
interface Expectation {
  readonly allowed: readonly number[];
  readonly apply: (endOfData: number) => void;
}

/** CHECK CONDITION for `step`: check the sense is the documented one and say what end of data it implies. */
function expectationOf(model: HostTapeModel, step: Step, s: FixedSense, code: FaultCode | undefined, problems: string[]): Expectation {
  const end = model.endOfData;
  const at = model.position;
  // FORMAT.md "Disk full": out of space with nothing acknowledged lost, the command is refused whole, current DATA
  // PROTECT 27/07 without INFORMATION; the end of data is where the command began (for a write) or unchanged.
  if (s.key === 0x7 && s.asc === 0x27 && s.ascq === 0x07 && (code === 'ENOSPC' || code === 'EDQUOT')) {
    if (s.deferred || s.valid) problems.push(`${describeStep(step)} failed with ${describeSense(s)}: DATA PROTECT 27/07 is current and has no INFORMATION`);
    return { allowed: step.op === 'set-capacity' ? [0, end] : [objectsOf(step).length > 0 ? at : end], apply: (e) => model.endsAt(e) };
  }
  if (s.key !== 0x3 || s.asc !== 0x0c || s.ascq !== 0x00) problems.push(`${describeStep(step)} failed with ${describeSense(s)}, not MEDIUM ERROR 0C/00`);
  if (s.deferred) {
    // The command was not performed; INFORMATION acknowledged objects never reached the medium.
    if (!s.valid) problems.push(`the deferred error on ${describeStep(step)} has no INFORMATION (count of lost objects)`);
    const problem = model.lost(s.valid ? s.information : 0);
    if (problem !== undefined) problems.push(problem);
    return { allowed: [model.endOfData], apply: () => undefined };
  }
  const written = objectsOf(step);
  if (written.length > 0) {
    // A current error: the residue says how much of this command is in the buffer (all of it without one).
    // A variable WRITE's residue is in bytes: its length (the block not kept) or 0 (kept, the flush after it failed).
    const residue = !s.valid ? 0 : step.op === 'write' ? (s.information === step.data.length ? 1 : s.information === 0 ? 0 : -1) : s.information;
    if (residue < 0 || residue > written.length) problems.push(`${describeStep(step)} failed with a residue of ${s.information}`);
    const allowed = s.valid ? [at + written.length - residue] : written.map((_, i) => at + i + 1).concat(at);
    return { allowed, apply: (e) => model.wrote(written.slice(0, Math.max(0, e - at))) };
  }
  // SET CAPACITY that failed may or may not have erased the cartridge: the drive's end of data says which.
  if (step.op === 'set-capacity') return { allowed: [0, end], apply: (e) => model.endsAt(e) };
  return { allowed: [end], apply: () => undefined };
}

export interface SessionResult {
  /** The phase (or step) during which the fault was injected; undefined when none was. */
  readonly faultAt: string | undefined;
  /** The first failure the host or the robot saw. */
  readonly failure: string | undefined;
  readonly problems: readonly string[];
  /** Storage calls of each kind made by the session (before any recovery). */
  readonly counts: CallCounts;
}

/**
 * Run the session with `plan` armed. After the first failure the fault clears and the host either `resume`s (finds
 * end of data, writes and flushes again, unloads: then everything it was told is durable must read back exactly) or
 * `unload`s at once (what reads back must hold every flushed object and nothing the host did not write).
 */
export async function runSession(plan: FaultPlan | undefined, afterFault: 'resume' | 'unload', fixed = SMALL_FIXED_WRITE): Promise<SessionResult> {
  const d = new FaultDrive();
  if (plan !== undefined) d.storage.arm(plan);
  const model = new HostTapeModel();
  const problems: string[] = [];
  let phase = 'create';
  let faultAt: string | undefined;
  let failure: string | undefined;
  let expectation: Expectation | undefined;
  const note = (): void => {
    if (faultAt === undefined && d.storage.injected.length > 0) faultAt = phase;
  };
  const robot = async (what: string, action: () => Promise<void>): Promise<void> => {
    phase = what;
    try {
      await action();
    } catch (error) {
      failure = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    }
    note();
  };
  await robot('create', () => d.store.create(MOUNT));
  if (failure === undefined) await robot('load', () => d.load());
  if (failure === undefined) {
    let buffered = true;
    for (const step of representativeSession(fixed)) {
      phase = `${describeStep(step)}${buffered ? '' : ' (unbuffered)'}`;
      const answer = await send(d, step);
      note();
      if (answer.good) {
        applyGood(model, step, buffered);
        if (step.op === 'mode') buffered = step.buffered;
        continue;
      }
      failure = `${phase}: ${describeSense(answer.sense)}`;
      expectation = expectationOf(model, step, answer.sense, plan?.code, problems);
      break;
    }
  }
  if (failure === undefined) await robot('robot unload', () => d.drive.unload({ force: true }));
  const counts = { ...d.storage.counts };
  d.storage.clear();
  if (failure === undefined) {
    await verify(d, model, problems, true);
    return { faultAt, failure, problems, counts };
  }
  // The fault has cleared. The cartridge exists (created again when its creation failed) and is mounted.
  if (!(await d.store.exists(BARCODE))) await d.store.create(MOUNT);
  if (d.drive.state().loaded === undefined) await d.load();
  else if (d.drive.state().ejected) await expectGood(d, TapeCdb.load(), 'LOAD after the fault', problems);
  await expectGood(d, TapeCdb.spaceToEndOfData(), 'SPACE to end of data after the fault', problems);
  const position = await d.position();
  if (position.objectNumber === undefined) {
    problems.push('READ POSITION fails after the fault cleared');
    return { faultAt, failure, problems, counts };
  }
  const allowed = expectation?.allowed ?? [model.endOfData];
  if (!allowed.includes(position.objectNumber)) {
    problems.push(`after "${failure}" end of data is object ${position.objectNumber}, but the host can only expect ${allowed.join(' or ')}`);
  }
  expectation?.apply(position.objectNumber);
  model.endsAt(position.objectNumber);
  model.moveTo(model.endOfData);
  if (afterFault === 'resume') {
    const marker = pattern(777, 99);
    if (await expectGood(d, TapeCdb.write6(marker.length), 'WRITE after the fault cleared', problems, marker)) model.wrote([block(marker)]);
    if (await expectGood(d, TapeCdb.writeFilemarks(1), 'WRITE FILEMARKS after the fault cleared', problems)) {
      model.wrote([FILEMARK]);
      model.flushed();
    }
    await expectGood(d, TapeCdb.unload(), 'UNLOAD after the fault cleared', problems);
  }
  await d.drive.unload({ force: true }).catch((error: unknown) => problems.push(`the cartridge does not unload after the fault cleared: ${String(error)}`));
  await verify(d, model, problems, afterFault === 'resume');
  return { faultAt, failure, problems, counts };
}

async function expectGood(d: FaultDrive, cdb: readonly number[], what: string, problems: string[], dataOut?: Buffer): Promise<boolean> {
  const answer = await d.run(cdb, dataOut);
  if (!answer.good) problems.push(`${what}: ${describeSense(answer.sense)}`);
  return answer.good;
}

async function verify(d: FaultDrive, model: HostTapeModel, problems: string[], exact: boolean): Promise<void> {
  let got: TapeObject[];
  try {
    got = await readBack(d.bytes);
  } catch (error) {
    problems.push(`the cartridge does not reopen: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const problem = checkReadBack(got, model, { exact });
  if (problem !== undefined) problems.push(problem);
}
