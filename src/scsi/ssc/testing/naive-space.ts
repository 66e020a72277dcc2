// The SPACE moves of MemoryTapeMedium, with naive loops over its array of objects (the test double's own, so it
// shares no code with media/space.ts, which it is checked against by the TapeMedium contract).
import type { RecordPlace } from '../../../media/crypto/record-envelope.js';
import type { SpaceOutcome } from '../../../media/tape-medium.js';

/** A block written with a key keeps its envelope (media/crypto/record-envelope.ts) and where it was sealed. */
export type MemoryObject =
  | { readonly kind: 'block'; readonly data: Buffer; readonly compressed: boolean; readonly sealed?: { readonly envelope: Buffer; readonly place: RecordPlace } }
  | { readonly kind: 'filemark' };

export interface NaiveMove {
  readonly position: number;
  readonly outcome: SpaceOutcome;
}

/** SPACE over blocks (a filemark stops it, with the position past the filemark) or over filemarks (blocks pass). */
export function naiveSpace(objects: readonly MemoryObject[], from: number, count: number, unit: 'blocks' | 'filemarks'): NaiveMove {
  let pos = from;
  let counted = 0;
  while (counted < Math.abs(count)) {
    if (count > 0 && pos >= objects.length) return { position: pos, outcome: { counted, stoppedBy: 'end-of-data' } };
    if (count < 0 && pos === 0) return { position: pos, outcome: { counted, stoppedBy: 'beginning-of-partition' } };
    const o = count > 0 ? objects[pos++] : objects[--pos];
    if (unit === 'blocks' && o.kind === 'filemark') return { position: pos, outcome: { counted, stoppedBy: 'filemark' } };
    if (unit === 'blocks' || o.kind === 'filemark') counted++;
  }
  return { position: pos, outcome: { counted } };
}

export function naiveSpaceSequentialFilemarks(objects: readonly MemoryObject[], from: number, count: number): NaiveMove {
  const n = Math.abs(count);
  let pos = from;
  const runEndsAt = (i: number): boolean => {
    if (i < n) return false;
    for (let k = i - n; k < i; k++) if (objects[k].kind !== 'filemark') return false;
    return true;
  };
  if (count > 0) {
    // Forward: stop just after the first run of n filemarks that starts at or after the position.
    for (let i = pos + n; i <= objects.length; i++) {
      if (runEndsAt(i)) {
        pos = i;
        return { position: pos, outcome: { counted: n } };
      }
    }
    pos = objects.length;
    return { position: pos, outcome: { counted: 0, stoppedBy: 'end-of-data' } };
  }
  // Backward: stop on the BOP side of the nearest run that ends before the position.
  for (let i = pos; i >= n; i--) {
    if (runEndsAt(i)) {
      pos = i - n;
      return { position: pos, outcome: { counted: n } };
    }
  }
  pos = 0;
  return { position: pos, outcome: { counted: 0, stoppedBy: 'beginning-of-partition' } };
}
