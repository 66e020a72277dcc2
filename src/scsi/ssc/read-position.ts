// SSC-4 READ POSITION: short form (block identifiers / vendor-specific), long form and extended form, each with the
// partition the position is in; BOP and EOP are of that partition.
import { DataDirection } from '../command.js';
import type { CommandDescriptor } from '../command.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import type { TapeDrive } from './tape-drive.js';
import { ReservationAccess } from '../reservation.js';

export const ReadPositionForm = { SHORT: 0x00, SHORT_VENDOR: 0x01, LONG: 0x06, EXTENDED: 0x08 } as const;
const SHORT_LENGTH = 20;
const LONG_LENGTH = 32;
const EXTENDED_LENGTH = 32;

const BOP = 0x80;
const EOP = 0x40;
/** PERR: the position does not fit the short form's 32-bit fields. */
const PERR = 0x02;

function flags(medium: TapeMedium): number {
  const p = medium.position();
  const c = medium.capacity();
  // Past early warning only matters where writing would happen: at end of data.
  const pastWarning = p.atEndOfData && c.remainingBytes <= c.earlyWarningBytes;
  return (p.objectNumber === 0 ? BOP : 0) | (pastWarning ? EOP : 0);
}

/** The object buffer is always empty as far as the host can tell: records are in the cartridge writer on GOOD. */
export function encodeShortForm(medium: TapeMedium): Buffer {
  const b = Buffer.alloc(SHORT_LENGTH);
  const n = medium.position().objectNumber;
  b[0] = flags(medium);
  // PARTITION NUMBER (one byte: LTO partitions are 0 and 1).
  b[1] = medium.partition;
  if (n > 0xffffffff) {
    b[0] |= PERR;
  } else {
    b.writeUInt32BE(n, 4);
    b.writeUInt32BE(n, 8);
  }
  return b;
}

export function encodeLongForm(medium: TapeMedium): Buffer {
  const b = Buffer.alloc(LONG_LENGTH);
  const p = medium.position();
  b[0] = flags(medium);
  b.writeUInt32BE(medium.partition, 4);
  b.writeBigUInt64BE(BigInt(p.objectNumber), 8);
  b.writeBigUInt64BE(BigInt(p.fileNumber), 16);
  return b;
}

export function encodeExtendedForm(medium: TapeMedium): Buffer {
  const b = Buffer.alloc(EXTENDED_LENGTH);
  const n = BigInt(medium.position().objectNumber);
  b[0] = flags(medium);
  b[1] = medium.partition;
  b.writeUInt16BE(EXTENDED_LENGTH - 4, 2);
  b.writeBigUInt64BE(n, 8);
  b.writeBigUInt64BE(n, 16);
  return b;
}

function formLength(form: number): number {
  return form === ReadPositionForm.LONG ? LONG_LENGTH : form === ReadPositionForm.EXTENDED ? EXTENDED_LENGTH : SHORT_LENGTH;
}

function encodeForm(form: number, medium: TapeMedium): Buffer {
  switch (form) {
    case ReadPositionForm.LONG:
      return encodeLongForm(medium);
    case ReadPositionForm.EXTENDED:
      return encodeExtendedForm(medium);
    default:
      return encodeShortForm(medium);
  }
}

/** One table entry per form: the SERVICE ACTION field selects it, anything else is INVALID FIELD IN CDB. */
function readPositionCommand(form: number): CommandDescriptor<TapeDrive> {
  return {
    opcode: 0x34,
    serviceAction: form,
    name: 'READ POSITION',
    // Reports without changing state: write exclusive persistent reservations let it through (SPC-4 5.13.1).
    flags: { reservationAccess: ReservationAccess.READ },
    cdbUsage: [0x34, form, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
    // The form is the service action (one entry each); the only field left is ALLOCATION LENGTH.
    decode: (cdb) => {
      const allocation = cdb.readUInt16BE(7);
      // The short and long forms have a fixed length; an ALLOCATION LENGTH of zero there means "all of it".
      const length = form === ReadPositionForm.EXTENDED || allocation !== 0 ? allocation : formLength(form);
      return { direction: DataDirection.IN, lengthBytes: length };
    },
    timeoutSeconds: 10,
    execute: ({ device }) => device.withMedium((medium) => Promise.resolve({ dataIn: encodeForm(form, medium) })),
  };
}

export const readPositionCommands: readonly CommandDescriptor<TapeDrive>[] = Object.values(ReadPositionForm).map(readPositionCommand);
