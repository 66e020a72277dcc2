// SPC-4 6.35 REPORT SUPPORTED OPERATION CODES (MAINTENANCE IN, service action 0Ch), from the device's own table.
import { DataDirection } from '../command.js';
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { Sense } from '../sense.js';
import type { CommandSummary, SpcDevice } from './spc-device.js';

const RCTD = 0x80;
const ReportingOptions = { ALL: 0, OPCODE: 1, OPCODE_AND_SERVICE_ACTION: 2, OPCODE_OR_SERVICE_ACTION: 3 } as const;
/** one_command SUPPORT field. */
const Support = { NOT_SUPPORTED: 0b001, SUPPORTED: 0b011 } as const;
const TIMEOUTS_DESCRIPTOR_LENGTH = 12;

/** Command timeouts descriptor: length 000Ah, nominal and recommended timeouts in seconds (0 = not specified). */
function timeoutsDescriptor(c: CommandSummary): Buffer {
  const b = Buffer.alloc(TIMEOUTS_DESCRIPTOR_LENGTH);
  b.writeUInt16BE(TIMEOUTS_DESCRIPTOR_LENGTH - 2, 0);
  b.writeUInt32BE(c.timeoutSeconds ?? 0, 4);
  b.writeUInt32BE(c.timeoutSeconds ?? 0, 8);
  return b;
}

/** all_commands parameter data: command data length, then one 8-byte descriptor (+ timeouts) per command. */
export function encodeAllCommands(commands: readonly CommandSummary[], rctd: boolean): Buffer {
  const sorted = [...commands].sort((a, b) => a.opcode - b.opcode || (a.serviceAction ?? -1) - (b.serviceAction ?? -1));
  const descriptors = sorted.map((c) => {
    const d = Buffer.alloc(8);
    d[0] = c.opcode;
    if (c.serviceAction !== undefined) d.writeUInt16BE(c.serviceAction, 2);
    d[5] = (rctd ? 0x02 : 0) | (c.serviceAction !== undefined ? 0x01 : 0); // CTDP, SERVACTV
    d.writeUInt16BE(c.cdbUsage.length, 6);
    return rctd ? Buffer.concat([d, timeoutsDescriptor(c)]) : d;
  });
  const body = Buffer.concat(descriptors);
  const b = Buffer.alloc(4 + body.length);
  b.writeUInt32BE(body.length, 0);
  body.copy(b, 4);
  return b;
}

/** one_command parameter data for `command`, or "not supported" when undefined. */
export function encodeOneCommand(command: CommandSummary | undefined, rctd: boolean): Buffer {
  if (!command) return Buffer.from([0x00, Support.NOT_SUPPORTED, 0x00, 0x00]);
  const usage = Buffer.from(command.cdbUsage);
  const head = Buffer.alloc(4);
  head[1] = (rctd ? 0x80 : 0) | Support.SUPPORTED; // CTDP, SUPPORT
  head.writeUInt16BE(usage.length, 2);
  return Buffer.concat(rctd ? [head, usage, timeoutsDescriptor(command)] : [head, usage]);
}

export interface ReportSupportedOperationCodesCdb extends DecodedCdb {
  /** RCTD: add command timeouts descriptors. */
  readonly rctd: boolean;
  readonly reportingOptions: number;
  readonly requestedOpcode: number;
  readonly requestedServiceAction: number;
}

/** ALLOCATION LENGTH is bytes 6-9. */
export function decodeReportSupportedOperationCodes(cdb: Buffer): ReportSupportedOperationCodesCdb {
  return {
    direction: DataDirection.IN,
    lengthBytes: cdb.readUInt32BE(6),
    rctd: (cdb[2] & RCTD) !== 0,
    reportingOptions: cdb[2] & 0x07,
    requestedOpcode: cdb[3],
    requestedServiceAction: cdb.readUInt16BE(4),
  };
}

export function reportSupportedOperationCodes(ctx: CommandContext<SpcDevice, ReportSupportedOperationCodesCdb>): CommandResult {
  const { rctd, reportingOptions: option, requestedOpcode: opcode, requestedServiceAction: serviceAction } = ctx.decoded;
  const commands = ctx.device.supportedCommands();
  const hasServiceActions = commands.some((c) => c.opcode === opcode && c.serviceAction !== undefined);
  const find = (sa: number | undefined): CommandSummary | undefined =>
    commands.find((c) => c.opcode === opcode && c.serviceAction === sa);
  switch (option) {
    case ReportingOptions.ALL:
      return { dataIn: encodeAllCommands(commands, rctd) };
    case ReportingOptions.OPCODE:
      if (hasServiceActions) throw Sense.invalidFieldInCdb(3);
      return { dataIn: encodeOneCommand(find(undefined), rctd) };
    case ReportingOptions.OPCODE_AND_SERVICE_ACTION:
      if (!hasServiceActions) throw Sense.invalidFieldInCdb(3);
      return { dataIn: encodeOneCommand(find(serviceAction), rctd) };
    case ReportingOptions.OPCODE_OR_SERVICE_ACTION:
      // Service action when the opcode has them; otherwise only service action 0 names the command.
      if (hasServiceActions) return { dataIn: encodeOneCommand(find(serviceAction), rctd) };
      return { dataIn: encodeOneCommand(serviceAction === 0 ? find(undefined) : undefined, rctd) };
    default:
      throw Sense.invalidFieldInCdb(2, 2);
  }
}
