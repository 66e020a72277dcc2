// SSC-4 READ(16), WRITE(16), WRITE FILEMARKS(16) and VERIFY(16): the PARTITION (byte 3) and LOGICAL OBJECT
// IDENTIFIER (bytes 4-11) fields, which the 6-byte forms lack; the commands otherwise share the 6-byte execution.
import { Sense, SenseError, senseOf } from '../sense.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { readSafeUint64 } from './cdb-fields.js';

const PARTITION_OFFSET = 3;
const LOGICAL_OBJECT_IDENTIFIER_OFFSET = 4;

/** A decoded CDB that names where it acts: absent for the 6-byte forms (they act at the current position). */
export interface ObjectAddressed {
  readonly objectIdentifier?: number;
}

/**
 * The logical object identifier of a 16-byte CDB. The drive has one partition, so any other partition is an invalid
 * field; an identifier beyond a safe integer cannot exist on any tape and is refused the same way.
 */
export function decodeObjectAddress(cdb: Buffer): number {
  if (cdb[PARTITION_OFFSET] !== 0) throw Sense.invalidFieldInCdb(PARTITION_OFFSET);
  const id = readSafeUint64(cdb, LOGICAL_OBJECT_IDENTIFIER_OFFSET);
  if (id === undefined) throw Sense.invalidFieldInCdb(LOGICAL_OBJECT_IDENTIFIER_OFFSET);
  return id;
}

/**
 * READ(16) and VERIFY(16) position to the logical object first when it is not the current one (a locate, as
 * LOCATE(16) does). A locate that meets end of data reads nothing: BLANK CHECK 00/05 with the whole request as residue.
 */
export async function locateForRead(medium: TapeMedium, objectIdentifier: number, requested: number): Promise<void> {
  if (medium.position().objectNumber === objectIdentifier) return;
  const o = await medium.locate(objectIdentifier);
  if (o.stoppedBy === 'end-of-data') throw new SenseError(senseOf('END_OF_DATA_DETECTED', { information: requested }));
}

/**
 * WRITE(16) and WRITE FILEMARKS(16) never move the tape: a write names the position it expects to write at, and a
 * position other than the current one is refused before anything is written (INVALID FIELD IN CDB at the identifier).
 */
export function checkWritePosition(decoded: ObjectAddressed, medium: TapeMedium): void {
  if (decoded.objectIdentifier !== undefined && medium.position().objectNumber !== decoded.objectIdentifier) {
    throw Sense.invalidFieldInCdb(LOGICAL_OBJECT_IDENTIFIER_OFFSET);
  }
}
