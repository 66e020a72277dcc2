// Stubs of released cartridges: after a verified copy to physical tape, a cartridge's disk copy may be released
// (copy.release); the catalog keeps the cartridge, its location and its retention lock, and this file says which
// physical cartridge holds its data and what it holds. `<dataDir>/released.json`, replaced atomically at every
// change; a stub is written before the disk copy is deleted and removed only after a recall completed.
import { SerialQueue } from '../serial-queue.js';
import type { LocalStorage } from '../storage/local-storage.js';

export interface ReleasedStub {
  readonly barcode: string;
  readonly physicalLibrary: string;
  /** Objects (records and filemarks) and record bytes the physical cartridge holds: a recall must find them all. */
  readonly objects: number;
  readonly bytes: number;
  /** The copy job whose verified copy allowed the release. */
  readonly jobId: string;
  readonly releasedAt: string;
}

const FILE = 'released.json';

export class ReleasedStore {
  private readonly stubs = new Map<string, ReleasedStub>();
  private readonly writes = new SerialQueue();

  constructor(private readonly storage: Pick<LocalStorage, 'readFile' | 'writeFileAtomic'>) {}

  async load(): Promise<void> {
    const bytes = await this.storage.readFile(FILE);
    if (!bytes) return;
    const parsed = JSON.parse(bytes.toString('utf8')) as { stubs?: ReleasedStub[] };
    for (const s of parsed.stubs ?? []) this.stubs.set(s.barcode, s);
  }

  get(barcode: string): ReleasedStub | undefined {
    return this.stubs.get(barcode);
  }

  all(): ReleasedStub[] {
    return [...this.stubs.values()];
  }

  async add(stub: ReleasedStub): Promise<void> {
    this.stubs.set(stub.barcode, stub);
    await this.save();
  }

  async remove(barcode: string): Promise<void> {
    if (this.stubs.delete(barcode)) await this.save();
  }

  private save(): Promise<void> {
    const text = JSON.stringify({ version: 1, stubs: this.all() }, null, 1);
    return this.writes.run(() => this.storage.writeFileAtomic(FILE, Buffer.from(text, 'utf8')));
  }
}
