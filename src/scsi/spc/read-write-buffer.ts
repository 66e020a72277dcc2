// SPC-4 READ BUFFER (3Ch) modes 02h (data) and 03h (descriptor), and WRITE BUFFER (3Bh) mode 02h (data): one
// 64 KiB buffer per logical unit, buffer ID 0, byte offset boundary. It holds what the last WRITE BUFFER put there
// (zeros at first) and nothing else: a transport and buffer test (sg3_utils' sg_test_rwbuf writes a pattern and reads
// it back). Microcode download modes (04h-0Fh), echo buffer (0Ah/0Bh) and error history (1Ch) are refused at MODE.
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { SpcDevice } from './spc-device.js';

export const BufferMode = { DATA: 0x02, DESCRIPTOR: 0x03 } as const;

export const DATA_BUFFER_CAPACITY = 64 * 1024;

export class DataBuffer {
  private bytes: Buffer | undefined;

  read(offset: number, length: number): Buffer {
    const end = Math.min(DATA_BUFFER_CAPACITY, offset + length);
    return Buffer.from((this.bytes ?? Buffer.alloc(DATA_BUFFER_CAPACITY)).subarray(offset, end));
  }

  write(offset: number, data: Buffer): void {
    this.bytes ??= Buffer.alloc(DATA_BUFFER_CAPACITY);
    data.copy(this.bytes, offset);
  }
}

export interface BufferCdb extends DecodedCdb {
  readonly mode: number;
  readonly bufferId: number;
  readonly bufferOffset: number;
  /** READ BUFFER: ALLOCATION LENGTH; WRITE BUFFER: PARAMETER LIST LENGTH (bytes 6-8 in both). */
  readonly length: number;
}

function decodeBuffer(cdb: Buffer): Omit<BufferCdb, 'direction' | 'lengthBytes'> {
  return { mode: cdb[1] & 0x1f, bufferId: cdb[2], bufferOffset: cdb.readUIntBE(3, 3), length: cdb.readUIntBE(6, 3) };
}

export function decodeReadBuffer(cdb: Buffer): BufferCdb {
  const fields = decodeBuffer(cdb);
  return { ...fields, direction: DataDirection.IN, lengthBytes: fields.length };
}

export function decodeWriteBuffer(cdb: Buffer): BufferCdb {
  const fields = decodeBuffer(cdb);
  return { ...fields, direction: fields.length === 0 ? DataDirection.NONE : DataDirection.OUT, lengthBytes: fields.length };
}

export function readBuffer(ctx: CommandContext<SpcDevice, BufferCdb>): CommandResult {
  const { mode, bufferId, bufferOffset, length } = ctx.decoded;
  if (mode === BufferMode.DESCRIPTOR) {
    // OFFSET BOUNDARY 0 (2^0: any byte offset) and BUFFER CAPACITY; all zeros for a buffer ID that does not exist.
    const descriptor = Buffer.alloc(4);
    if (bufferId === 0) descriptor.writeUIntBE(DATA_BUFFER_CAPACITY, 1, 3);
    return { dataIn: descriptor.subarray(0, Math.min(length, 4)) };
  }
  if (mode !== BufferMode.DATA) throw Sense.invalidFieldInCdb(1, 4);
  if (bufferId !== 0) throw Sense.invalidFieldInCdb(2);
  if (bufferOffset > DATA_BUFFER_CAPACITY) throw Sense.invalidFieldInCdb(3);
  return { dataIn: ctx.device.dataBuffer.read(bufferOffset, length) };
}

export function writeBuffer(ctx: CommandContext<SpcDevice, BufferCdb>): CommandResult {
  const { mode, bufferId, bufferOffset, length } = ctx.decoded;
  if (mode !== BufferMode.DATA) throw Sense.invalidFieldInCdb(1, 4);
  if (bufferId !== 0) throw Sense.invalidFieldInCdb(2);
  if (bufferOffset > DATA_BUFFER_CAPACITY) throw Sense.invalidFieldInCdb(3);
  if (bufferOffset + length > DATA_BUFFER_CAPACITY) throw Sense.invalidFieldInCdb(6);
  if (length > 0) ctx.device.dataBuffer.write(bufferOffset, ctx.dataOut.subarray(0, length));
  return {};
}
