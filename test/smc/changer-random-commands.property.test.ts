// Property: random MOVE MEDIUM, EXCHANGE MEDIUM, POSITION TO ELEMENT, READ ELEMENT STATUS and PREVENT commands
// with addresses in and around the library's ranges never produce a target failure (HARDWARE ERROR 44/00): every
// refusal is the standard sense for it, and the library stays consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ScsiStatus } from '../../src/scsi/status.js';
import { checkInvariants } from '../library/invariants.js';
import { changerHarness } from './changer-harness.js';

const address = fc.constantFrom(0x0000, 0x0001, 0x0010, 0x0011, 0x0012, 0x0100, 0x0101, 0x0102, 0x1000, 0x1002, 0x1005, 0x1006, 0xffff);
const hi = (a: number): number => a >> 8;
const lo = (a: number): number => a & 0xff;

const cdb = fc.oneof(
  fc.tuple(address, address, address).map(([t, s, d]) => [0xa5, 0, hi(t), lo(t), hi(s), lo(s), hi(d), lo(d), 0, 0, 0, 0]),
  fc.tuple(address, address, address).map(([s, f, x]) => [0xa6, 0, 0, 0, hi(s), lo(s), hi(f), lo(f), hi(x), lo(x), 0, 0]),
  fc.tuple(address, address).map(([t, d]) => [0x2b, 0, hi(t), lo(t), hi(d), lo(d), 0, 0, 0, 0]),
  fc.tuple(fc.integer({ min: 0, max: 15 }), fc.boolean(), address, fc.integer({ min: 0, max: 20 }), fc.boolean(), fc.integer({ min: 0, max: 600 }))
    .map(([type, voltag, start, n, dvcid, alloc]) => [0xb8, (voltag ? 0x10 : 0) | type, hi(start), lo(start), 0, n, dvcid ? 1 : 0, 0, hi(alloc), lo(alloc), 0, 0]),
  fc.constantFrom([0x1e, 0, 0, 0, 1, 0], [0x1e, 0, 0, 0, 0, 0], [0x1b, 0, 0x00, 0x10, 0, 0], [0x1b, 0, 0x00, 0x10, 1, 0], [0x07, 0, 0, 0, 0, 0]),
);

test('random changer commands answer GOOD or a standard refusal, never a target failure', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(cdb, { minLength: 1, maxLength: 30 }), async (cdbs) => {
      const h = await changerHarness();
      try {
        for (const c of cdbs) {
          const r = await h.run(c);
          if (r.status === ScsiStatus.CHECK_CONDITION) {
            const s = r.sense ?? Buffer.alloc(18);
            assert.notDeepEqual([s[2] & 0x0f, s[12]], [0x4, 0x44], `target failure for ${Buffer.from(c).toString('hex')}`);
          } else {
            assert.equal(r.status, ScsiStatus.GOOD);
          }
        }
        await checkInvariants(h.manager, h.store, h.drives);
      } finally {
        h.close();
      }
    }),
    { numRuns: 30 },
  );
});
