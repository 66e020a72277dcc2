// The mode pages one logical unit supports, in the order MODE SENSE page 3Fh returns them.
import type { ItNexus } from '../logical-unit.js';
import type { ModePage } from './mode-page.js';

export class ModePageSet {
  private readonly pages = new Map<number, ModePage>();

  constructor(pages: readonly ModePage[] = []) {
    for (const p of pages) this.add(p);
  }

  /** Register a page; a device type adds its own after the SPC ones. */
  add(page: ModePage): this {
    const key = (page.pageCode << 8) | page.subpageCode;
    if (this.pages.has(key)) {
      throw new Error(`mode page ${page.pageCode.toString(16)}h/${page.subpageCode.toString(16)}h is already registered`);
    }
    this.pages.set(key, page);
    return this;
  }

  get(pageCode: number, subpageCode: number): ModePage | undefined {
    return this.pages.get((pageCode << 8) | subpageCode);
  }

  hasPage(pageCode: number): boolean {
    return this.list().some((p) => p.pageCode === pageCode);
  }

  /**
   * SAM-5 logical unit reset / hard reset: mode parameters without saved values return to their defaults.
   * Pages already at their defaults are left alone. Returns true when any page changed.
   */
  restoreDefaults(nexus: ItNexus): boolean {
    let changed = false;
    for (const page of this.pages.values()) {
      const defaults = page.default();
      if (page.current().equals(defaults)) continue;
      page.apply(defaults, nexus);
      changed = true;
    }
    return changed;
  }

  /** Ascending page code then subpage, with vendor-specific page 00h last (SPC-4 MODE SENSE, page code 3Fh). */
  list(): readonly ModePage[] {
    const order = (p: ModePage): number => ((p.pageCode === 0 ? 0x40 : p.pageCode) << 8) | p.subpageCode;
    return [...this.pages.values()].sort((a, b) => order(a) - order(b));
  }
}
