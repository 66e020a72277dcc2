// The APTPL file: persistent reservation state as JSON (keys as hex, since JSON has no 64-bit integers). Decoding
// checks every field so a damaged file is refused at start rather than granting access nobody registered for.
import type { PrReservation, PrState, Registrant } from './persistent-reservations.js';
import { isPrType } from './pr-type.js';

export const PR_STATE_VERSION = 1;

export function encodePrState(state: PrState): string {
  return `${JSON.stringify({
    version: PR_STATE_VERSION,
    generation: state.generation,
    aptpl: state.aptpl,
    registrants: state.registrants.map((g) => ({ ...g, key: g.key.toString(16) })),
    reservation: state.reservation ?? null,
  }, null, 2)}\n`;
}

export function decodePrState(text: string): PrState {
  const raw: unknown = JSON.parse(text);
  const o = record(raw, 'state');
  if (o.version !== PR_STATE_VERSION) throw new Error(`persistent reservation state: unknown version ${String(o.version)}`);
  const generation = o.generation;
  if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 0 || generation > 0xffff_ffff) {
    throw new Error('persistent reservation state: bad generation');
  }
  if (!Array.isArray(o.registrants)) throw new Error('persistent reservation state: registrants is not a list');
  const registrants = o.registrants.map((entry: unknown): Registrant => {
    const g = record(entry, 'registrant');
    const key = g.key;
    if (typeof key !== 'string' || !/^[0-9a-f]{1,16}$/.test(key)) throw new Error('persistent reservation state: bad key');
    return {
      nexusId: text_(g.nexusId),
      initiatorPort: text_(g.initiatorPort),
      targetPort: text_(g.targetPort),
      relativeTargetPort: port(g.relativeTargetPort),
      key: BigInt(`0x${key}`),
    };
  });
  return { generation, aptpl: o.aptpl === true, registrants, reservation: reservationOf(o.reservation) };
}

function reservationOf(value: unknown): PrReservation | undefined {
  if (value === null || value === undefined) return undefined;
  const r = record(value, 'reservation');
  if (typeof r.type !== 'number' || !isPrType(r.type)) throw new Error('persistent reservation state: bad type');
  return { type: r.type, holderNexusId: r.holderNexusId === undefined || r.holderNexusId === null ? undefined : text_(r.holderNexusId) };
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`persistent reservation state: ${what} is not an object`);
  return value as Record<string, unknown>;
}

function text_(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error('persistent reservation state: missing name');
  return value;
}

function port(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 0xffff) throw new Error('persistent reservation state: bad port');
  return value;
}
