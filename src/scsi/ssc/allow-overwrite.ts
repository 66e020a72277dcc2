// SSC-4 ALLOW OVERWRITE: in append-only mode (mode page 10h/01h), permit the next write at a position that is not
// end of data.
import { NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import { checkWritePosition, decodeObjectAddress, decodePartition } from './object-address.js';
import type { TapeDrive } from './tape-drive.js';

const ALLOW_OVERWRITE_OFFSET = 2;
/** ALLOW OVERWRITE field values: 1h lets the next write overwrite, 2h lets the next FORMAT MEDIUM run. */
export const AllowOverwrite = { DISABLED: 0x0, CURRENT_POSITION: 0x1, FORMAT: 0x2 } as const;

export interface AllowOverwriteCdb extends DecodedCdb {
  readonly allowOverwrite: number;
  readonly objectIdentifier: number;
  readonly partition: number;
}

export function decodeAllowOverwrite(cdb: Buffer): AllowOverwriteCdb {
  const allowOverwrite = cdb[ALLOW_OVERWRITE_OFFSET] & 0x0f;
  if (allowOverwrite > AllowOverwrite.FORMAT) {
    throw Sense.invalidFieldInCdb(ALLOW_OVERWRITE_OFFSET, 3);
  }
  return { ...NO_TRANSFER, allowOverwrite, objectIdentifier: decodeObjectAddress(cdb), partition: decodePartition(cdb) };
}

export const allowOverwrite: CommandDescriptor<TapeDrive, AllowOverwriteCdb> = {
  opcode: 0x82,
  name: 'ALLOW OVERWRITE',
  cdbUsage: [0x82, 0x00, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00],
  decode: decodeAllowOverwrite,
  timeoutSeconds: 10,
  execute: ({ decoded, device }) =>
    device.withMedium((medium) => {
      if (decoded.allowOverwrite === AllowOverwrite.DISABLED) {
        device.overwrite.cancel();
        return Promise.resolve({});
      }
      if (decoded.allowOverwrite === AllowOverwrite.FORMAT) {
        device.overwrite.allowFormat(medium);
        return Promise.resolve({});
      }
      // The permission names the position the host believes it is at; another one is refused as WRITE(16) refuses it.
      checkWritePosition(decoded, medium);
      device.overwrite.allowAt(medium, decoded.objectIdentifier);
      return Promise.resolve({});
    }),
};
