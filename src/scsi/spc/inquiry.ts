// SPC-4 6.4 INQUIRY: standard inquiry data and the vital product data pages.
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import { asciiField } from './ascii-field.js';
import type { SpcDevice, SpcIdentity } from './spc-device.js';
import { vpdPage } from './vpd-pages.js';

/** Standard inquiry data length: through the version descriptors and the reserved bytes 74-95. */
const STANDARD_LENGTH = 96;
const MAX_VERSION_DESCRIPTORS = 8;

/** SPC-4 6.4.2 standard INQUIRY data. */
export function encodeStandardInquiry(identity: SpcIdentity): Buffer {
  const b = Buffer.alloc(STANDARD_LENGTH);
  b[0] = identity.peripheralDeviceType & 0x1f;
  b[1] = identity.removable ? 0x80 : 0x00;
  b[2] = 0x06; // VERSION: SPC-4
  b[3] = 0x10 | 0x02; // HISUP=1 (hierarchical LUNs), RESPONSE DATA FORMAT 2
  b[4] = STANDARD_LENGTH - 5;
  // Byte 5: no SCCS, ACC, TPGS, 3PC; PROTECT as the identity says. Byte 6: no ENCSERV, MULTIP, ADDR16.
  b[5] = identity.protect ? 0x01 : 0x00;
  b[7] = 0x02; // CMDQUE: the full task management model (iSCSI always queues)
  asciiField(identity.vendor, 8).copy(b, 8);
  asciiField(identity.product, 16).copy(b, 16);
  asciiField(identity.revision, 4).copy(b, 32);
  identity.versionDescriptors.slice(0, MAX_VERSION_DESCRIPTORS).forEach((v, i) => b.writeUInt16BE(v, 58 + 2 * i));
  return b;
}

export interface InquiryCdb extends DecodedCdb {
  /** EVPD: a vital product data page instead of the standard data. */
  readonly evpd: boolean;
  readonly pageCode: number;
}

/** ALLOCATION LENGTH is bytes 3-4. */
export function decodeInquiry(cdb: Buffer): InquiryCdb {
  return { direction: DataDirection.IN, lengthBytes: cdb.readUInt16BE(3), evpd: (cdb[1] & 0x01) !== 0, pageCode: cdb[2] };
}

export function inquiry(ctx: CommandContext<SpcDevice, InquiryCdb>): CommandResult {
  const { evpd, pageCode } = ctx.decoded;
  if (!evpd) {
    // A page code without EVPD is an error (SPC-4 6.4.1).
    if (pageCode !== 0) throw Sense.invalidFieldInCdb(2);
    return { dataIn: encodeStandardInquiry(ctx.device.identity) };
  }
  const page = vpdPage(ctx.device, pageCode, ctx.nexus);
  if (!page) throw Sense.invalidFieldInCdb(2);
  return { dataIn: page };
}
