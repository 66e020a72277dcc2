// SPC-4 6.14 PERSISTENT RESERVE OUT: every service action, its parameter list (6.14.3, 6.14.4 for REGISTER AND
// MOVE) checked field by field before the state in persistent-reservations.ts changes. Refused: SPEC_I_PT and
// ALL_TG_PT (REPORT CAPABILITIES says SIP_C=0, ATP_C=0), APTPL without a place to persist it (PTPL_C=0).
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { DataDirection } from '../command.js';
import type { ItNexus } from '../logical-unit.js';
import { nexusIdOf } from '../persistent-reservations.js';
import { isPrType, PrScope, PrType } from '../pr-type.js';
import { Sense } from '../sense.js';
import { decodeIscsiTransportId } from '../transport-id.js';
import type { SpcDevice } from './spc-device.js';

export const PrOutServiceAction = {
  REGISTER: 0x00,
  RESERVE: 0x01,
  RELEASE: 0x02,
  CLEAR: 0x03,
  PREEMPT: 0x04,
  PREEMPT_AND_ABORT: 0x05,
  REGISTER_AND_IGNORE_EXISTING_KEY: 0x06,
  REGISTER_AND_MOVE: 0x07,
} as const;
export type PrOutServiceAction = (typeof PrOutServiceAction)[keyof typeof PrOutServiceAction];

export interface PersistentReserveOutCdb extends DecodedCdb {
  readonly serviceAction: PrOutServiceAction;
  /** Checked to be a valid type with LU_SCOPE for the service actions that use them; ignored by the others. */
  readonly type: PrType;
}

/** The basic parameter list (SPC-4 6.14.3) and the REGISTER AND MOVE header are both 24 bytes. */
const LIST_BYTES = 24;
/** REGISTER AND MOVE: header plus the longest iSCSI TransportID (a 223-byte name, separator, ISID), rounded up. */
const MAX_LIST_BYTES = LIST_BYTES + 256;
const USES_TYPE: ReadonlySet<number> = new Set([
  PrOutServiceAction.RESERVE, PrOutServiceAction.RELEASE, PrOutServiceAction.PREEMPT, PrOutServiceAction.PREEMPT_AND_ABORT,
  PrOutServiceAction.REGISTER_AND_MOVE,
]);
/** Byte 20 of the basic list. */
const SPEC_I_PT_BIT = 3;
const ALL_TG_PT_BIT = 2;
const APTPL = 0x01;
const RESERVED_BYTE_20 = 0xf2;
/** Byte 17 of the REGISTER AND MOVE list. */
const UNREG = 0x02;
const RESERVED_BYTE_17 = 0xfc;

export function decodePersistentReserveOut(cdb: Buffer): PersistentReserveOutCdb {
  const serviceAction = (cdb[1] & 0x1f) as PrOutServiceAction;
  const scope = cdb[2] >> 4;
  const type = cdb[2] & 0x0f;
  if (USES_TYPE.has(serviceAction)) {
    if (scope !== PrScope.LU_SCOPE) throw Sense.invalidFieldInCdb(2, 7);
    if (!isPrType(type)) throw Sense.invalidFieldInCdb(2, 3);
  }
  const lengthBytes = cdb.readUInt32BE(5);
  const registering = serviceAction === PrOutServiceAction.REGISTER || serviceAction === PrOutServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY;
  // REGISTER with SPEC_I_PT may be longer: accepted here so the refusal can name SPEC_I_PT, not the length.
  const lengthOk = serviceAction === PrOutServiceAction.REGISTER_AND_MOVE || registering
    ? lengthBytes >= LIST_BYTES && lengthBytes <= MAX_LIST_BYTES
    : lengthBytes === LIST_BYTES;
  if (!lengthOk) throw Sense.parameterListLengthError();
  return { direction: DataDirection.OUT, lengthBytes, serviceAction, type: isPrType(type) ? type : PrType.WRITE_EXCLUSIVE };
}

