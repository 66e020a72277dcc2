// SPC-4 7.6.4.6 iSCSI TransportID (protocol identifier 5h): how PERSISTENT RESERVE IN READ FULL STATUS names a
// registrant's initiator port and how REGISTER AND MOVE names the destination one. Other protocols are refused.
import { Sense } from './sense.js';

export const ProtocolIdentifier = { ISCSI: 0x5 } as const;

/** FORMAT CODE: 00b names the initiator device (iSCSI name), 01b one initiator port (name, ",i,0x", ISID). */
export const IscsiTransportIdFormat = { DEVICE_NAME: 0x0, INITIATOR_PORT: 0x1 } as const;

/** An iSCSI TransportID: the initiator name, and the ISID (hex, as in the port name) for format 01b. */
export interface IscsiTransportId {
  readonly iscsiName: string;
  readonly isid?: string;
}

const HEADER_BYTES = 4;
/** The standard's minimum TransportID is 24 bytes (ADDITIONAL LENGTH at least 20). */
const MIN_ADDITIONAL_LENGTH = 20;
const PORT_SEPARATOR = ',i,0x';

/** The TransportID of an initiator port named the iSCSI way (`iqn...,i,0x<ISID>`), format 01b, padded to 4 bytes. */
export function encodeIscsiTransportId(initiatorPort: string): Buffer {
  const name = Buffer.from(initiatorPort, 'utf8');
  const additionalLength = Math.max(MIN_ADDITIONAL_LENGTH, Math.ceil((name.length + 1) / 4) * 4);
  const b = Buffer.alloc(HEADER_BYTES + additionalLength);
  b[0] = (IscsiTransportIdFormat.INITIATOR_PORT << 6) | ProtocolIdentifier.ISCSI;
  b.writeUInt16BE(additionalLength, 2);
  name.copy(b, HEADER_BYTES);
  return b;
}

/**
 * Decode a TransportID that starts at `offset` of a parameter list, checking every field: a wrong one is INVALID
 * FIELD IN PARAMETER LIST pointing at its byte of the list. Returns the ID and its length in bytes.
 */
export function decodeIscsiTransportId(list: Buffer, offset: number): { readonly id: IscsiTransportId; readonly lengthBytes: number } {
  if (list.length < offset + HEADER_BYTES) throw Sense.parameterListLengthError();
  const format = list[offset] >> 6;
  if ((list[offset] & 0x0f) !== ProtocolIdentifier.ISCSI) throw Sense.invalidFieldInParameterList(offset, 3);
  if ((list[offset] & 0x30) !== 0) throw Sense.invalidFieldInParameterList(offset, 5);
  if (format !== IscsiTransportIdFormat.DEVICE_NAME && format !== IscsiTransportIdFormat.INITIATOR_PORT) {
    throw Sense.invalidFieldInParameterList(offset, 7);
  }
  const additionalLength = list.readUInt16BE(offset + 2);
  if (additionalLength < MIN_ADDITIONAL_LENGTH || additionalLength % 4 !== 0) throw Sense.invalidFieldInParameterList(offset + 2);
  const end = offset + HEADER_BYTES + additionalLength;
  if (list.length < end) throw Sense.parameterListLengthError();
  const field = list.subarray(offset + HEADER_BYTES, end);
  const nul = field.indexOf(0);
  if (nul <= 0) throw Sense.invalidFieldInParameterList(offset + HEADER_BYTES);
  const text = field.subarray(0, nul).toString('utf8');
  const lengthBytes = HEADER_BYTES + additionalLength;
  const separator = text.toLowerCase().indexOf(PORT_SEPARATOR);
  if (format === IscsiTransportIdFormat.DEVICE_NAME) {
    if (separator >= 0) throw Sense.invalidFieldInParameterList(offset + HEADER_BYTES + separator);
    return { id: { iscsiName: text }, lengthBytes };
  }
  const isid = text.slice(separator + PORT_SEPARATOR.length);
  if (separator <= 0 || !/^[0-9a-f]{12}$/i.test(isid)) throw Sense.invalidFieldInParameterList(offset + HEADER_BYTES + Math.max(0, separator));
  return { id: { iscsiName: text.slice(0, separator), isid: isid.toLowerCase() }, lengthBytes };
}

/** Split an iSCSI initiator port name (`iqn...,i,0x<ISID>`) into its TransportID parts. */
export function iscsiPortParts(initiatorPort: string): IscsiTransportId {
  const separator = initiatorPort.toLowerCase().indexOf(PORT_SEPARATOR);
  if (separator < 0) return { iscsiName: initiatorPort };
  return { iscsiName: initiatorPort.slice(0, separator), isid: initiatorPort.slice(separator + PORT_SEPARATOR.length).toLowerCase() };
}
