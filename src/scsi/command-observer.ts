// What a logical unit reports about each command it answered, for whoever counts them (management metrics).
// The dispatcher calls it once per command with constant strings only: nothing is allocated for it on the data path.
import { SenseKey } from './sense.js';

export interface CommandObserver {
  /**
   * One command answered. `name` is the command table's (`READ(6)`), or UNSUPPORTED for an opcode the unit does not
   * serve; `senseKey` is the SPC-4 name of a CHECK CONDITION's sense key (`MEDIUM_ERROR`), undefined for any other status.
   */
  commandDone(name: string, senseKey: string | undefined, seconds: number): void;
}

export const UNSUPPORTED_COMMAND = 'UNSUPPORTED';

/** SPC-4 sense key names by value, built once from the catalogue so the two cannot disagree. */
const SENSE_KEY_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, value] of Object.entries(SenseKey)) names[value] = name;
  for (let key = 0; key < 16; key++) names[key] ??= `KEY_${key.toString(16).toUpperCase()}`;
  return names;
})();

/** The sense key name of encoded sense data (fixed 70h/71h or descriptor 72h/73h format), undefined if neither. */
export function senseKeyNameOf(sense: Buffer | undefined): string | undefined {
  if (sense === undefined || sense.length < 3) return undefined;
  const code = sense[0] & 0x7f;
  if (code === 0x70 || code === 0x71) return SENSE_KEY_NAMES[sense[2] & 0x0f];
  if (code === 0x72 || code === 0x73) return SENSE_KEY_NAMES[sense[1] & 0x0f];
  return undefined;
}
