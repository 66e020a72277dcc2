// Cartridge barcodes: six volume-serial characters plus the two-character LTO media suffix ("A00001L8").
// Cleaning cartridges start with CLN and carry a cleaning suffix (CU, universal) or a data suffix.
import { ALL_GENERATIONS, generationOfBarcode, isCleaningBarcode, LTO_GENERATIONS } from './lto.js';
import type { LtoGeneration } from './lto.js';
import { LibraryStateError } from './library-state-error.js';

const BARCODE = /^[A-Z0-9]{6}[A-Z0-9]{2}$/;
const CLEANING_SUFFIX = 'CU';

export interface BarcodeInfo {
  readonly barcode: string;
  /** The generation of the suffix; cleaning cartridges with a CU suffix have none. */
  readonly generation: LtoGeneration | undefined;
  readonly worm: boolean;
  readonly cleaning: boolean;
}

/** Validate a barcode and read its suffix; throws LibraryStateError 'invalid-argument'. */
export function parseBarcode(barcode: string): BarcodeInfo {
  if (!BARCODE.test(barcode)) {
    throw new LibraryStateError('invalid-argument',
      `Invalid barcode "${barcode}": expected six upper-case letters or digits and an LTO suffix, e.g. A00001L8`);
  }
  const cleaning = isCleaningBarcode(barcode);
  if (cleaning && barcode.endsWith(CLEANING_SUFFIX)) return { barcode, generation: undefined, worm: false, cleaning };
  const suffix = generationOfBarcode(barcode);
  if (!suffix) {
    throw new LibraryStateError('invalid-argument',
      `Invalid barcode "${barcode}": "${barcode.slice(-2)}" is not an LTO media suffix (L5..L9, LA, LV..LZ${cleaning ? ', CU' : ''})`);
  }
  if (cleaning && suffix.worm) {
    throw new LibraryStateError('invalid-argument', `Invalid barcode "${barcode}": a cleaning cartridge cannot be WORM`);
  }
  return { barcode, generation: suffix.generation, worm: suffix.worm, cleaning };
}

/** The suffix a cartridge of this generation and kind carries. */
export function barcodeSuffix(generation: LtoGeneration, worm: boolean): string {
  const info = LTO_GENERATIONS[generation];
  const suffix = worm ? info.wormBarcodeSuffix : info.dataBarcodeSuffix;
  if (suffix === undefined) {
    throw new LibraryStateError('invalid-argument', `${info.name} has no WORM media`);
  }
  return suffix;
}

/**
 * `count` consecutive barcodes starting at `first`: the trailing digits of the six-character volume serial count
 * up ("A00009L8" -> "A00010L8"); the prefix stays. Refuses a range that would overflow its digits.
 */
export function barcodeRange(first: string, count: number): string[] {
  const info = parseBarcode(first);
  if (!Number.isInteger(count) || count < 1 || count > 10000) {
    throw new LibraryStateError('invalid-argument', `Invalid cartridge count ${count}: must be 1..10000`);
  }
  const serial = info.barcode.slice(0, 6);
  const suffix = info.barcode.slice(6);
  const digits = /[0-9]+$/.exec(serial)?.[0] ?? '';
  if (digits.length === 0 && count > 1) {
    throw new LibraryStateError('invalid-argument', `Cannot number a range from "${first}": its serial does not end in digits`);
  }
  const prefix = serial.slice(0, 6 - digits.length);
  const start = digits.length === 0 ? 0 : Number(digits);
  const last = start + count - 1;
  if (String(last).length > digits.length && count > 1) {
    throw new LibraryStateError('invalid-argument',
      `Cannot create ${count} cartridges from "${first}": the serial would overflow ${digits.length} digits`);
  }
  const out: string[] = [];
  for (let n = start; n <= last; n++) out.push(`${prefix}${digits.length ? String(n).padStart(digits.length, '0') : ''}${suffix}`);
  return out;
}

/** The barcode `prefix` + zero-padded `n` + suffix, six serial characters in all (initial cartridges). */
export function numberedBarcode(prefix: string, n: number, generation: LtoGeneration, worm = false): string {
  const width = 6 - prefix.length;
  const digits = String(n).padStart(width, '0');
  if (digits.length > width) {
    throw new LibraryStateError('invalid-argument', `Cannot number cartridge ${n} with prefix "${prefix}": too many digits`);
  }
  return `${prefix}${digits}${barcodeSuffix(generation, worm)}`;
}

export function isGeneration(n: number): n is LtoGeneration {
  return (ALL_GENERATIONS as readonly number[]).includes(n);
}
