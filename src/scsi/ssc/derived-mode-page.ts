// A mode page whose current values are read from the drive's state each time and whose changes go straight back.
import type { ModePage } from '../spc/mode-page.js';
import { modePageBytes } from '../spc/stored-mode-page.js';

export interface DerivedPageOptions {
  readonly pageCode: number;
  readonly subpageCode?: number;
  readonly body: () => number[];
  readonly defaults: () => number[];
  readonly changeable: readonly number[];
  readonly validate?: (next: Buffer) => void;
  readonly apply?: (next: Buffer) => void;
}

/** A page whose current values are read from the drive each time and whose changes go straight back to it. */
export class DerivedModePage implements ModePage {
  readonly pageCode: number;
  readonly subpageCode: number;
  constructor(private readonly o: DerivedPageOptions) {
    this.pageCode = o.pageCode;
    this.subpageCode = o.subpageCode ?? 0;
  }
  current(): Buffer {
    return modePageBytes(this.pageCode, this.subpageCode, this.o.body());
  }
  changeable(): Buffer {
    return modePageBytes(this.pageCode, this.subpageCode, [...this.o.changeable]);
  }
  default(): Buffer {
    return modePageBytes(this.pageCode, this.subpageCode, this.o.defaults());
  }
  validate(next: Buffer): void {
    this.o.validate?.(next);
  }
  apply(next: Buffer): void {
    this.o.apply?.(next);
  }
}
