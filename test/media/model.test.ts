// The medium against a model: random sequences of tape operations (fast-check, seeded) applied both to a
// FileTapeMedium in memory and to a plain array of objects with naive loops. Every outcome and position must agree,
// across index anchors, write-buffer drains, overwrites, erases and reopen (recovery from the checkpoint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SpaceOutcome, TapeMedium } from '../../src/media/tape-medium.js';
import { cartridge, memoryStore, pattern } from './cartridge-fixture.js';

type TapeObject = Buffer | 'F';

class Model {
  objects: TapeObject[] = [];
  position = 0;

  write(objects: TapeObject[]): void {
    this.objects.splice(this.position);
    this.objects.push(...objects);
    this.position = this.objects.length;
  }

  fileNumber(): number {
    return this.objects.slice(0, this.position).filter((o) => o === 'F').length;
  }

  spaceBlocks(count: number): SpaceOutcome {
    let counted = 0;
    for (let i = 0; i < Math.abs(count); i++) {
      if (count > 0) {
        if (this.position === this.objects.length) return { counted, stoppedBy: 'end-of-data' };
        if (this.objects[this.position++] === 'F') return { counted, stoppedBy: 'filemark' };
      } else {
        if (this.position === 0) return { counted, stoppedBy: 'beginning-of-partition' };
        if (this.objects[--this.position] === 'F') return { counted, stoppedBy: 'filemark' };
      }
      counted++;
    }
    return { counted };
  }

  spaceFilemarks(count: number): SpaceOutcome {
    let counted = 0;
    while (counted < Math.abs(count)) {
      if (count > 0) {
        if (this.position === this.objects.length) return { counted, stoppedBy: 'end-of-data' };
        if (this.objects[this.position++] === 'F') counted++;
      } else {
        if (this.position === 0) return { counted, stoppedBy: 'beginning-of-partition' };
        if (this.objects[--this.position] === 'F') counted++;
      }
    }
    return { counted };
  }
}

type Operation =
  | { op: 'write'; size: number; compress: boolean }
  | { op: 'filemarks'; count: number }
  | { op: 'read' }
  | { op: 'spaceBlocks' | 'spaceFilemarks'; count: number }
  | { op: 'locate'; target: number }
  | { op: 'rewind' | 'eod' | 'erase' | 'flush' | 'reopen' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('write' as const), size: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.constant(70_000)), compress: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('filemarks' as const), count: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 4, arbitrary: fc.constant({ op: 'read' as const }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constantFrom('spaceBlocks' as const, 'spaceFilemarks' as const), count: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.integer({ min: -60, max: 60 })) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('locate' as const), target: fc.integer({ min: 0, max: 120 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('rewind' as const, 'eod' as const, 'erase' as const, 'flush' as const, 'reopen' as const) }) },
);

let serial = 0;

async function run(operations: Operation[]): Promise<void> {
  const { store } = memoryStore();
  const descriptor = cartridge();
  await store.create(descriptor);
  let medium: TapeMedium = await store.open(descriptor);
  const model = new Model();
  for (const [step, o] of operations.entries()) {
    const label = `step ${step}: ${JSON.stringify(o)}`;
    switch (o.op) {
      case 'write': {
        const block = pattern(++serial, o.size);
        await medium.write(block, { compress: o.compress });
        model.write([block]);
        break;
      }
      case 'filemarks':
        await medium.writeFilemarks(o.count);
        if (o.count > 0) model.write(Array<TapeObject>(o.count).fill('F'));
        break;
      case 'read': {
        const outcome = await medium.read();
        const expected = model.objects[model.position];
        if (expected === undefined) assert.deepEqual(outcome, { kind: 'end-of-data' }, label);
        else if (expected === 'F') assert.deepEqual(outcome, { kind: 'filemark' }, label);
        else assert.ok(outcome.kind === 'block' && outcome.data.equals(expected), label);
        if (expected !== undefined) model.position++;
        break;
      }
      case 'spaceBlocks':
        assert.deepEqual(await medium.spaceBlocks(o.count), model.spaceBlocks(o.count), label);
        break;
      case 'spaceFilemarks':
        assert.deepEqual(await medium.spaceFilemarks(o.count), model.spaceFilemarks(o.count), label);
        break;
      case 'locate':
        await medium.locate(o.target);
        model.position = Math.min(o.target, model.objects.length);
        break;
      case 'rewind':
        await medium.rewind();
        model.position = 0;
        break;
      case 'eod':
        await medium.spaceToEndOfData();
        model.position = model.objects.length;
        break;
      case 'erase':
        await medium.erase();
        model.objects.splice(model.position);
        break;
      case 'flush':
        await medium.flush();
        break;
      case 'reopen':
        await medium.close();
        medium = await store.open(descriptor);
        model.position = 0;
        break;
    }
    const atEndOfData = model.position === model.objects.length;
    assert.deepEqual(medium.position(), { objectNumber: model.position, fileNumber: model.fileNumber(), atEndOfData }, label);
  }
  await medium.close();
}

test('random operation sequences agree with a naive model of the tape', async () => {
  await fc.assert(fc.asyncProperty(fc.array(operation, { minLength: 20, maxLength: 250, size: 'max' }), run), { numRuns: 150, seed: 20261126 });
});
