// SSC-4 READ(16), WRITE(16), WRITE FILEMARKS(16) and VERIFY(16): the PARTITION (byte 3) and LOGICAL OBJECT
// IDENTIFIER (bytes 4-11) fields, which the 6-byte forms lack; the commands otherwise share the 6-byte execution.
// A write never changes partition (another PARTITION is refused); a read or verify locates there first.
import { Sense, SenseError, senseOf } from '../sense.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { readSafeUint64 } from './cdb-fields.js';

const PARTITION_OFFSET = 3;
const LOGICAL_OBJECT_IDENTIFIER_OFFSET = 4;

/** A decoded CDB that names where it acts: absent for the 6-byte forms (they act at the current position). */
export interface ObjectAddressed {
  readonly objectIdentifier?: number;
  /** PARTITION of a 16-byte CDB (checked against the cartridge when the command runs). */
  readonly partition?: number;
}

/** The PARTITION field of a 16-byte CDB. */
export function decodePartition(cdb: Buffer): number {
  return cdb[PARTITION_OFFSET];
}

/** The logical object identifier of a 16-byte CDB: one beyond a safe integer cannot exist on any tape and is refused. */
export function decodeObjectAddress(cdb: Buffer): number {
  const id = readSafeUint64(cdb, LOGICAL_OBJECT_IDENTIFIER_OFFSET);
  if (id === undefined) throw Sense.invalidFieldInCdb(LOGICAL_OBJECT_IDENTIFIER_OFFSET);
  return id;
}

/**
 * READ(16) and VERIFY(16) position to the logical object first when it is not the current one (a locate, as
 * LOCATE(16) does, into PARTITION when that is another one; a partition the cartridge does not have is INVALID FIELD
 * IN CDB). A locate that meets end of data reads nothing: BLANK CHECK 00/05 with the whole request as residue.
 */
export async function locateForRead(medium: TapeMedium, objectIdentifier: number, requested: number, partition = medium.partition): Promise<void> {
  if (partition !== medium.partition) {
    if (partition >= medium.partitionCapacities().length) throw Sense.invalidFieldInCdb(PARTITION_OFFSET);
    await medium.changePartition(partition);
  }
  if (medium.position().objectNumber === objectIdentifier) return;
  const o = await medium.locate(objectIdentifier);
  if (o.stoppedBy === 'end-of-data') throw new SenseError(senseOf('END_OF_DATA_DETECTED', { information: requested }));
}

/**
 * WRITE(16) and WRITE FILEMARKS(16) never move the tape: a write names the position it expects to write at, and a
 * position other than the current one is refused before anything is written (INVALID FIELD IN CDB at the identifier).
 */
export function checkWritePosition(decoded: ObjectAddressed, medium: TapeMedium): void {
  if (decoded.partition !== undefined && decoded.partition !== medium.partition) throw Sense.invalidFieldInCdb(PARTITION_OFFSET);
  if (decoded.objectIdentifier !== undefined && medium.position().objectNumber !== decoded.objectIdentifier) {
    throw Sense.invalidFieldInCdb(LOGICAL_OBJECT_IDENTIFIER_OFFSET);
  }
}
