// SMC-3 6.7 OPEN/CLOSE IMPORT/EXPORT ELEMENT (1Bh): a host opens a mail slot for the operator (the robot cannot
// reach it while open: ACCESS = 0) or closes it again. Opening is refused while medium removal is prevented.
import { elementAt } from '../../library/layout.js';
import type { CommandContext, CommandResult } from '../command.js';
import { Sense } from '../sense.js';
import type { ChangerDevice } from './changer-device.js';

export const ImportExportAction = { OPEN: 0x00, CLOSE: 0x01 } as const;

export function openCloseImportExportElement(ctx: CommandContext<ChangerDevice>): CommandResult {
  const d = ctx.device;
  const ref = elementAt(d.manager.library(d.library).layout, ctx.cdb.readUInt16BE(2));
  if (ref?.type !== 'importExport') throw Sense.invalidElementAddress();
  const action = ctx.cdb[4] & 0x1f;
  if (action === ImportExportAction.OPEN) {
    if (d.mediumRemoval.prevented()) throw Sense.mediumRemovalPrevented();
    d.manager.setMailSlotOpen(d.library, ref.index, true);
  } else if (action === ImportExportAction.CLOSE) {
    d.manager.setMailSlotOpen(d.library, ref.index, false);
  } else {
    throw Sense.invalidFieldInCdb(4, 4);
  }
  return {};
}
