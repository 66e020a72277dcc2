// SPC-4 6.16 READ ATTRIBUTE and 6.46 WRITE ATTRIBUTE for the cartridge memory (one logical volume, one or two
// partitions). The partition's own attributes (its capacity) are those of PARTITION NUMBER; the host attributes are
// the cartridge's, shared by its partitions (docs/CONFORMANCE.md "Partitions").
import { DataDirection } from '../command.js';
import type { CommandDescriptor, DecodedCdb } from '../command.js';
import { Sense, SenseError, senseOf } from '../sense.js';
import { attributeValues, HOST_ATTRIBUTES, hostBytesUsed, isHostAttribute, MAM_HOST_CAPACITY_BYTES } from './mam-attributes.js';
import type { AttributeValue } from './mam-attributes.js';
import type { TapeDrive } from './tape-drive.js';
import { ReservationAccess } from '../reservation.js';

export const ReadAttributeAction = {
  ATTRIBUTE_VALUES: 0x00,
  ATTRIBUTE_LIST: 0x01,
  LOGICAL_VOLUME_LIST: 0x02,
  PARTITION_LIST: 0x03,
  SUPPORTED_ATTRIBUTES: 0x05,
} as const;

const READ_ONLY = 0x80;
const CACHE = 0x01;
const WTC = 0x01;

export interface AttributeCdb extends DecodedCdb {
  readonly logicalVolume: number;
  readonly partition: number;
  /** FIRST ATTRIBUTE IDENTIFIER (READ ATTRIBUTE; 0 for WRITE ATTRIBUTE). */
  readonly firstAttribute: number;
}

/** READ ATTRIBUTE: ALLOCATION LENGTH (bytes 10-13) of data-in. */
export function decodeReadAttribute(cdb: Buffer): AttributeCdb {
  return { direction: DataDirection.IN, lengthBytes: cdb.readUInt32BE(10), logicalVolume: cdb[5], partition: cdb[7], firstAttribute: cdb.readUInt16BE(8) };
}

/** WRITE ATTRIBUTE: PARAMETER LIST LENGTH (bytes 10-13) of data-out. */
export function decodeWriteAttribute(cdb: Buffer): AttributeCdb {
  return { direction: DataDirection.OUT, lengthBytes: cdb.readUInt32BE(10), logicalVolume: cdb[5], partition: cdb[7], firstAttribute: 0 };
}

function checkVolume(decoded: AttributeCdb): void {
  if (decoded.logicalVolume !== 0) throw Sense.invalidFieldInCdb(5);
}

/** PARTITION NUMBER names a partition of the loaded cartridge. */
function checkPartition(decoded: AttributeCdb, partitions: number): void {
  if (decoded.partition >= partitions) throw Sense.invalidFieldInCdb(7);
}

function encodeAttribute(a: AttributeValue): Buffer {
  const b = Buffer.alloc(5 + a.value.length);
  b.writeUInt16BE(a.id, 0);
  b[2] = (a.readOnly ? READ_ONLY : 0) | a.format;
  b.writeUInt16BE(a.value.length, 3);
  a.value.copy(b, 5);
  return b;
}

function withLength32(body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(body.length, 0);
  return Buffer.concat([h, body]);
}

function idList(ids: readonly number[]): Buffer {
  const b = Buffer.alloc(2 * ids.length);
  ids.forEach((id, i) => b.writeUInt16BE(id, 2 * i));
  return withLength32(b);
}

