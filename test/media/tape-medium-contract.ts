// The behaviour every TapeMedium shares (src/media/tape-medium.ts), as one suite that runs against each
// implementation (tape-medium-contract.test.ts): FileTapeMedium on memory and on local files, and the SSC unit tests'
// MemoryTapeMedium, so the test double cannot drift from the product. Only the interface is used here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MediumFullError, WormViolationError, type SpaceOutcome, type TapeMedium, type WriteOutcome } from '../../src/media/tape-medium.js';

export interface MountOptions {
  readonly worm?: boolean;
  readonly capacityBytes?: number;
}

export interface Mounted {
  readonly medium: TapeMedium;
  /** Close (if still open) and open the same cartridge again. */
  reopen(): Promise<TapeMedium>;
  cleanup(): Promise<void>;
}

/** How a suite gets a blank cartridge of one implementation. */
export type MountBlank = (options?: MountOptions) => Promise<Mounted>;

const block = (n: number, length = 100 + n): Buffer => Buffer.alloc(length, n & 0xff);
const pos = (m: TapeMedium): [number, number, boolean] => {
  const p = m.position();
  return [p.objectNumber, p.fileNumber, p.atEndOfData];
};

/** Write `layout`: 'b' a block (object n is block(n)), 'F' a filemark. */
async function writeLayout(medium: TapeMedium, layout: string): Promise<void> {
  for (const [n, kind] of [...layout].entries()) {
    if (kind === 'F') await medium.writeFilemarks(1);
    else await medium.write(block(n), { compress: false });
  }
}

function isWriteOutcome(value: unknown): value is WriteOutcome {
  return typeof value === 'object' && value !== null && 'earlyWarning' in value;
}

async function readAll(medium: TapeMedium): Promise<string> {
  let seen = '';
  for (;;) {
    const outcome = await medium.read();
    if (outcome.kind === 'end-of-data') return seen;
    seen += outcome.kind === 'filemark' ? 'F' : outcome.kind === 'encrypted-block' ? 'E' : `b${outcome.data[0]}`;
  }
}

