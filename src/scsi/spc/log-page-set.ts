// The log pages one logical unit supports; page 00h (supported pages) and its subpage FFh are synthesized.
import type { LogPage } from './log-page.js';

export class LogPageSet {
  private readonly pages = new Map<number, LogPage>();

  constructor(pages: readonly LogPage[] = []) {
    for (const p of pages) this.add(p);
  }

  add(page: LogPage): this {
    if (page.pageCode === 0 || page.pageCode > 0x3f) throw new Error(`log page code ${page.pageCode} is reserved or synthesized`);
    const key = (page.pageCode << 8) | page.subpageCode;
    if (this.pages.has(key)) {
      throw new Error(`log page ${page.pageCode.toString(16)}h/${page.subpageCode.toString(16)}h is already registered`);
    }
    this.pages.set(key, page);
    return this;
  }

  get(pageCode: number, subpageCode: number): LogPage | undefined {
    return this.pages.get((pageCode << 8) | subpageCode);
  }

  /** Ascending page code then subpage code. */
  list(): readonly LogPage[] {
    return [...this.pages.values()].sort((a, b) => a.pageCode - b.pageCode || a.subpageCode - b.subpageCode);
  }
}