export async function persistentReserveOut(ctx: CommandContext<SpcDevice, PersistentReserveOutCdb>): Promise<CommandResult> {
  const { serviceAction, type } = ctx.decoded;
  const list = ctx.dataOut;
  const pr = ctx.device.reservation.persistent;
  const reservationKey = list.readBigUInt64BE(0);
  const serviceActionKey = list.readBigUInt64BE(8);
  if (serviceAction === PrOutServiceAction.REGISTER_AND_MOVE) {
    const move = decodeMoveList(list, ctx);
    pr.registerAndMove(ctx.nexus, reservationKey, serviceActionKey, type, move.destination, move.unregister, move.aptpl);
    await ctx.device.reservation.save();
    return {};
  }
  const flags = list[20];
  if (flags & (1 << SPEC_I_PT_BIT)) throw Sense.invalidFieldInParameterList(20, SPEC_I_PT_BIT);
  if (list.length !== LIST_BYTES) throw Sense.parameterListLengthError();
  if (flags & RESERVED_BYTE_20) throw Sense.invalidFieldInParameterList(20, 31 - Math.clz32(flags & RESERVED_BYTE_20));
  switch (serviceAction) {
    case PrOutServiceAction.REGISTER:
    case PrOutServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY: {
      if (flags & (1 << ALL_TG_PT_BIT)) throw Sense.invalidFieldInParameterList(20, ALL_TG_PT_BIT);
      const aptpl = (flags & APTPL) !== 0;
      if (aptpl && !ctx.device.reservation.canPersist) throw Sense.invalidFieldInParameterList(20, 0);
      pr.register(ctx.nexus, reservationKey, serviceActionKey, aptpl, serviceAction === PrOutServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY);
      break;
    }
    case PrOutServiceAction.RESERVE:
      pr.reserve(ctx.nexus, reservationKey, type);
      break;
    case PrOutServiceAction.RELEASE:
      pr.release(ctx.nexus, reservationKey, type);
      break;
    case PrOutServiceAction.CLEAR:
      pr.clear(ctx.nexus, reservationKey);
      break;
    case PrOutServiceAction.PREEMPT:
    case PrOutServiceAction.PREEMPT_AND_ABORT:
      // PREEMPT AND ABORT: the preempted nexuses' queued commands meet the dispatcher's second reservation check
      // when their turn comes and end in RESERVATION CONFLICT (docs/CONFORMANCE.md).
      pr.preempt(ctx.nexus, reservationKey, serviceActionKey, type);
      break;
    default: {
      const never: never = serviceAction;
      throw new Error(`unknown PERSISTENT RESERVE OUT service action ${String(never)}`);
    }
  }
  await ctx.device.reservation.save();
  return {};
}

interface MoveList {
  readonly destination: Pick<ItNexus, 'id' | 'initiatorPort' | 'targetPort' | 'relativeTargetPort'>;
  readonly unregister: boolean;
  readonly aptpl: boolean;
}

/** SPC-4 6.14.4: UNREG, APTPL, RELATIVE TARGET PORT IDENTIFIER and the destination's TransportID. */
function decodeMoveList(list: Buffer, ctx: CommandContext<SpcDevice, PersistentReserveOutCdb>): MoveList {
  if (list[16] !== 0) throw Sense.invalidFieldInParameterList(16, 31 - Math.clz32(list[16]));
  if (list[17] & RESERVED_BYTE_17) throw Sense.invalidFieldInParameterList(17, 31 - Math.clz32(list[17] & RESERVED_BYTE_17));
  const aptpl = (list[17] & APTPL) !== 0;
  if (aptpl && !ctx.device.reservation.canPersist) throw Sense.invalidFieldInParameterList(17, 0);
  const tidLength = list.readUInt32BE(20);
  if (LIST_BYTES + tidLength > list.length) throw Sense.parameterListLengthError();
  const { id, lengthBytes } = decodeIscsiTransportId(list.subarray(0, LIST_BYTES + tidLength), LIST_BYTES);
  if (lengthBytes !== tidLength) throw Sense.invalidFieldInParameterList(20);
  const pr = ctx.device.reservation.persistent;
  const relativeTargetPort = list.readUInt16BE(18);
  // The target ports this logical unit knows: the one the command came through and the registrants'.
  const ports = [ctx.nexus, ...pr.list()];
  const targetPort = ports.find((p) => p.relativeTargetPort === relativeTargetPort)?.targetPort;
  if (targetPort === undefined) throw Sense.invalidFieldInParameterList(18);
  let initiatorPort: string;
  if (id.isid !== undefined) {
    initiatorPort = `${id.iscsiName},i,0x${id.isid}`;
  } else {
    // A name alone (format 00b) names a device, not a port: accepted when one registrant has that name.
    const named = pr.list().filter((g) => g.targetPort === targetPort && g.initiatorPort.toLowerCase().startsWith(`${id.iscsiName.toLowerCase()},i,0x`));
    if (named.length !== 1) throw Sense.invalidFieldInParameterList(LIST_BYTES + 4);
    initiatorPort = named[0].initiatorPort;
  }
  return {
    destination: { id: nexusIdOf(initiatorPort, targetPort), initiatorPort, targetPort, relativeTargetPort },
    unregister: (list[17] & UNREG) !== 0,
    aptpl,
  };
}
