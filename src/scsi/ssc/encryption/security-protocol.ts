// SPC-4 SECURITY PROTOCOL IN (A2h) / SECURITY PROTOCOL OUT (B5h) on the tape drive: protocol 00h (security protocol
// information) and protocol 20h (SSC-4 tape data encryption). INC_512 is not supported (outside the usage mask).
import { DataDirection } from '../../command.js';
import type { CommandDescriptor, DecodedCdb } from '../../command.js';
import { ReservationAccess } from '../../reservation.js';
import { Sense } from '../../sense.js';
import type { TapeDrive } from '../tape-drive.js';
import { decodeSetDataEncryption, TapeDataEncryptionPage } from './set-data-encryption-page.js';
import {
  certificateDataPage, dataEncryptionCapabilitiesPage, dataEncryptionManagementCapabilitiesPage, dataEncryptionStatusPage,
  IN_PAGES, nextBlockEncryptionStatusPage, SecurityProtocol, SecurityProtocolInformationPage, supportedKeyFormatsPage,
  supportedOutPagesPage, supportedPagesPage, supportedProtocolsPage,
} from './tape-data-encryption-pages.js';

/** The largest SECURITY PROTOCOL OUT parameter list taken: a Set Data Encryption page is at most 104 bytes. */
export const MAX_SECURITY_OUT_BYTES = 8192;

export interface SecurityProtocolCdb extends DecodedCdb {
  readonly protocol: number;
  /** SECURITY PROTOCOL SPECIFIC: the page. */
  readonly page: number;
}

const Cdb = { PROTOCOL: 1, PROTOCOL_SPECIFIC: 2, LENGTH: 6 } as const;
const USAGE = [0xff, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00];

export function decodeSecurityProtocolIn(cdb: Buffer): SecurityProtocolCdb {
  const protocol = cdb[Cdb.PROTOCOL];
  const page = cdb.readUInt16BE(Cdb.PROTOCOL_SPECIFIC);
  if (protocol === SecurityProtocol.INFORMATION) {
    if (page !== SecurityProtocolInformationPage.SUPPORTED_PROTOCOLS && page !== SecurityProtocolInformationPage.CERTIFICATE_DATA) {
      throw Sense.invalidFieldInCdb(Cdb.PROTOCOL_SPECIFIC);
    }
  } else if (protocol === SecurityProtocol.TAPE_DATA_ENCRYPTION) {
    if (!IN_PAGES.includes(page)) throw Sense.invalidFieldInCdb(Cdb.PROTOCOL_SPECIFIC);
  } else {
    throw Sense.invalidFieldInCdb(Cdb.PROTOCOL);
  }
  const lengthBytes = cdb.readUInt32BE(Cdb.LENGTH);
  return { direction: lengthBytes === 0 ? DataDirection.NONE : DataDirection.IN, lengthBytes, protocol, page };
}

export function decodeSecurityProtocolOut(cdb: Buffer): SecurityProtocolCdb {
  const protocol = cdb[Cdb.PROTOCOL];
  const page = cdb.readUInt16BE(Cdb.PROTOCOL_SPECIFIC);
  // Protocol 00h has nothing to send; of protocol 20h only Set Data Encryption is an OUT page.
  if (protocol !== SecurityProtocol.TAPE_DATA_ENCRYPTION) throw Sense.invalidFieldInCdb(Cdb.PROTOCOL);
  if (page !== TapeDataEncryptionPage.SET_DATA_ENCRYPTION) throw Sense.invalidFieldInCdb(Cdb.PROTOCOL_SPECIFIC);
  const lengthBytes = cdb.readUInt32BE(Cdb.LENGTH);
  if (lengthBytes > MAX_SECURITY_OUT_BYTES) throw Sense.invalidFieldInCdb(Cdb.LENGTH);
  return { direction: lengthBytes === 0 ? DataDirection.NONE : DataDirection.OUT, lengthBytes, protocol, page };
}

export const securityProtocolIn: CommandDescriptor<TapeDrive, SecurityProtocolCdb> = {
  opcode: 0xa2,
  name: 'SECURITY PROTOCOL IN',
  cdbUsage: [0xa2, ...USAGE],
  decode: decodeSecurityProtocolIn,
  flags: { reservationAccess: ReservationAccess.READ },
  timeoutSeconds: 60,
  async execute({ decoded, device, nexus }) {
    if (decoded.protocol === SecurityProtocol.INFORMATION) {
      return { dataIn: decoded.page === SecurityProtocolInformationPage.SUPPORTED_PROTOCOLS ? supportedProtocolsPage() : certificateDataPage() };
    }
    switch (decoded.page) {
      case TapeDataEncryptionPage.SUPPORTED_PAGES:
        return { dataIn: supportedPagesPage() };
      case TapeDataEncryptionPage.SUPPORTED_OUT_PAGES:
        return { dataIn: supportedOutPagesPage() };
      case TapeDataEncryptionPage.DATA_ENCRYPTION_CAPABILITIES:
        return { dataIn: dataEncryptionCapabilitiesPage(device.readiness() === undefined) };
      case TapeDataEncryptionPage.SUPPORTED_KEY_FORMATS:
        return { dataIn: supportedKeyFormatsPage() };
      case TapeDataEncryptionPage.DATA_ENCRYPTION_MANAGEMENT_CAPABILITIES:
        return { dataIn: dataEncryptionManagementCapabilitiesPage() };
      case TapeDataEncryptionPage.DATA_ENCRYPTION_STATUS:
        return { dataIn: dataEncryptionStatusPage(device.encryption.inUse(nexus.id), device.encryption.keyInstanceCounter) };
      default: {
        // Next Block Encryption Status looks at the object at the position, without moving (NOT READY without one).
        const dataIn = await device.withMedium(async (medium) => {
          const objectNumber = medium.position().objectNumber;
          const next = await medium.peek();
          return nextBlockEncryptionStatusPage(objectNumber, next, (envelope) => device.encryption.canOpen(nexus.id, envelope));
        });
        return { dataIn };
      }
    }
  },
};

export const securityProtocolOut: CommandDescriptor<TapeDrive, SecurityProtocolCdb> = {
  opcode: 0xb5,
  name: 'SECURITY PROTOCOL OUT',
  cdbUsage: [0xb5, ...USAGE],
  decode: decodeSecurityProtocolOut,
  timeoutSeconds: 60,
  execute({ dataOut, device, nexus }) {
    device.encryption.set(nexus.id, decodeSetDataEncryption(dataOut));
    return {};
  },
};