function readAttributeCommand(serviceAction: number): CommandDescriptor<TapeDrive, AttributeCdb> {
  return {
    opcode: 0x8c,
    serviceAction,
    name: 'READ ATTRIBUTE',
    // Reports without changing state: write exclusive persistent reservations let it through (SPC-4 5.13.1).
    flags: { reservationAccess: ReservationAccess.READ },
    // Byte 1 carries the service action; LOGICAL VOLUME NUMBER must be 0, PARTITION NUMBER a partition (checked below).
    cdbUsage: [0x8c, serviceAction, 0x00, 0x00, 0x00, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, CACHE, 0x00],
    decode: decodeReadAttribute,
    timeoutSeconds: 60,
    execute({ decoded, device }) {
      checkVolume(decoded);
      const first = decoded.firstAttribute;
      return device.withMedium((medium, mount) => {
        const partitions = medium.partitionCapacities().length;
        checkPartition(decoded, partitions);
        const all = attributeValues(device, mount, medium, decoded.partition);
        switch (serviceAction) {
          case ReadAttributeAction.ATTRIBUTE_VALUES:
            return Promise.resolve({ dataIn: withLength32(Buffer.concat(all.filter((a) => a.id >= first).map(encodeAttribute))) });
          case ReadAttributeAction.ATTRIBUTE_LIST:
            return Promise.resolve({ dataIn: idList(all.filter((a) => a.id >= first).map((a) => a.id)) });
          case ReadAttributeAction.SUPPORTED_ATTRIBUTES: {
            const ids = new Set([...all.map((a) => a.id), ...HOST_ATTRIBUTES.keys()]);
            return Promise.resolve({ dataIn: idList([...ids].filter((id) => id >= first).sort((a, b) => a - b)) });
          }
          case ReadAttributeAction.PARTITION_LIST:
            return Promise.resolve({ dataIn: Buffer.from([0x00, 0x02, 0x00, partitions]) });
          default:
            // LOGICAL VOLUME LIST: first number 0, one available.
            return Promise.resolve({ dataIn: Buffer.from([0x00, 0x02, 0x00, 0x01]) });
        }
      });
    },
  };
}

export const readAttributeCommands: readonly CommandDescriptor<TapeDrive, AttributeCdb>[] = Object.values(ReadAttributeAction).map(readAttributeCommand);

/** Decode and check a WRITE ATTRIBUTE parameter list; returns the updates (empty value = delete). */
export function decodeAttributeList(list: Buffer, stored: ReadonlyMap<number, Buffer>): Map<number, Buffer> {
  if (list.length < 4) throw Sense.parameterListLengthError();
  const dataLength = list.readUInt32BE(0);
  if (4 + dataLength > list.length) throw Sense.parameterListLengthError();
  const updates = new Map<number, Buffer>();
  let at = 4;
  while (at < 4 + dataLength) {
    if (at + 5 > 4 + dataLength) throw Sense.parameterListLengthError();
    const id = list.readUInt16BE(at);
    const format = list[at + 2] & 0x03;
    const length = list.readUInt16BE(at + 3);
    if (at + 5 + length > 4 + dataLength) throw Sense.parameterListLengthError();
    if (!isHostAttribute(id)) throw Sense.invalidFieldInParameterList(at);
    const def = HOST_ATTRIBUTES.get(id);
    if (def && length !== 0 && format !== def.format) throw Sense.invalidFieldInParameterList(at + 2, 1);
    if (def?.length !== undefined && length !== 0 && length !== def.length) throw Sense.invalidFieldInParameterList(at + 3);
    updates.set(id, Buffer.from(list.subarray(at + 5, at + 5 + length)));
    at += 5 + length;
  }
  const after = new Map(stored);
  for (const [id, v] of updates) {
    if (v.length === 0) after.delete(id);
    else after.set(id, v);
  }
  if (hostBytesUsed(after) > MAM_HOST_CAPACITY_BYTES) throw new SenseError(senseOf('AUXILIARY_MEMORY_OUT_OF_SPACE'));
  return updates;
}

export const writeAttribute: CommandDescriptor<TapeDrive, AttributeCdb> = {
  opcode: 0x8d,
  name: 'WRITE ATTRIBUTE',
  cdbUsage: [0x8d, WTC, 0x00, 0x00, 0x00, 0xff, 0x00, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
  decode: decodeWriteAttribute,
  timeoutSeconds: 60,
  async execute({ decoded, dataOut, device }) {
    checkVolume(decoded);
    await device.withMedium((medium) => Promise.resolve(checkPartition(decoded, medium.partitionCapacities().length)));
    if (dataOut.length === 0) return {};
    // All or nothing: every attribute is checked before any is written. The cartridge memory is written at
    // once whether or not WTC asks for write-through, so WTC needs no handling of its own.
    await device.withMedium(async (medium) => {
      const updates = decodeAttributeList(dataOut, medium.readAttributes());
      await medium.writeAttributes(updates);
    });
    return {};
  },
};
