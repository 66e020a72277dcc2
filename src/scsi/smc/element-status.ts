// SMC-3 6.12 READ ELEMENT STATUS (B8h): element status data for the elements of a library.
// The report is built whole and the dispatcher cuts it to the allocation length: the header's NUMBER OF ELEMENTS
// AVAILABLE and BYTE COUNT OF REPORT AVAILABLE, and each page's BYTE COUNT OF DESCRIPTOR DATA AVAILABLE, always
// describe the full report (SMC-3: "shall not be adjusted to match the allocation length"), which is how ch and
// mtx learn how much to ask for.
import type { ElementStatus } from '../../library/library-manager.js';
import type { DeviceIdentity } from '../../library/drive-identity.js';
import type { ElementType } from '../../library/layout.js';
import { DataDirection } from '../command.js';
import type { DecodedCdb } from '../command.js';
import { Sense, SenseReason } from '../sense.js';

/** SMC-3 element type codes. */
export const ElementTypeCode = {
  ALL: 0x0,
  MEDIUM_TRANSPORT: 0x1,
  STORAGE: 0x2,
  IMPORT_EXPORT: 0x3,
  DATA_TRANSFER: 0x4,
} as const;

export const TYPE_CODE_OF: Record<ElementType, number> = {
  transport: ElementTypeCode.MEDIUM_TRANSPORT,
  storage: ElementTypeCode.STORAGE,
  importExport: ElementTypeCode.IMPORT_EXPORT,
  dataTransfer: ElementTypeCode.DATA_TRANSFER,
};

export const TYPE_OF_CODE: Readonly<Record<number, ElementType>> = {
  [ElementTypeCode.MEDIUM_TRANSPORT]: 'transport',
  [ElementTypeCode.STORAGE]: 'storage',
  [ElementTypeCode.IMPORT_EXPORT]: 'importExport',
  [ElementTypeCode.DATA_TRANSFER]: 'dataTransfer',
};

/** SMC-3 MEDIUM TYPE field of an element descriptor (byte 9 bits 2-0). */
const MediumTypeCode = { UNSPECIFIED: 0, DATA: 1, CLEANING: 2, WORM: 4 } as const;

const HEADER_LENGTH = 8;
const PAGE_HEADER_LENGTH = 8;
const DESCRIPTOR_BASE_LENGTH = 12;
const VOLUME_TAG_LENGTH = 36;
const VOLUME_IDENTIFIER_LENGTH = 32;
const IDENTIFICATION_HEADER_LENGTH = 4;
/** SPC-4 designator: code set 2 = ASCII, designator type 1 = T10 vendor ID based (what the drive's VPD 83h carries). */
const CODE_SET_ASCII = 0x2;
const DESIGNATOR_T10_VENDOR_ID = 0x1;

export interface ReadElementStatusRequest {
  readonly voltag: boolean;
  readonly elementTypeCode: number;
  readonly startingAddress: number;
  readonly numberOfElements: number;
  readonly curdata: boolean;
  readonly dvcid: boolean;
  readonly allocationLength: number;
}

export interface ReadElementStatusCdb extends DecodedCdb, ReadElementStatusRequest {}

/** An element type code above 4 is refused here: the usage mask lets every 4-bit value through. */
export function decodeReadElementStatus(cdb: Buffer): ReadElementStatusCdb {
  const elementTypeCode = cdb[1] & 0x0f;
  if (elementTypeCode > ElementTypeCode.DATA_TRANSFER) throw Sense.invalidFieldInCdb(1, 3);
  return {
    direction: DataDirection.IN,
    lengthBytes: cdb.readUIntBE(7, 3),
    voltag: (cdb[1] & 0x10) !== 0,
    elementTypeCode,
    startingAddress: cdb.readUInt16BE(2),
    numberOfElements: cdb.readUInt16BE(4),
    curdata: (cdb[6] & 0x02) !== 0,
    dvcid: (cdb[6] & 0x01) !== 0,
    allocationLength: cdb.readUIntBE(7, 3),
  };
}

/** What a descriptor needs beyond the element's status. */
export interface ElementExtras {
  /** Data transfer elements: the drive's identity (DVCID) and LUN on this target. */
  readonly drive?: { readonly identity: DeviceIdentity; readonly lun: number; readonly removalPrevented: boolean };
}

export interface ReportElement {
  readonly status: ElementStatus;
  readonly extras: ElementExtras;
}

/** The elements a request selects: of the requested type, address >= the starting address, at most N. */
export function selectElements(all: readonly ReportElement[], request: ReadElementStatusRequest): ReportElement[] {
  const type = TYPE_OF_CODE[request.elementTypeCode];
  const matching = all
    .filter((e) => (type === undefined || e.status.type === type) && e.status.address >= request.startingAddress)
    .sort((a, b) => a.status.address - b.status.address);
  // Nothing of that type at or above the address: the address is not one of the requested type's.
  if (matching.length === 0) throw Sense.invalidElementAddress();
  return matching.slice(0, request.numberOfElements);
}

function t10VendorId(identity: DeviceIdentity): Buffer {
  const field = (s: string, n: number): Buffer => Buffer.from(s.padEnd(n, ' ').slice(0, n), 'ascii');
  return Buffer.concat([field(identity.vendor, 8), field(identity.product, 16), Buffer.from(identity.serial, 'ascii')]);
}

