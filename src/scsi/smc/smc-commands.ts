// SMC-3 command table of the media changer: the SPC table plus the changer commands.
import type { CommandDescriptor, CommandTable } from '../command.js';
import { extendTable } from '../command.js';
import { preventAllowMediumRemoval } from '../spc/prevent-allow-medium-removal.js';
import type { PreventAllowCdb } from '../spc/prevent-allow-medium-removal.js';
import { preventAllowMediumRemovalCommand, spcCommands } from '../spc/spc-commands.js';
import type { ChangerDevice } from './changer-device.js';
import { decodeReadElementStatus } from './element-status.js';
import type { ReadElementStatusCdb } from './element-status.js';
import { decodeInitializeElementStatusWithRange, initializeElementStatus, initializeElementStatusWithRange } from './initialize-element-status.js';
import type { InitializeElementStatusWithRangeCdb } from './initialize-element-status.js';
import { decodeExchangeMedium, decodeMoveMedium, decodePositionToElement, exchangeMedium, moveMedium, positionToElement } from './move-medium.js';
import type { ElementAddressesCdb } from './move-medium.js';
import { decodeOpenCloseImportExportElement, openCloseImportExportElement } from './open-close-import-export-element.js';
import type { OpenCloseImportExportElementCdb } from './open-close-import-export-element.js';
import { readElementStatus } from './read-element-status.js';
import { ReservationAccess } from '../reservation.js';

export const SmcOpcode = {
  INITIALIZE_ELEMENT_STATUS: 0x07,
  OPEN_CLOSE_IMPORT_EXPORT_ELEMENT: 0x1b,
  POSITION_TO_ELEMENT: 0x2b,
  INITIALIZE_ELEMENT_STATUS_WITH_RANGE: 0x37,
  MOVE_MEDIUM: 0xa5,
  EXCHANGE_MEDIUM: 0xa6,
  READ_ELEMENT_STATUS: 0xb8,
} as const;

/** Robot motion is quick here, but initiators size their timeouts from this (REPORT SUPPORTED OPERATION CODES). */
const MOVE_TIMEOUT_SECONDS = 600;
const STATUS_TIMEOUT_SECONDS = 60;

const changerOnly: CommandTable<ChangerDevice> = [
  {
    opcode: SmcOpcode.INITIALIZE_ELEMENT_STATUS,
    name: 'INITIALIZE ELEMENT STATUS',
    cdbUsage: [0x07, 0x00, 0x00, 0x00, 0x00, 0x00],
    timeoutSeconds: STATUS_TIMEOUT_SECONDS,
    execute: initializeElementStatus,
  },
  {
    opcode: SmcOpcode.OPEN_CLOSE_IMPORT_EXPORT_ELEMENT,
    name: 'OPEN/CLOSE IMPORT/EXPORT ELEMENT',
    cdbUsage: [0x1b, 0x00, 0xff, 0xff, 0x1f, 0x00],
    decode: decodeOpenCloseImportExportElement,
    timeoutSeconds: STATUS_TIMEOUT_SECONDS,
    execute: openCloseImportExportElement,
  } satisfies CommandDescriptor<ChangerDevice, OpenCloseImportExportElementCdb>,
  {
    ...preventAllowMediumRemovalCommand,
    timeoutSeconds: STATUS_TIMEOUT_SECONDS,
    // SMC-3: prevents removal of media through the import/export elements (the operator's shelve is refused).
    execute(ctx) {
      const result = preventAllowMediumRemoval(ctx);
      ctx.device.syncRemovalLock();
      return result;
    },
  } satisfies CommandDescriptor<ChangerDevice, PreventAllowCdb>,
  {
    opcode: SmcOpcode.POSITION_TO_ELEMENT,
    name: 'POSITION TO ELEMENT',
    cdbUsage: [0x2b, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00],
    decode: decodePositionToElement,
    timeoutSeconds: MOVE_TIMEOUT_SECONDS,
    execute: positionToElement,
  } satisfies CommandDescriptor<ChangerDevice, ElementAddressesCdb>,
  {
    opcode: SmcOpcode.INITIALIZE_ELEMENT_STATUS_WITH_RANGE,
    name: 'INITIALIZE ELEMENT STATUS WITH RANGE',
    cdbUsage: [0x37, 0x03, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00],
    decode: decodeInitializeElementStatusWithRange,
    timeoutSeconds: STATUS_TIMEOUT_SECONDS,
    execute: initializeElementStatusWithRange,
  } satisfies CommandDescriptor<ChangerDevice, InitializeElementStatusWithRangeCdb>,
  {
    opcode: SmcOpcode.MOVE_MEDIUM,
    name: 'MOVE MEDIUM',
    cdbUsage: [0xa5, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00],
    decode: decodeMoveMedium,
    timeoutSeconds: MOVE_TIMEOUT_SECONDS,
    execute: moveMedium,
  } satisfies CommandDescriptor<ChangerDevice, ElementAddressesCdb>,
  {
    opcode: SmcOpcode.EXCHANGE_MEDIUM,
    name: 'EXCHANGE MEDIUM',
    cdbUsage: [0xa6, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
    decode: decodeExchangeMedium,
    timeoutSeconds: MOVE_TIMEOUT_SECONDS,
    execute: exchangeMedium,
  } satisfies CommandDescriptor<ChangerDevice, ElementAddressesCdb>,
  {
    opcode: SmcOpcode.READ_ELEMENT_STATUS,
    name: 'READ ELEMENT STATUS',
    // Reports without changing state: write exclusive persistent reservations let it through (SPC-4 5.13.1).
    flags: { reservationAccess: ReservationAccess.READ },
    cdbUsage: [0xb8, 0x1f, 0xff, 0xff, 0xff, 0xff, 0x03, 0xff, 0xff, 0xff, 0x00, 0x00],
    decode: decodeReadElementStatus,
    timeoutSeconds: STATUS_TIMEOUT_SECONDS,
    execute: readElementStatus,
  } satisfies CommandDescriptor<ChangerDevice, ReadElementStatusCdb>,
];

export const smcCommands: CommandTable<ChangerDevice> = extendTable(spcCommands, changerOnly);
