// SMC-3 6.7 OPEN/CLOSE IMPORT/EXPORT ELEMENT (1Bh): a host opens a mail slot for the operator (the robot cannot
// reach it while open: ACCESS = 0) or closes it again. Opening is refused while medium removal is prevented. The
// state is kept in the catalog, so an open slot stays open across restarts; a catalog that cannot write refuses the
// command as a move would (library-sense.ts).
import { elementAt } from '../../library/layout.js';
import { NO_TRANSFER } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { ChangerDevice } from './changer-device.js';
import { asSenseSync } from './library-sense.js';

export const ImportExportAction = { OPEN: 0x00, CLOSE: 0x01 } as const;

export interface OpenCloseImportExportElementCdb extends DecodedCdb {
  readonly elementAddress: number;
  /** ACTION CODE (5 bits). */
  readonly action: number;
}

export function decodeOpenCloseImportExportElement(cdb: Buffer): OpenCloseImportExportElementCdb {
  return { ...NO_TRANSFER, elementAddress: cdb.readUInt16BE(2), action: cdb[4] & 0x1f };
}

export function openCloseImportExportElement(ctx: CommandContext<ChangerDevice, OpenCloseImportExportElementCdb>): CommandResult {
  const d = ctx.device;
  const { elementAddress, action } = ctx.decoded;
  const ref = elementAt(d.manager.library(d.library).layout, elementAddress);
  if (ref?.type !== 'importExport') throw Sense.invalidElementAddress();
  if (action === ImportExportAction.OPEN) {
    if (d.mediumRemoval.prevented()) throw Sense.mediumRemovalPrevented();
    asSenseSync(() => d.manager.setMailSlotOpen(d.library, ref.index, true));
  } else if (action === ImportExportAction.CLOSE) {
    asSenseSync(() => d.manager.setMailSlotOpen(d.library, ref.index, false));
  } else {
    throw Sense.invalidFieldInCdb(4, 4);
  }
  d.health.check();
  return {};
}
