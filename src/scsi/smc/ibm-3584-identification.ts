// The IBM 3584 (TS3500/TS4500 family) changer personality's forms of VPD 80h and of VPD 83h's T10 vendor ID based
// designator, as IBM's public TS4500 SCSI reference documents them ("Inquiry Page X'80': Unit Serial Number",
// "Inquiry Page X'83': Device Identification"): the 12-character serial number right-justified with leading zeros,
// followed by the first storage element address (mode page 1Dh bytes 6-7) as four hexadecimal ASCII digits. The
// 3584's vendor page D0h is listed there with "contents not specified", so it is not reported. Also its log page 30h
// (Library Device Attributes), with the parameters the reference defines and the library can fill; its log page 31h
// (Physical Library Utilization) is not, its layout not being in the reference's public pages we could read.
import { LogPageControl } from '../spc/log-page.js';
import type { LogPage, LogParameter } from '../spc/log-page.js';
import type { SpcIdentity, VendorIdentification } from '../spc/spc-device.js';

const SERIAL_LENGTH = 12;

/** Whether an identity presents the IBM 3584 (vendor IBM, product 03584Lxx), whatever the config's personality key. */
export function presentsIbm3584(identity: Pick<SpcIdentity, 'vendor' | 'product'>): boolean {
  return identity.vendor.trim() === 'IBM' && identity.product.startsWith('03584');
}

/** "Serial Number of Device": right-justified with leading zeros in 12 characters (the last 12 of a longer one). */
export function ibm3584Serial(serial: string): string {
  return serial.slice(-SERIAL_LENGTH).padStart(SERIAL_LENGTH, '0');
}

/** "First Storage Element Address": four hexadecimal digits in ASCII. */
function elementAddressAscii(address: number): string {
  return (address & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

export function ibm3584Identification(identity: SpcIdentity, firstStorageElementAddress: () => number): VendorIdentification {
  const field = (s: string, n: number): string => s.padEnd(n, ' ').slice(0, n);
  return {
    unitSerialNumber: () => Buffer.from(ibm3584Serial(identity.serial) + elementAddressAscii(firstStorageElementAddress()), 'ascii'),
    t10VendorIdentifier: () =>
      Buffer.from(field(identity.vendor, 8) + field(identity.product, 16) + ibm3584Serial(identity.serial) + elementAddressAscii(firstStorageElementAddress()), 'ascii'),
  };
}

/** Log page 30h, Library Device Attributes, of the IBM 3584 (TS4500 SCSI reference "Log Page X'30'"). */
export const LIBRARY_DEVICE_ATTRIBUTES_PAGE = 0x30;
/** The reference's control byte for every parameter of the page: DS=1, LP=1 (the byte is constant). */
const ATTRIBUTE_CONTROL = 0x41;
const LOGICAL_LIBRARY_NAME_LENGTH = 32;

/**
 * The parameters of page 30h whose meaning the reference gives and that apply here: 0001h number of frames (binary,
 * 1 byte: one), 0003h logical library name (ASCII, 32 bytes: the library's name), 0004h physical library serial number
 * (ASCII, 12 bytes). ASCII values are left-justified and padded with 00h. 0002h (library web page URL) is left out
 * (the changer does not know the management API's address), as are the later parameters the vtl cannot fill.
 */
export function libraryDeviceAttributesPage(libraryName: string, identity: Pick<SpcIdentity, 'serial'>): LogPage {
  const ascii = (text: string, length: number): Buffer => {
    const b = Buffer.alloc(length);
    b.write(text.slice(0, length), 'ascii');
    return b;
  };
  const parameters: LogParameter[] = [
    { code: 0x0001, control: ATTRIBUTE_CONTROL, value: Buffer.from([1]) },
    { code: 0x0003, control: ATTRIBUTE_CONTROL, value: ascii(libraryName, LOGICAL_LIBRARY_NAME_LENGTH) },
    { code: 0x0004, control: ATTRIBUTE_CONTROL, value: ascii(ibm3584Serial(identity.serial), SERIAL_LENGTH) },
  ];
  return {
    pageCode: LIBRARY_DEVICE_ATTRIBUTES_PAGE,
    subpageCode: 0,
    parameters: (pc) => (pc === LogPageControl.CURRENT_CUMULATIVE || pc === LogPageControl.DEFAULT_CUMULATIVE ? parameters : undefined),
  };
}
