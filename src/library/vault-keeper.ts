// Vault policies: the vault is the shelf (no element, so no SCSI host can see or move the cartridge), and these rules
// send cartridges there without an operator: on export to a mail slot, or some hours after the last unload. Bringing
// one back is `unshelve`, which only the management API offers (operator or admin tokens).
import type { VtlConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { AuditTrail } from './audit-trail.js';
import type { LibraryEvent } from './library-event.js';
import type { LibraryManager } from './library-manager.js';

export type VaultLibrary = Pick<LibraryManager, 'on' | 'cartridges' | 'shelveCartridge' | 'retention'>;

const HOUR_MS = 60 * 60 * 1000;

export class VaultKeeper {
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly library: VaultLibrary,
    private readonly config: VtlConfig,
    private readonly log: Logger,
    /** Where each cartridge the policies vault is recorded (actor `vault-policy`). */
    private readonly audit?: Pick<AuditTrail, 'record'>,
    /** On a cluster node: whether it serves the library (the sweep leaves the others to their owners). */
    private readonly serves: (library: string) => boolean = () => true,
  ) {}

  /** Follow exports as they happen, and sweep every `sweepIntervalMs` (0: never; tests call sweep()). */
  start(sweepIntervalMs = 0): void {
    this.unsubscribe = this.library.on((event) => this.onEvent(event));
    if (sweepIntervalMs > 0) {
      const sweep = (): Promise<void> => this.sweep(new Date()).then(
        () => undefined,
        (err: unknown) => this.log.error({ err }, 'vault policy: sweep failed'),
      );
      this.timer = setInterval(() => this.track(sweep()), sweepIntervalMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  /** Resolves once every vaulting started so far has finished (or failed and been logged). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Vault what the policies say is due at `now`; returns the barcodes moved. */
  async sweep(now: Date): Promise<string[]> {
    const moved: string[] = [];
    for (const lib of this.config.libraries) {
      if (!this.serves(lib.name)) continue;
      const { onExport, afterUnloadHours } = lib.vault;
      for (const cartridge of this.library.cartridges({ library: lib.name, location: 'element' })) {
        const where = cartridge.location;
        if (where.kind !== 'element') continue;
        const lastUnload = this.library.retention.times(cartridge.barcode).lastUnloadAt;
        const due =
          // A source element means the robot brought it to the mail slot (an export); none, that it came from the
          // vault or was inserted there, and waits for an import.
          (onExport && where.type === 'importExport' && cartridge.source !== undefined) ||
          (afterUnloadHours !== undefined && where.type === 'storage' && lastUnload !== null && now.getTime() - Date.parse(lastUnload) >= afterUnloadHours * HOUR_MS);
        if (due && (await this.vault(cartridge.barcode, where.type === 'storage', where.type === 'storage' ? 'after-unload' : 'export'))) moved.push(cartridge.barcode);
      }
    }
    return moved;
  }

  private onEvent(event: LibraryEvent): void {
    if (event.type !== 'cartridge-moved' || event.barcode === undefined || event.to?.kind !== 'element' || event.to.type !== 'importExport') return;
    if (!this.config.libraries.find((l) => l.name === event.to?.library)?.vault.onExport) return;
    // Only what the robot exported: a cartridge an operator brought back from the vault (or inserted) waits there for import.
    if (event.from?.kind !== 'element') return;
    const barcode = event.barcode;
    // Queued behind the export that announced it (the library runs one operation at a time).
    this.track(this.vault(barcode, false, 'export').then(() => undefined));
  }

  private async vault(barcode: string, direct: boolean, reason: 'export' | 'after-unload'): Promise<boolean> {
    try {
      await this.library.shelveCartridge(barcode, { direct, actor: 'system' });
    } catch (err) {
      // A host holding PREVENT MEDIUM REMOVAL keeps it in the mail slot: the next sweep tries again.
      this.log.warn({ err, barcode }, 'vault policy: could not move the cartridge to the vault yet');
      return false;
    }
    this.log.info({ barcode, reason }, 'vault policy: cartridge moved to the vault');
    try {
      await this.audit?.record({ kind: 'vault.policy', outcome: 'done', actor: 'vault-policy', barcode, detail: { reason } });
    } catch (err) {
      this.log.error({ err, barcode }, 'vault policy: could not record the move in the audit log');
    }
    return true;
  }

  private track(work: Promise<void>): void {
    const settled = work.finally(() => this.pending.delete(settled));
    this.pending.add(settled);
  }
}
