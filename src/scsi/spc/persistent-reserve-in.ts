// SPC-4 6.13 PERSISTENT RESERVE IN: READ KEYS, READ RESERVATION, REPORT CAPABILITIES, READ FULL STATUS.
import type { CommandContext, CommandResult, DecodedCdb } from '../command.js';
import { DataDirection } from '../command.js';
import type { Reservation } from '../reservation.js';
import { isAllRegistrants, PrScope } from '../pr-type.js';
import { encodeIscsiTransportId } from '../transport-id.js';
import type { SpcDevice } from './spc-device.js';

export const PrInServiceAction = {
  READ_KEYS: 0x00,
  READ_RESERVATION: 0x01,
  REPORT_CAPABILITIES: 0x02,
  READ_FULL_STATUS: 0x03,
} as const;
export type PrInServiceAction = (typeof PrInServiceAction)[keyof typeof PrInServiceAction];

export interface PersistentReserveInCdb extends DecodedCdb {
  readonly serviceAction: PrInServiceAction;
}

export function decodePersistentReserveIn(cdb: Buffer): PersistentReserveInCdb {
  return {
    direction: DataDirection.IN,
    lengthBytes: cdb.readUInt16BE(7),
    serviceAction: (cdb[1] & 0x1f) as PrInServiceAction,
  };
}

/** REPORT CAPABILITIES byte 2: CRH (SPC-4 5.13.3 exceptions implemented), PTPL_C; SIP_C and ATP_C stay zero. */
const CRH = 0x10;
const PTPL_C = 0x01;
/** Byte 3: TMV (the type mask is valid); ALLOW COMMANDS 000b (no information); PTPL_A. */
const TMV = 0x80;
const PTPL_A = 0x01;
/** PERSISTENT RESERVATION TYPE MASK: WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX in byte 4; EX_AC_AR in byte 5. */
const TYPE_MASK = [0xea, 0x01] as const;

export function persistentReserveIn(ctx: CommandContext<SpcDevice, PersistentReserveInCdb>): CommandResult {
  const reservation = ctx.device.reservation;
  switch (ctx.decoded.serviceAction) {
    case PrInServiceAction.READ_KEYS:
      return { dataIn: readKeys(reservation) };
    case PrInServiceAction.READ_RESERVATION:
      return { dataIn: readReservation(reservation) };
    case PrInServiceAction.REPORT_CAPABILITIES:
      return { dataIn: reportCapabilities(reservation) };
    case PrInServiceAction.READ_FULL_STATUS:
      return { dataIn: readFullStatus(reservation) };
    default: {
      const never: never = ctx.decoded.serviceAction;
      throw new Error(`unknown PERSISTENT RESERVE IN service action ${String(never)}`);
    }
  }
}

function readKeys(reservation: Reservation): Buffer {
  const pr = reservation.persistent;
  const keys = pr.list();
  const b = Buffer.alloc(8 + 8 * keys.length);
  b.writeUInt32BE(pr.generation, 0);
  b.writeUInt32BE(8 * keys.length, 4);
  keys.forEach((g, i) => b.writeBigUInt64BE(g.key, 8 + 8 * i));
  return b;
}

function readReservation(reservation: Reservation): Buffer {
  const pr = reservation.persistent;
  const r = pr.reservation;
  const b = Buffer.alloc(r ? 24 : 8);
  b.writeUInt32BE(pr.generation, 0);
  if (!r) return b;
  b.writeUInt32BE(16, 4);
  // All-registrants types report a zero key: no single holder has it.
  const holderKey = r.holderNexusId === undefined ? 0n : (pr.registrant(r.holderNexusId)?.key ?? 0n);
  b.writeBigUInt64BE(isAllRegistrants(r.type) ? 0n : holderKey, 8);
  b[21] = (PrScope.LU_SCOPE << 4) | r.type;
  return b;
}

function reportCapabilities(reservation: Reservation): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(8, 0);
  b[2] = CRH | (reservation.canPersist ? PTPL_C : 0);
  b[3] = TMV | (reservation.persistent.aptpl ? PTPL_A : 0);
  b[4] = TYPE_MASK[0];
  b[5] = TYPE_MASK[1];
  return b;
}

/** One descriptor per registrant: key, R_HOLDER with scope and type, relative target port, TransportID. */
function readFullStatus(reservation: Reservation): Buffer {
  const pr = reservation.persistent;
  const r = pr.reservation;
  const descriptors = pr.list().map((g) => {
    const tid = encodeIscsiTransportId(g.initiatorPort);
    const d = Buffer.alloc(24 + tid.length);
    d.writeBigUInt64BE(g.key, 0);
    if (r && pr.isHolder(g.nexusId)) {
      d[12] = 0x01;
      d[13] = (PrScope.LU_SCOPE << 4) | r.type;
    }
    d.writeUInt16BE(g.relativeTargetPort, 18);
    d.writeUInt32BE(tid.length, 20);
    tid.copy(d, 24);
    return d;
  });
  const body = Buffer.concat(descriptors);
  const b = Buffer.alloc(8 + body.length);
  b.writeUInt32BE(pr.generation, 0);
  b.writeUInt32BE(body.length, 4);
  body.copy(b, 8);
  return b;
}
