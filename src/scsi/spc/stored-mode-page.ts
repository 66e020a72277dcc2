// A mode page whose current values live in memory (not saved across restarts: the target has no saved pages).
import type { ItNexus } from '../logical-unit.js';
import type { ModePage } from './mode-page.js';

/** Build a whole page, header included: page_0 format when subpageCode is 0, sub_page format otherwise. */
export function modePageBytes(pageCode: number, subpageCode: number, body: readonly number[] | Buffer): Buffer {
  if (subpageCode === 0) {
    if (body.length > 0xff) throw new RangeError(`mode page ${pageCode} body of ${body.length} bytes is too long`);
    return Buffer.from([pageCode & 0x3f, body.length, ...body]);
  }
  const b = Buffer.alloc(4 + body.length);
  b[0] = 0x40 | (pageCode & 0x3f);
  b[1] = subpageCode;
  b.writeUInt16BE(body.length, 2);
  Buffer.from(body).copy(b, 4);
  return b;
}

export interface StoredModePageOptions {
  readonly pageCode: number;
  readonly subpageCode?: number;
  /** The page body (after the 2- or 4-byte header) with its default values. */
  readonly defaults: readonly number[];
  /** Body mask of changeable bits; same length as `defaults`. */
  readonly changeable: readonly number[];
  /** Extra value checks (byte offsets are page offsets, header included). */
  readonly validate?: (next: Buffer, nexus: ItNexus) => void;
  /** Called after the new values are stored (e.g. to recompute a derived setting). */
  readonly onChange?: (current: Buffer) => void;
}

export class StoredModePage implements ModePage {
  readonly pageCode: number;
  readonly subpageCode: number;
  private readonly defaults: Buffer;
  private readonly mask: Buffer;
  private values: Buffer;

  constructor(private readonly options: StoredModePageOptions) {
    if (options.defaults.length !== options.changeable.length) {
      throw new Error(`mode page ${options.pageCode}: defaults and changeable mask differ in length`);
    }
    this.pageCode = options.pageCode;
    this.subpageCode = options.subpageCode ?? 0;
    this.defaults = modePageBytes(this.pageCode, this.subpageCode, options.defaults);
    const mask = modePageBytes(this.pageCode, this.subpageCode, options.changeable);
    mask.fill(0, 0, this.headerLength()); // header bytes are never changeable
    this.mask = mask;
    this.values = Buffer.from(this.defaults);
  }

  current(): Buffer {
    return Buffer.from(this.values);
  }

  changeable(): Buffer {
    const m = modePageBytes(this.pageCode, this.subpageCode, this.mask.subarray(this.headerLength()));
    return m;
  }

  default(): Buffer {
    return Buffer.from(this.defaults);
  }

  /** One byte of the current values, by page offset (header included). */
  byte(offset: number): number {
    return this.values[offset];
  }

  validate(next: Buffer, nexus: ItNexus): void {
    this.options.validate?.(next, nexus);
  }

  apply(next: Buffer): void {
    this.values = Buffer.from(next);
    this.options.onChange?.(this.current());
  }

  /** Back to defaults (logical unit reset does not do this; power-on of a new device does). */
  resetToDefaults(): void {
    this.apply(this.defaults);
  }

  private headerLength(): number {
    return this.subpageCode === 0 ? 2 : 4;
  }
}
