// Retention locks in the catalog (table retention_locks) and the history their policies count from (cartridge_times).
// The rules: nothing destroys a locked cartridge; a compliance lock only ever grows; a governance lock shrinks only
// with an explicit bypass (the API allows it to admin tokens and audits it). A released or shortened lock keeps its
// row, so a restart does not re-apply a policy the administrator lifted; the next write or unload does.
import type { RetentionPolicyConfig, VtlConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Catalog } from './catalog.js';
import { LibraryStateError } from './library-state-error.js';
import { isActive, policyLock, statusOf, stricter, type CartridgeTimes, type RetentionLock, type RetentionMode, type RetentionStatus } from './retention.js';

export interface RetentionRequest {
  readonly mode: RetentionMode;
  /** ISO 8601, in the future. */
  readonly until: string;
  /** Who asks (a token name); kept in the row. */
  readonly by: string;
  /** Shorten or weaken a governance lock (the API allows it to admin tokens only). */
  readonly bypassGovernance: boolean;
}

interface LockRow {
  mode: RetentionMode;
  started_at: string;
  until: string;
  set_by: string;
}

interface TimesRow {
  first_write_at: string | null;
  last_write_at: string | null;
  last_unload_at: string | null;
}

export class RetentionBook {
  constructor(
    private readonly catalog: Catalog,
    private readonly config: VtlConfig,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The query the drive layer asks before ERASE, an overwrite or SET CAPACITY: pure, reads the catalog only. */
  retentionOf(barcode: string, now: Date = this.now()): RetentionStatus {
    return statusOf(this.stored(barcode), now);
  }

  lockOf(barcode: string): RetentionLock | undefined {
    return this.stored(barcode);
  }

  /** Throws 'retention-locked' naming the lock when `barcode` is locked now. */
  refuseIfLocked(barcode: string, doing: string): void {
    const lock = this.stored(barcode);
    if (isActive(lock, this.now())) {
      throw new LibraryStateError('retention-locked', `${doing}: it is under a ${lock.mode} retention lock until ${lock.until}`);
    }
  }

  /** Set, extend, or (governance with bypass only) shorten a cartridge's lock. */
  set(barcode: string, request: RetentionRequest): RetentionLock {
    const now = this.now();
    const doing = `Cannot set the retention of "${barcode}"`;
    if (!this.catalog.cartridge(barcode)) throw new LibraryStateError('not-found', `No cartridge with barcode "${barcode}"`);
    if (!(Date.parse(request.until) > now.getTime())) throw new LibraryStateError('invalid-argument', `${doing}: ${request.until} is not in the future`);
    const current = this.stored(barcode);
    if (isActive(current, now)) {
      const shorter = Date.parse(request.until) < Date.parse(current.until);
      const weaker = current.mode === 'compliance' && request.mode === 'governance';
      if (current.mode === 'compliance' && (shorter || weaker)) {
        throw new LibraryStateError('retention-locked', `${doing}: it is under a compliance retention lock until ${current.until}, which can only be extended`);
      }
      if (current.mode === 'governance' && shorter && !request.bypassGovernance) {
        throw new LibraryStateError('retention-locked', `${doing}: it is under a governance retention lock until ${current.until}; shortening it needs an admin token and bypassGovernance`);
      }
    }
    const startedAt = isActive(current, now) ? current.startedAt : now.toISOString();
    const lock: RetentionLock = { mode: request.mode, startedAt, until: request.until, setBy: request.by };
    this.write(barcode, lock);
    return lock;
  }

  /** End a governance lock now (bypass required); a compliance lock is never released early. */
  release(barcode: string, by: string, bypassGovernance: boolean): RetentionStatus {
    const now = this.now();
    const doing = `Cannot release the retention lock of "${barcode}"`;
    if (!this.catalog.cartridge(barcode)) throw new LibraryStateError('not-found', `No cartridge with barcode "${barcode}"`);
    const current = this.stored(barcode);
    if (!isActive(current, now)) return statusOf(current, now);
    if (current.mode === 'compliance') throw new LibraryStateError('retention-locked', `${doing}: it is under a compliance retention lock until ${current.until}, which nobody can shorten`);
    if (!bypassGovernance) throw new LibraryStateError('retention-locked', `${doing}: it is under a governance retention lock until ${current.until}; releasing it needs an admin token and bypassGovernance`);
    this.write(barcode, { ...current, until: now.toISOString(), setBy: by });
    return this.retentionOf(barcode, now);
  }

  /**
   * Hook for the media layer (not wired yet): the lock a cartridge carries in its own metadata, read at load. The
   * stricter of it and the catalog's is kept, so a catalog restored from an old backup unlocks nothing.
   */
  adoptFromMedium(barcode: string, fromMedium: RetentionLock): RetentionLock | undefined {
    const current = this.stored(barcode);
    const next = stricter(current, fromMedium, this.now());
    if (next !== undefined && next !== current) this.write(barcode, next);
    return next;
  }

  /** Hook for the drive layer (not wired yet): data was written to `barcode`. Starts first-write and last-write policies. */
  noteWrite(barcode: string, at: Date = this.now()): void {
    this.note(barcode, at, (t) => ({ ...t, firstWriteAt: t.firstWriteAt ?? at.toISOString(), lastWriteAt: at.toISOString() }));
  }

  /** The cartridge left a drive: starts unload policies. */
  noteUnload(barcode: string, at: Date = this.now()): void {
    this.note(barcode, at, (t) => ({ ...t, lastUnloadAt: at.toISOString() }));
  }

  /**
   * At start-up: a policy's lock goes into the catalog for every cartridge with no lock row, or a row a policy set;
   * one set through the API keeps it. A policy that would shorten a stored compliance lock is ignored, with a log line.
   */
  applyPolicies(): number {
    const now = this.now();
    let applied = 0;
    for (const row of this.catalog.allCartridges()) {
      const fromPolicy = policyLock(this.policiesOf(row.library), row.barcode, this.times(row.barcode), now);
      const current = this.stored(row.barcode);
      if (fromPolicy === undefined) continue;
      if (current?.mode === 'compliance' && isActive(current, now) && Date.parse(fromPolicy.until) < Date.parse(current.until)) {
        this.log.warn({ barcode: row.barcode, lockedUntil: current.until, policyUntil: fromPolicy.until }, 'a retention policy would shorten a compliance lock; the lock keeps its expiry');
        continue;
      }
      if (current !== undefined && current.setBy !== 'policy') continue;
      const next = stricter(current, fromPolicy, now);
      if (next !== undefined && (current === undefined || next.until !== current.until || next.mode !== current.mode)) {
        this.write(row.barcode, next);
        applied++;
      }
    }
    return applied;
  }

  times(barcode: string): CartridgeTimes {
    const row = this.catalog.sql.get<TimesRow>('SELECT * FROM cartridge_times WHERE barcode = ?', [barcode]);
    return { firstWriteAt: row?.first_write_at ?? null, lastWriteAt: row?.last_write_at ?? null, lastUnloadAt: row?.last_unload_at ?? null };
  }

  private note(barcode: string, at: Date, update: (t: CartridgeTimes) => CartridgeTimes): void {
    const row = this.catalog.cartridge(barcode);
    if (!row) return;
    const times = update(this.times(barcode));
    const current = this.stored(barcode);
    const fromPolicy = policyLock(this.policiesOf(row.library), barcode, times, at);
    // A new event re-arms the policies, even over a lock an administrator released: the newer data deserves them.
    const next = fromPolicy === undefined ? undefined : stricter(isActive(current, at) ? current : undefined, fromPolicy, at);
    this.catalog.transaction(() => {
      this.catalog.sql.run(`INSERT INTO cartridge_times (barcode, first_write_at, last_write_at, last_unload_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (barcode) DO UPDATE SET first_write_at = excluded.first_write_at, last_write_at = excluded.last_write_at,
        last_unload_at = excluded.last_unload_at`, [barcode, times.firstWriteAt, times.lastWriteAt, times.lastUnloadAt]);
      if (next !== undefined && next !== current) this.write(barcode, next);
    });
  }

  private policiesOf(library: string): readonly RetentionPolicyConfig[] {
    return this.config.libraries.find((l) => l.name === library)?.retention ?? [];
  }

  private stored(barcode: string): RetentionLock | undefined {
    const row = this.catalog.sql.get<LockRow>('SELECT mode, started_at, until, set_by FROM retention_locks WHERE barcode = ?', [barcode]);
    return row && { mode: row.mode, startedAt: row.started_at, until: row.until, setBy: row.set_by };
  }

  private write(barcode: string, lock: RetentionLock): void {
    this.catalog.transaction(() => {
      this.catalog.sql.run(`INSERT INTO retention_locks (barcode, mode, started_at, until, set_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (barcode) DO UPDATE SET mode = excluded.mode, started_at = excluded.started_at, until = excluded.until,
        set_by = excluded.set_by, updated_at = excluded.updated_at`, [barcode, lock.mode, lock.startedAt, lock.until, lock.setBy, this.now().toISOString()]);
    });
  }
}
