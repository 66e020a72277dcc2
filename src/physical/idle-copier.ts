// Idle copy (tape caching, issue 15): a cartridge written by a host since its last copy is copied to the physical
// cartridge with the same barcode once no host has done I/O on its virtual library for `copy.idleMinutes`. The copy
// pauses at the first host I/O command on that library (after a checkpoint) and goes on from there once the library
// is quiet again. A cartridge is due when its last host write differs from every copy job's record of it, so a copy
// that failed or was cancelled is not tried again for the same data (`vtl copy start` does that).
import type { LibraryManager } from '../library/library-manager.js';
import type { Logger } from '../log.js';
import type { CopyEngine } from './copy-engine.js';
import { ACTIVE, type CopyJob } from './copy-job-store.js';
import type { HostActivity } from './host-activity.js';

export interface IdleCopierOptions {
  readonly engine: Pick<CopyEngine, 'list' | 'enqueue' | 'pauseIdle' | 'resume' | 'libraries'>;
  readonly manager: Pick<LibraryManager, 'cartridges' | 'libraries' | 'retention'>;
  readonly activity: HostActivity;
  readonly idleMs: number;
  /** Idle jobs at once (each holds a physical drive while it runs). */
  readonly maxDrives: number;
  readonly log: Logger;
  readonly nowMs?: () => number;
}

export class IdleCopier {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly startedMs: number;

  constructor(private readonly o: IdleCopierOptions) {
    this.startedMs = (o.nowMs ?? Date.now)();
  }

  start(): void {
    this.unsubscribe = this.o.activity.on((library) =>
      this.o.engine.pauseIdle(library, `paused: a host is doing I/O on the library "${library}"; goes on after ${formatIdle(this.o.idleMs)} without host I/O`),
    );
    // Often enough that a copy starts close to the idle time, rarely enough to cost nothing.
    const tickMs = Math.min(5000, Math.max(100, Math.round(this.o.idleMs / 4)));
    this.timer = setInterval(() => {
      this.round ??= this.tick()
        .catch((err: unknown) => this.o.log.error({ err }, 'idle copy: the round failed'))
        .finally(() => (this.round = undefined));
    }, tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    await this.round;
  }

  /** Resumes paused idle jobs of quiet libraries, then starts jobs for due cartridges while drives allow. */
  async tick(): Promise<void> {
    const quiet = new Set(this.o.manager.libraries().map((l) => l.name).filter((name) => this.o.activity.quietMs(name, this.startedMs) >= this.o.idleMs));
    if (quiet.size === 0) return;
    const jobs = this.o.engine.list();
    for (const job of jobs) {
      if (job.trigger === 'idle' && job.state === 'paused' && quiet.has(job.library)) await this.o.engine.resume(job.id);
    }
    let room = this.o.maxDrives * Math.max(1, this.o.engine.libraries.length) - jobs.filter((j) => j.trigger === 'idle' && ACTIVE.includes(j.state)).length;
    if (room <= 0) return;
    const due = this.due(jobs, quiet);
    if (due.length === 0) return;
    const held = await this.physicalBarcodes();
    for (const c of due) {
      if (room <= 0) break;
      if (!held.has(c.barcode)) continue;
      await this.o.engine.enqueue(c.barcode, c.library, 'idle');
      this.o.log.info({ barcode: c.barcode, library: c.library }, 'idle copy: started');
      room--;
    }
  }

  /** Cartridges of quiet libraries, out of the drives, written since the last copy job of their data. */
  private due(jobs: readonly CopyJob[], quiet: ReadonlySet<string>): { barcode: string; library: string }[] {
    const out: { barcode: string; library: string }[] = [];
    for (const c of this.o.manager.cartridges({ location: 'element' })) {
      if (c.cleaning || c.location.kind !== 'element' || c.location.type === 'dataTransfer' || !quiet.has(c.location.library)) continue;
      const mine = jobs.filter((j) => j.barcode === c.barcode);
      if (mine.some((j) => ACTIVE.includes(j.state))) continue;
      const lastWriteAt = this.o.manager.retention.times(c.barcode).lastWriteAt;
      if (lastWriteAt === null || mine.some((j) => j.sourceLastWriteAt === lastWriteAt)) continue;
      out.push({ barcode: c.barcode, library: c.location.library });
    }
    return out;
  }

  /** Barcodes the physical libraries hold now; a library that does not answer holds none this round. */
  private async physicalBarcodes(): Promise<Set<string>> {
    const held = new Set<string>();
    for (const lib of this.o.engine.libraries) {
      try {
        const inv = await lib.inventory();
        for (const e of [...inv.slots, ...inv.mailSlots, ...inv.drives]) if (e.full && e.barcode) held.add(e.barcode);
      } catch (err) {
        this.o.log.debug({ err, library: lib.name }, 'idle copy: the physical library did not answer its inventory');
      }
    }
    return held;
  }
}

function formatIdle(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6000) / 10} minutes` : `${Math.round(ms / 100) / 10} seconds`;
}