export function tapeMediumContract(name: string, mountBlank: MountBlank): void {
  async function withMedium(options: MountOptions, body: (m: TapeMedium, mounted: Mounted) => Promise<void>): Promise<void> {
    const mounted = await mountBlank(options);
    try {
      await body(mounted.medium, mounted);
    } finally {
      await mounted.cleanup();
    }
  }

  describe(`TapeMedium contract: ${name}`, () => {
    test('blocks and filemarks read back in order, then end of data without moving', () =>
      withMedium({}, async (m) => {
        assert.deepEqual(pos(m), [0, 0, true]);
        await writeLayout(m, 'bbFbF');
        assert.deepEqual(pos(m), [5, 2, true]);
        await m.rewind();
        assert.deepEqual(pos(m), [0, 0, false]);
        const first = await m.read();
        assert.ok(first.kind === 'block' && first.data.equals(block(0)));
        assert.equal(await readAll(m), 'b1Fb3F');
        assert.deepEqual(pos(m), [5, 2, true]);
        assert.deepEqual(await m.read(), { kind: 'end-of-data' });
        assert.deepEqual(pos(m), [5, 2, true]);
      }));

    test('spaceBlocks() crosses a filemark and stops after it, in both directions; BOP and EOD stop it', () =>
      withMedium({}, async (m) => {
        await writeLayout(m, 'bbbFbbb');
        await m.rewind();
        assert.deepEqual(await m.spaceBlocks(2), { counted: 2 });
        assert.deepEqual(await m.spaceBlocks(5), { counted: 1, stoppedBy: 'filemark' } satisfies SpaceOutcome);
        assert.deepEqual(pos(m), [4, 1, false]);
        assert.deepEqual(await m.spaceBlocks(9), { counted: 3, stoppedBy: 'end-of-data' });
        assert.deepEqual(await m.spaceBlocks(-2), { counted: 2 });
        assert.deepEqual(await m.spaceBlocks(-5), { counted: 1, stoppedBy: 'filemark' });
        assert.deepEqual(pos(m), [3, 0, false], 'backward: on the beginning side of the filemark');
        assert.deepEqual(await m.spaceBlocks(-1), { counted: 1 });
        assert.deepEqual(await m.spaceBlocks(-9), { counted: 2, stoppedBy: 'beginning-of-partition' });
        assert.deepEqual(pos(m), [0, 0, false]);
      }));

    test('spaceFilemarks() ends after the n-th filemark forward and before it backward', () =>
      withMedium({}, async (m) => {
        await writeLayout(m, 'bFbFFb');
        await m.rewind();
        assert.deepEqual(await m.spaceFilemarks(2), { counted: 2 });
        assert.deepEqual(pos(m), [4, 2, false]);
        assert.deepEqual(await m.spaceFilemarks(-1), { counted: 1 });
        assert.deepEqual(pos(m), [3, 1, false]);
        assert.deepEqual(await m.spaceFilemarks(5), { counted: 2, stoppedBy: 'end-of-data' });
        assert.deepEqual(pos(m), [6, 3, true]);
        assert.deepEqual(await m.spaceFilemarks(-9), { counted: 3, stoppedBy: 'beginning-of-partition' });
        assert.deepEqual(pos(m), [0, 0, false]);
      }));

    test('spaceSequentialFilemarks() finds a run of n filemarks in both directions and counts |n|', () =>
      withMedium({}, async (m) => {
        await writeLayout(m, 'bFbFFbFFFb');
        await m.rewind();
        assert.deepEqual(await m.spaceSequentialFilemarks(2), { counted: 2 });
        assert.deepEqual(pos(m), [5, 3, false]);
        assert.deepEqual(await m.spaceSequentialFilemarks(3), { counted: 3 });
        assert.deepEqual(pos(m), [9, 6, false]);
        assert.deepEqual(await m.spaceSequentialFilemarks(4), { counted: 0, stoppedBy: 'end-of-data' });
        assert.deepEqual(await m.spaceSequentialFilemarks(-2), { counted: 2 });
        assert.deepEqual(pos(m), [7, 4, false], 'backward: before the first filemark of the nearest run');
        assert.deepEqual(await m.spaceSequentialFilemarks(-3), { counted: 0, stoppedBy: 'beginning-of-partition' });
        assert.deepEqual(pos(m), [0, 0, false]);
      }));

    test('locate() reaches any object and stops at end of data past it, counting the objects moved over', () =>
      withMedium({}, async (m) => {
        await writeLayout(m, 'bbFbb');
        assert.deepEqual(await m.locate(3), { counted: 2 });
        const third = await m.read();
        assert.ok(third.kind === 'block' && third.data.equals(block(3)));
        assert.deepEqual(await m.locate(1), { counted: 3 });
        assert.deepEqual(await m.locate(9), { counted: 4, stoppedBy: 'end-of-data' });
        assert.deepEqual(pos(m), [5, 1, true]);
        await m.spaceToEndOfData();
        await m.rewind();
        await m.spaceToEndOfData();
        assert.deepEqual(pos(m), [5, 1, true]);
      }));

    test('a block or filemarks written in the middle, or erase(), make the position the new end of data', () =>
      withMedium({}, async (m) => {
        await writeLayout(m, 'bbbbbb');
        await m.locate(4);
        await m.write(block(40), { compress: true });
        assert.deepEqual(pos(m), [5, 0, true]);
        await m.locate(2);
        await m.writeFilemarks(2);
        assert.deepEqual(pos(m), [4, 2, true]);
        await m.locate(1);
        await m.erase();
        assert.deepEqual(pos(m), [1, 0, true]);
        await m.rewind();
        assert.equal(await readAll(m), 'b0');
      }));

    test('flush(), close() and reopen keep every object; the cartridge opens at the beginning', () =>
      withMedium({}, async (m, mounted) => {
        await writeLayout(m, 'bFb');
        await m.write(Buffer.alloc(300_000, 7), { compress: true });
        await m.flush();
        await m.close();
        await assert.rejects(m.read(), /closed/);
        const again = await mounted.reopen();
        assert.deepEqual(pos(again), [0, 0, false]);
        assert.equal(await readAll(again), 'b0Fb2b7');
        assert.equal(again.statistics().blocksRead, 3);
      }));

    test('attributes read back as copies, a zero-length value deletes one, and they survive reopen', () =>
      withMedium({}, async (m, mounted) => {
        await m.writeAttributes(new Map([[0x0800, Buffer.from('vtl')], [0x0803, Buffer.from('x')]]));
        m.readAttributes().get(0x0800)?.fill(0);
        assert.deepEqual(m.readAttributes().get(0x0800), Buffer.from('vtl'));
        await m.writeAttributes(new Map([[0x0803, Buffer.alloc(0)]]));
        assert.deepEqual([...m.readAttributes().keys()], [0x0800]);
        const again = await mounted.reopen();
        assert.deepEqual(again.readAttributes().get(0x0800), Buffer.from('vtl'));
        assert.equal(again.readAttributes().has(0x0803), false);
      }));

    test('a retention lock kept in the metadata survives reopen and setCapacity(), and is replaced by the next one', () =>
      withMedium({}, async (m, mounted) => {
        assert.equal(m.retentionLock(), undefined, 'a new cartridge carries no lock');
        const lock = { mode: 'compliance' as const, startedAt: '2026-01-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z', setBy: 'admin' };
        await m.keepRetentionLock(lock);
        await writeLayout(m, 'b');
        await m.rewind();
        await m.setCapacity(m.nativeCapacityBytes);
        const again = await mounted.reopen();
        assert.deepEqual(again.retentionLock(), lock);
        await again.keepRetentionLock({ ...lock, until: '2028-01-01T00:00:00.000Z' });
        assert.equal(again.retentionLock()?.until, '2028-01-01T00:00:00.000Z');
      }));

    test('setCapacity() erases, makes the new capacity durable, and refuses out-of-range values', () =>
      withMedium({}, async (m, mounted) => {
        await writeLayout(m, 'bbF');
        const native = m.nativeCapacityBytes;
        await assert.rejects(m.setCapacity(0), RangeError);
        await assert.rejects(m.setCapacity(native + 1), RangeError);
        assert.deepEqual(pos(m), [3, 1, true], 'a refused setCapacity() changes nothing');
        await m.setCapacity(Math.floor(native / 2));
        assert.deepEqual(pos(m), [0, 0, true]);
        assert.equal(m.capacity().capacityBytes, Math.floor(native / 2));
        const again = await mounted.reopen();
        assert.equal(again.capacity().capacityBytes, Math.floor(native / 2));
        assert.equal(await readAll(again), '');
      }));

    test('WORM allows appending and overwriting trailing filemarks after a filemark, and refuses the rest', () =>
      withMedium({ worm: true }, async (m) => {
        await writeLayout(m, 'bbFF');
        await m.locate(1);
        await assert.rejects(m.write(block(9), { compress: false }), WormViolationError);
        await assert.rejects(m.writeFilemarks(1), WormViolationError);
        await m.locate(2);
        await assert.rejects(m.write(block(9), { compress: false }), WormViolationError, 'object 1 is not a filemark');
        await assert.rejects(m.erase(), WormViolationError);
        await assert.rejects(m.setCapacity(1024), WormViolationError);
        await m.locate(3);
        await m.write(block(3), { compress: false });
        assert.deepEqual(pos(m), [4, 1, true]);
        await m.rewind();
        assert.equal(await readAll(m), 'b0b1Fb3');
      }));

    test('writes report early warning once the remaining space is within it, and one that would pass the end is refused whole', () =>
      withMedium({ capacityBytes: 256 * 1024 }, async (m) => {
        let warned = false;
        for (let n = 0; ; n++) {
          const before = m.capacity();
          const outcome: unknown = await m.write(Buffer.alloc(8000, n), { compress: false }).catch((error: unknown) => error);
          if (outcome instanceof MediumFullError) {
            assert.deepEqual(m.capacity(), before, 'nothing of the refused write was stored');
            assert.deepEqual(pos(m), [n, 0, true]);
            break;
          }
          if (!isWriteOutcome(outcome)) throw outcome;
          const after = m.capacity();
          assert.ok(after.usedBytes >= before.usedBytes + 8000, 'a block takes at least its length');
          assert.equal(outcome.earlyWarning, after.remainingBytes <= after.earlyWarningBytes, `write ${n}`);
          warned ||= outcome.earlyWarning;
        }
        assert.equal(warned || m.capacity().earlyWarningBytes === 0, true, 'early warning came before the end');
      }));

    test('a filemark count that is not an integer from 0 to 2^32 - 1 is refused, changing nothing', () =>
      withMedium({}, async (m) => {
        await writeLayout(m, 'b');
        for (const count of [-1, 1.5, 2 ** 32]) await assert.rejects(m.writeFilemarks(count), RangeError, `count ${count}`);
        assert.deepEqual(pos(m), [1, 0, true]);
      }));

    test('statistics count what was written and read', () =>
      withMedium({}, async (m) => {
        await writeLayout(m, 'bFb');
        await m.rewind();
        await readAll(m);
        const stats = m.statistics();
        assert.equal(stats.blocksWritten, 2);
        assert.equal(stats.hostBytesWritten, 100 + 102);
        assert.equal(stats.filemarksWritten, 1);
        assert.equal(stats.blocksRead, 2);
        assert.equal(stats.hostBytesRead, 202);
      }));

    test('a call made while another one runs is refused, and the running one completes', () =>
      withMedium({}, async (m) => {
        const first = m.write(block(0), { compress: false });
        await assert.rejects(m.writeFilemarks(1), /already running/);
        await first;
        assert.deepEqual(pos(m), [1, 0, true]);
      }));
  });
}
