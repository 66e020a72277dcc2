// SPC-4 device clock: REPORT TIMESTAMP (MAINTENANCE IN A3h/0Fh), SET TIMESTAMP (MAINTENANCE OUT A4h/0Fh) and the
// Control extension mode page (0Ah/01h) whose TCMOS and SCSIP bits say who may set the clock.
// The clock is the host's UTC clock (TIMESTAMP ORIGIN 011b, "initialized by a method outside the scope of this
// standard") until an initiator sets it; from then it counts on from the value set (origin 010b). The setting is
// the logical unit's, kept until a restart (there is no battery to keep it across power-off).
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { SpcDevice } from './spc-device.js';
import { StoredModePage } from './stored-mode-page.js';

export const TimestampOrigin = {
  /** 000b: set to zero at power on or hard reset. */
  POWER_ON: 0b000,
  /** 010b: set by SET TIMESTAMP. */
  SET_TIMESTAMP: 0b010,
  /** 011b: set by a method outside the scope of SPC-4 (here: the host's clock). */
  OUTSIDE: 0b011,
} as const;
export type TimestampOrigin = (typeof TimestampOrigin)[keyof typeof TimestampOrigin];

/** TIMESTAMP is 48 bits of milliseconds since 1970-01-01T00:00:00Z. */
const MAX_TIMESTAMP = 2 ** 48 - 1;
const TIMESTAMP_DATA_LENGTH = 12;

export class DeviceClock {
  private offsetMs = 0;
  private originValue: TimestampOrigin = TimestampOrigin.OUTSIDE;

  constructor(private readonly now: () => number = Date.now) {}

  origin(): TimestampOrigin {
    return this.originValue;
  }

  /** Milliseconds since the epoch, wrapped to 48 bits. */
  timestamp(): number {
    return (((this.now() + this.offsetMs) % (MAX_TIMESTAMP + 1)) + (MAX_TIMESTAMP + 1)) % (MAX_TIMESTAMP + 1);
  }

  set(timestampMs: number): void {
    this.offsetMs = timestampMs - this.now();
    this.originValue = TimestampOrigin.SET_TIMESTAMP;
  }
}

export interface TimestampCdb extends DecodedCdb {
  /** REPORT TIMESTAMP: ALLOCATION LENGTH; SET TIMESTAMP: PARAMETER LIST LENGTH (bytes 6-9 in both). */
  readonly length: number;
}

export function decodeReportTimestamp(cdb: Buffer): TimestampCdb {
  const length = cdb.readUInt32BE(6);
  return { direction: DataDirection.IN, lengthBytes: length, length };
}

export function decodeSetTimestamp(cdb: Buffer): TimestampCdb {
  const length = cdb.readUInt32BE(6);
  return { direction: length === 0 ? DataDirection.NONE : DataDirection.OUT, lengthBytes: length, length };
}

/** 12 bytes: TIMESTAMP PARAMETER DATA LENGTH (0Ah), TIMESTAMP ORIGIN, TIMESTAMP (48 bits), reserved. */
export function reportTimestamp(ctx: CommandContext<SpcDevice, TimestampCdb>): CommandResult {
  const clock = ctx.device.deviceClock;
  const data = Buffer.alloc(TIMESTAMP_DATA_LENGTH);
  data.writeUInt16BE(TIMESTAMP_DATA_LENGTH - 2, 0);
  data[2] = clock.origin();
  data.writeUIntBE(clock.timestamp(), 4, 6);
  return { dataIn: data.subarray(0, Math.min(ctx.decoded.length, data.length)) };
}

/** Parameter data: bytes 0-3 reserved, 4-9 TIMESTAMP, 10-11 reserved. A list length of 0 sets nothing. */
export function setTimestamp(ctx: CommandContext<SpcDevice, TimestampCdb>): CommandResult {
  const { length } = ctx.decoded;
  if (length === 0) return {};
  const data = ctx.dataOut;
  if (length < TIMESTAMP_DATA_LENGTH || data.length < TIMESTAMP_DATA_LENGTH) throw Sense.parameterListLengthError();
  for (const at of [0, 1, 2, 3, 10, 11]) if (data[at] !== 0) throw Sense.invalidFieldInParameterList(at);
  ctx.device.deviceClock.set(data.readUIntBE(4, 6));
  return {};
}

const TCMOS = 0x04;
const SCSIP = 0x02;

/**
 * 0Ah/01h Control extension: TCMOS=1 (the clock is also set outside SCSI: the host's clock at start), SCSIP=1 (a
 * SET TIMESTAMP takes precedence over it), IALUAE=0, INITIAL COMMAND PRIORITY 0, MAXIMUM SENSE DATA LENGTH 0 (no
 * limit). Nothing changeable: both ways of setting the clock always work and SET TIMESTAMP always wins.
 */
export function controlExtensionPage(): StoredModePage {
  const body = new Array<number>(28).fill(0);
  body[0] = TCMOS | SCSIP;
  return new StoredModePage({ pageCode: 0x0a, subpageCode: 0x01, defaults: body, changeable: new Array<number>(28).fill(0) });
}
