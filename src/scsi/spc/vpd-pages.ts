// SPC-4 7.8 vital product data pages: 00h supported pages, 80h unit serial number, 83h device identification,
// plus whatever pages the device type adds (SSC B0h, B1h).
import type { ItNexus } from '../logical-unit.js';
import { asciiBytes, asciiField } from './ascii-field.js';
import type { SpcDevice, SpcIdentity } from './spc-device.js';

export const VpdPage = { SUPPORTED_VPD_PAGES: 0x00, UNIT_SERIAL_NUMBER: 0x80, DEVICE_IDENTIFICATION: 0x83 } as const;

/** SPC-4 7.7.1 table "Protocol identifier values". */
const PROTOCOL_ISCSI = 0x5;
const CodeSet = { BINARY: 0x1, ASCII: 0x2, UTF8: 0x3 } as const;
const Association = { LOGICAL_UNIT: 0x0, TARGET_PORT: 0x1, TARGET_DEVICE: 0x2 } as const;
const DesignatorType = { T10_VENDOR_ID: 0x1, NAA: 0x3, RELATIVE_TARGET_PORT: 0x4, SCSI_NAME_STRING: 0x8 } as const;
const PIV = 0x80;

/** The 4-byte VPD page header followed by `body`. */
export function encodeVpdPage(peripheralDeviceType: number, pageCode: number, body: Buffer): Buffer {
  const b = Buffer.alloc(4 + body.length);
  b[0] = peripheralDeviceType & 0x1f; // peripheral qualifier 000b: the logical unit is connected
  b[1] = pageCode;
  b.writeUInt16BE(body.length, 2);
  body.copy(b, 4);
  return b;
}

/** VPD page codes in ascending order (the 00h page lists exactly these). */
export function supportedVpdPages(device: SpcDevice): number[] {
  const codes = [VpdPage.SUPPORTED_VPD_PAGES, VpdPage.UNIT_SERIAL_NUMBER, VpdPage.DEVICE_IDENTIFICATION] as number[];
  for (const code of device.extraVpdPages?.keys() ?? []) if (!codes.includes(code)) codes.push(code);
  return codes.sort((a, b) => a - b);
}

/** The whole VPD page, or undefined when the device does not support `pageCode`. */
export function vpdPage(device: SpcDevice, pageCode: number, nexus: ItNexus): Buffer | undefined {
  const type = device.identity.peripheralDeviceType;
  switch (pageCode) {
    case VpdPage.SUPPORTED_VPD_PAGES:
      return encodeVpdPage(type, pageCode, Buffer.from(supportedVpdPages(device)));
    case VpdPage.UNIT_SERIAL_NUMBER:
      return encodeVpdPage(type, pageCode, device.vendorIdentification?.unitSerialNumber() ?? asciiBytes(device.identity.serial));
    case VpdPage.DEVICE_IDENTIFICATION:
      return encodeVpdPage(type, pageCode, encodeDeviceIdentification(device.identity, nexus, device.vendorIdentification?.t10VendorIdentifier()));
    default: {
      const extra = device.extraVpdPages?.get(pageCode);
      return extra ? encodeVpdPage(type, pageCode, extra()) : undefined;
    }
  }
}

function designator(protocol: number, codeSet: number, piv: boolean, association: number, type: number, value: Buffer): Buffer {
  const b = Buffer.alloc(4 + value.length);
  b[0] = ((protocol & 0x0f) << 4) | codeSet;
  b[1] = (piv ? PIV : 0) | (association << 4) | type;
  b[3] = value.length;
  value.copy(b, 4);
  return b;
}

/** SPC-4 7.8.6.9 SCSI name string: UTF-8, null-terminated, null-padded to a multiple of 4 bytes. */
export function scsiNameString(name: string): Buffer {
  const utf8 = Buffer.from(name, 'utf8');
  const length = Math.min(256, (utf8.length + 4) & ~3);
  const b = Buffer.alloc(length);
  utf8.copy(b, 0, 0, length - 1);
  return b;
}

/** The SCSI target device name for an iSCSI target port name `<iqn>,t,0x<tpgt>`: the iSCSI name itself. */
export function targetDeviceName(targetPort: string): string {
  const i = targetPort.toLowerCase().lastIndexOf(',t,0x');
  return i < 0 ? targetPort : targetPort.slice(0, i);
}

/**
 * VPD 83h designation descriptors: logical unit (T10 vendor ID based, in the personality's form when it has one; NAA), target port (relative target port,
 * SCSI name string of the port), target device (SCSI name string of the target).
 */
export function encodeDeviceIdentification(identity: SpcIdentity, nexus: ItNexus, t10VendorIdentifier?: Buffer): Buffer {
  const t10 = t10VendorIdentifier ?? Buffer.concat([asciiField(identity.vendor, 8), asciiField(identity.product, 16), asciiBytes(identity.serial)]);
  const relativePort = Buffer.alloc(4);
  relativePort.writeUInt16BE(nexus.relativeTargetPort & 0xffff, 2);
  return Buffer.concat([
    designator(0, CodeSet.ASCII, false, Association.LOGICAL_UNIT, DesignatorType.T10_VENDOR_ID, t10),
    designator(0, CodeSet.BINARY, false, Association.LOGICAL_UNIT, DesignatorType.NAA, identity.naa),
    designator(PROTOCOL_ISCSI, CodeSet.BINARY, true, Association.TARGET_PORT, DesignatorType.RELATIVE_TARGET_PORT, relativePort),
    designator(PROTOCOL_ISCSI, CodeSet.UTF8, true, Association.TARGET_PORT, DesignatorType.SCSI_NAME_STRING, scsiNameString(nexus.targetPort)),
    designator(PROTOCOL_ISCSI, CodeSet.UTF8, true, Association.TARGET_DEVICE, DesignatorType.SCSI_NAME_STRING,
      scsiNameString(targetDeviceName(nexus.targetPort))),
  ]);
}
