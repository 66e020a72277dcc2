// Deduplicated cartridges against a model (issue 17): random writes (from a small pool of contents, so chunks repeat
// within and across cartridges), overwrites in the middle, appends, erases, moves into the recipe while mounted and
// by the pass while unmounted, restarts of the store, other cartridges written, deleted and collected. Every read,
// SPACE and position must agree with a plain array, and at the end the whole cartridge reads back as the model says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { silentLogger } from '../../src/log.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../../src/media/dedup/dedup-pass.js';
import type { DedupTapeMedium } from '../../src/media/dedup/dedup-tape-medium.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';
import { cartridge, pattern } from './cartridge-fixture.js';

type TapeObject = Buffer | 'F';
const SIZES = { minBytes: 256, averageBytes: 1024, maxBytes: 4096 };

type Operation =
  | { op: 'write'; content: number; size: number }
  | { op: 'filemarks'; count: number }
  | { op: 'read' }
  | { op: 'spaceBlocks'; count: number }
  | { op: 'locate'; target: number }
  | { op: 'sibling'; content: number; keep: boolean }
  | { op: 'rewind' | 'erase' | 'absorb' | 'pass' | 'restart' | 'collect' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('write' as const), content: fc.integer({ min: 0, max: 5 }), size: fc.constantFrom(0, 300, 5000, 20_000) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('filemarks' as const), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 4, arbitrary: fc.constant({ op: 'read' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('spaceBlocks' as const), count: fc.integer({ min: -6, max: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('locate' as const), target: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('sibling' as const), content: fc.integer({ min: 0, max: 5 }), keep: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('rewind' as const, 'erase' as const, 'absorb' as const, 'pass' as const, 'restart' as const, 'collect' as const) }) },
);

/** A block of `size` bytes of content `content`: the same content and size give the same bytes. */
const contentOf = (content: number, size: number): Buffer => pattern(content + 1, size);

async function run(operations: Operation[]): Promise<void> {
  const storage = new MemoryStorage();
  let store = new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage });
  let pass = new DedupPass(store, silentLogger(), SIZES);
  const descriptor = cartridge();
  await store.create(descriptor);
  let medium = (await store.open(descriptor)) as DedupTapeMedium;
  const objects: TapeObject[] = [];
  let position = 0;
  let siblings = 0;
  const write = (added: TapeObject[]): void => {
    objects.splice(position, objects.length, ...added);
    position = objects.length;
  };
  const remount = async (between: () => Promise<void>): Promise<void> => {
    await medium.close();
    await between();
    medium = (await store.open(descriptor)) as DedupTapeMedium;
    position = 0;
  };
  for (const [step, o] of operations.entries()) {
    const label = `step ${step}: ${JSON.stringify(o)}`;
    switch (o.op) {
      case 'write': {
        const block = contentOf(o.content, o.size);
        await medium.write(block, { compress: true });
        write([block]);
        break;
      }
      case 'filemarks':
        await medium.writeFilemarks(o.count);
        write(Array<TapeObject>(o.count).fill('F'));
        break;
      case 'read': {
        const outcome = await medium.read();
        const expected = objects[position];
        if (expected === undefined) assert.deepEqual(outcome, { kind: 'end-of-data' }, label);
        else if (expected === 'F') assert.deepEqual(outcome, { kind: 'filemark' }, label);
        else assert.ok(outcome.kind === 'block' && outcome.data.equals(expected), label);
        if (expected !== undefined) position++;
        break;
      }
      case 'spaceBlocks': {
        await medium.spaceBlocks(o.count);
        // Same rule as the model test: a filemark stops the motion on its far side; BOP and EOD where they are.
        for (let i = 0; i < Math.abs(o.count); i++) {
          if (o.count > 0 ? position === objects.length : position === 0) break;
          const crossed = o.count > 0 ? objects[position++] : objects[--position];
          if (crossed === 'F') break;
        }
        break;
      }
      case 'locate':
        await medium.locate(o.target);
        position = Math.min(o.target, objects.length);
        break;
      case 'rewind':
        await medium.rewind();
        position = 0;
        break;
      case 'erase':
        await medium.erase();
        objects.splice(position);
        break;
      case 'absorb':
        await medium.absorb(SIZES);
        assert.equal(medium.unabsorbedObjects, 0, label);
        break;
      case 'pass':
        await remount(async () => void (await pass.absorb(descriptor)));
        break;
      case 'restart':
        // A new process: the index is rebuilt from the containers and appends go to a new container.
        await remount(async () => {
          store = new DedupMediaStore({ directory: '/unused', log: silentLogger(), storage });
          pass = new DedupPass(store, silentLogger(), SIZES);
          await Promise.resolve();
        });
        break;
      case 'sibling': {
        const other = cartridge({ barcode: `S${++siblings}` });
        await store.create(other);
        const m = await store.open(other);
        for (let i = 0; i < 3; i++) await m.write(contentOf(o.content, 5000 * (i + 1)), { compress: false });
        await m.close();
        await pass.absorb(other);
        if (!o.keep) await store.delete(other.barcode);
        break;
      }
      case 'collect':
        await pass.collect();
        break;
    }
    const fileNumber = objects.slice(0, position).filter((x) => x === 'F').length;
    assert.deepEqual(medium.position(), { objectNumber: position, fileNumber, atEndOfData: position === objects.length }, label);
  }
  await remount(async () => {
    await pass.collect();
  });
  for (const [n, expected] of objects.entries()) {
    const outcome = await medium.read();
    if (expected === 'F') assert.deepEqual(outcome, { kind: 'filemark' }, `final read of object ${n}`);
    else assert.ok(outcome.kind === 'block' && outcome.data.equals(expected), `final read of object ${n}`);
  }
  assert.deepEqual(await medium.read(), { kind: 'end-of-data' });
  await medium.close();
}

test('random writes, overwrites, erases, passes, restarts and collections on a deduplicated cartridge agree with a model', async () => {
  await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 20, maxLength: 120, size: 'max' }), run), { numRuns: 40, seed: 20261205 });
});