/**
 * Why the element is in an abnormal state (EXCEPT=1), as the descriptor's ADDITIONAL SENSE CODE and QUALIFIER
 * (SMC-3 6.12.x: values as SPC-4 defines them for sense data). A missing media file: 30/00 INCOMPATIBLE MEDIUM
 * INSTALLED (the cartridge cannot be used at all). A cartridge whose last load failed stays flagged until a load
 * succeeds: its data key does not unwrap with the library's master key -> 74/03 INCORRECT DATA ENCRYPTION KEY (the
 * SPC-4 security error that names a key not matching the medium's, what an encrypting drive reports for a wrong key);
 * its file could not be opened for another reason -> 31/00 MEDIUM FORMAT CORRUPTED.
 */
export function elementException(status: ElementStatus): { readonly asc: number; readonly ascq: number } | undefined {
  if (status.exception === 'media-missing') return SenseReason.INCOMPATIBLE_MEDIUM_INSTALLED;
  switch (status.cartridge?.loadErrorCause) {
    case 'encryption-key':
      return SenseReason.INCORRECT_DATA_ENCRYPTION_KEY;
    case 'medium':
      return SenseReason.MEDIUM_FORMAT_CORRUPTED;
    case undefined:
      return undefined;
  }
}

function flagsByte(e: ReportElement): number {
  const s = e.status;
  const full = s.cartridge ? 0x01 : 0;
  const except = elementException(s) ? 0x04 : 0;
  switch (s.type) {
    case 'transport':
      return except | full;
    case 'storage':
      return 0x08 | except | full;
    case 'importExport': {
      const impExp = s.cartridge?.placedByOperator ? 0x02 : 0;
      // INENAB and EXENAB: every mail slot both imports and exports.
      return 0x20 | 0x10 | (s.accessible ? 0x08 : 0) | except | impExp | full;
    }
    case 'dataTransfer': {
      // The robot cannot take a cartridge a host holds in the drive with PREVENT MEDIUM REMOVAL.
      const reachable = !(s.cartridge && e.extras.drive?.removalPrevented);
      return (reachable ? 0x08 : 0) | except | full;
    }
  }
}

function encodeDescriptor(e: ReportElement, b: Buffer, offset: number, voltag: boolean, withId: boolean): void {
  const s = e.status;
  const c = s.cartridge;
  b.writeUInt16BE(s.address, offset);
  b[offset + 2] = flagsByte(e);
  const exception = elementException(s);
  if (exception) {
    b[offset + 4] = exception.asc;
    b[offset + 5] = exception.ascq;
  }
  if (s.type === 'dataTransfer' && e.extras.drive && e.extras.drive.lun <= 7) {
    // LU VALID with the drive's LUN on this target (NOT BUS = 0: same target, ID VALID = 0).
    b[offset + 6] = 0x10 | e.extras.drive.lun;
  }
  if (c) {
    const mediumType = c.cleaning ? MediumTypeCode.CLEANING : c.worm ? MediumTypeCode.WORM : MediumTypeCode.DATA;
    b[offset + 9] = (c.source && !c.placedByOperator ? 0x80 : 0) | mediumType;
    if (c.source && !c.placedByOperator) b.writeUInt16BE(c.source.address, offset + 10);
  }
  let p = offset + DESCRIPTOR_BASE_LENGTH;
  if (voltag) {
    if (c) {
      // Volume identifier: the barcode left-aligned, padded with spaces; then 2 reserved bytes, sequence number 0.
      b.write(c.barcode.padEnd(VOLUME_IDENTIFIER_LENGTH, ' '), p, VOLUME_IDENTIFIER_LENGTH, 'ascii');
    }
    p += VOLUME_TAG_LENGTH;
  }
  if (withId) {
    const id = s.type === 'dataTransfer' && e.extras.drive ? t10VendorId(e.extras.drive.identity) : Buffer.alloc(0);
    b[p] = CODE_SET_ASCII;
    b[p + 1] = id.length ? DESIGNATOR_T10_VENDOR_ID : 0;
    b[p + 3] = id.length;
    id.copy(b, p + IDENTIFICATION_HEADER_LENGTH);
  }
}

/** Element status data (header, one page per element type run, descriptors) for the selected elements. */
export function encodeElementStatus(selected: readonly ReportElement[], request: Pick<ReadElementStatusRequest, 'voltag' | 'dvcid'>): Buffer {
  const runs: ReportElement[][] = [];
  for (const e of selected) {
    const last = runs[runs.length - 1];
    if (last && last[0].status.type === e.status.type) last.push(e);
    else runs.push([e]);
  }
  const pages = runs.map((run) => {
    const type = run[0].status.type;
    // DVCID adds the drive's identifier to data transfer descriptors only; one length for the whole page.
    const withId = request.dvcid && type === 'dataTransfer';
    const idLength = withId ? Math.max(...run.map((e) => (e.extras.drive ? t10VendorId(e.extras.drive.identity).length : 0))) : 0;
    const padded = withId ? (IDENTIFICATION_HEADER_LENGTH + idLength + 3) & ~3 : 0;
    const descriptorLength = DESCRIPTOR_BASE_LENGTH + (request.voltag ? VOLUME_TAG_LENGTH : 0) + padded;
    const page = Buffer.alloc(PAGE_HEADER_LENGTH + descriptorLength * run.length);
    page[0] = TYPE_CODE_OF[type];
    page[1] = request.voltag ? 0x80 : 0; // PVOLTAG; no alternate volume tags
    page.writeUInt16BE(descriptorLength, 2);
    page.writeUIntBE(descriptorLength * run.length, 5, 3);
    run.forEach((e, i) => encodeDescriptor(e, page, PAGE_HEADER_LENGTH + i * descriptorLength, request.voltag, withId));
    return page;
  });
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(selected.length > 0 ? selected[0].status.address : 0, 0);
  header.writeUInt16BE(selected.length, 2);
  header.writeUIntBE(pages.reduce((n, p) => n + p.length, 0), 5, 3);
  return Buffer.concat([header, ...pages]);
}
