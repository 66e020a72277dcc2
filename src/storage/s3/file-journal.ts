// The journal of one cached file on the local disk (FORMAT.md "Durability rule"). Its invariant: replacements and
// removals of `journal.json` happen one at a time in call order, a replacement happens only when something changed
// since the last one that succeeded (a failed one leaves it due, so the next sync tries again), and nothing is
// written once the file left the storage.
import { SerialQueue } from '../../serial-queue.js';
import type { LocalStorage } from '../local-storage.js';
import { JOURNAL_NAME, encodeJournal, type Journal } from './journal.js';

export class FileJournal {
  private readonly queue = new SerialQueue();
  private stale = false;
  private gone = false;

  constructor(
    private readonly local: LocalStorage,
    /** The file's folder in the cache (`files/<path>`), beside its segment files. */
    readonly folder: string,
  ) {}

  /** Something the journal names changed (the length, a segment, the cut flag): the next write() replaces it. */
  markStale(): void {
    this.stale = true;
  }

  /** Replace the journal with what `state` says now, if anything changed since the last replacement. */
  write(state: () => Journal): Promise<void> {
    return this.queue.run(async () => {
      if (!this.stale || this.gone) return;
      this.stale = false;
      try {
        await this.local.makeFolder(this.folder);
        await this.local.writeFileAtomic(`${this.folder}/${JOURNAL_NAME}`, encodeJournal(state()));
      } catch (error) {
        this.stale = true;
        throw error;
      }
    });
  }

  /** Remove the journal if `clean()` still holds when its turn comes (everything it named is in the store). */
  remove(clean: () => boolean): Promise<void> {
    return this.queue.run(async () => {
      if (this.gone || !clean()) return;
      await this.local.removeFile(`${this.folder}/${JOURNAL_NAME}`);
    });
  }

  /** The file left the storage: its folder goes (after any replacement in flight), and nothing is written again. */
  removeFolder(): Promise<void> {
    this.gone = true;
    return this.queue.run(() => this.local.removeFolder(this.folder));
  }
}
