// The audit log: `<dataDir>/audit.log`, append-only and hash-chained (audit-entry.ts has the encoding). The
// management API records every change through it; the SCSI layer will record destructive and refused commands
// through the same `record()` (docs/SECURITY.md). Appends are serialised and each one is on disk (fdatasync) before
// record() resolves.
import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { SerialQueue } from '../serial-queue.js';
import type { AuditAnchor } from './audit-anchor.js';
import { encodeAuditEntry, parseAuditText, verifyAuditText, type AuditEntry, type AuditRecord, type AuditVerdict } from './audit-entry.js';

export type { AuditEntry, AuditRecord, AuditVerdict } from './audit-entry.js';

export const AUDIT_FILE = 'audit.log';

export interface AuditTrailOptions {
  readonly file: string;
  readonly log: Logger;
  readonly now?: () => Date;
  /** Remembers the newest entry outside the log, so that cutting entries off its end is found too. */
  readonly anchor?: AuditAnchor;
  /** Each entry, once on disk, is also sent here (syslog); a failure is logged and never fails the record. */
  readonly forward?: (entry: AuditEntry, line: string) => Promise<void>;
}

export interface AuditQuery {
  /** Only entries at or after this instant. */
  readonly since?: Date;
  readonly barcode?: string;
  /** At most this many, the newest (default all). */
  readonly limit?: number;
}

/** The audit log cannot be appended to: a broken chain is never extended. */
export class AuditTrailError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditTrailError';
  }
}

export class AuditTrail {
  readonly file: string;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly anchor: AuditAnchor | undefined;
  private readonly forward: ((entry: AuditEntry, line: string) => Promise<void>) | undefined;
  /** The one owner of the file's order: appends, and reads that must see whole appends. */
  private readonly queue = new SerialQueue();
  private head: { seq: number; hash: string } | undefined;

  constructor(options: AuditTrailOptions) {
    this.file = options.file;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.anchor = options.anchor;
    this.forward = options.forward;
  }

  /** Append one entry; resolves with it once it is on disk. */
  record(record: AuditRecord): Promise<AuditEntry> {
    return this.queue.run(async () => {
      const head = this.head ?? (await this.openHead());
      const { entry, line } = encodeAuditEntry(record, head.seq + 1, this.now().toISOString(), head.hash);
      await this.append(line);
      this.advance({ seq: entry.seq, hash: entry.hash });
      await this.forwarded(entry, line);
      return entry;
    });
  }

  /** Resolves when the log can take entries; rejects with AuditTrailError when it does not verify (checked once per start). */
  ready(): Promise<void> {
    return this.queue.run(async () => {
      if (this.head === undefined) await this.openHead();
    });
  }

  /** Entries oldest first, filtered. */
  list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    return this.queue.run(async () => {
      const since = query.since?.getTime();
      const entries = parseAuditText(await this.readText()).filter(
        (e) => (since === undefined || Date.parse(e.at) >= since) && (query.barcode === undefined || e.barcode === query.barcode),
      );
      return query.limit === undefined ? entries : entries.slice(-query.limit);
    });
  }

  verify(): Promise<AuditVerdict> {
    return this.queue.run(async () => this.againstAnchor(verifyAuditText(await this.readText())));
  }

  /**
   * Where the next entry goes. A torn tail (a crash mid-append) is cut off and the cut is itself recorded; a broken
   * chain stops every append, so that nothing new is ever chained onto a tampered log.
   */
  private async openHead(): Promise<{ seq: number; hash: string }> {
    const text = await this.readText();
    const verdict = this.againstAnchor(verifyAuditText(text));
    if (verdict.status === 'tampered') {
      throw new AuditTrailError(`The audit log ${this.file} does not verify at line ${verdict.line}: ${verdict.reason}; nothing more is recorded until an administrator moves it aside`);
    }
    let head = { seq: verdict.entries, hash: verdict.lastHash };
    if (verdict.status === 'torn-tail') {
      // Cut at the last newline's byte, not at a character count: the torn bytes may end inside a UTF-8 sequence.
      await truncate(this.file, (await readFile(this.file)).lastIndexOf(0x0a) + 1);
      this.log.warn({ file: this.file, tornBytes: verdict.tornBytes }, 'audit log: cut off an entry a crash left half written');
      const { entry, line } = encodeAuditEntry({ kind: 'audit.torn-tail-discarded', outcome: 'done', detail: { bytes: verdict.tornBytes } }, head.seq + 1, this.now().toISOString(), head.hash);
      await this.append(line);
      head = { seq: entry.seq, hash: entry.hash };
      await this.forwarded(entry, line);
    }
    this.advance(head);
    return head;
  }

  /** The chain may be whole and still be short: the anchor knows how far it reached. */
  private againstAnchor(verdict: AuditVerdict): AuditVerdict {
    const anchored = this.anchor?.head();
    if (verdict.status === 'tampered' || anchored === undefined || anchored.seq <= 0) return verdict;
    if (anchored.seq > verdict.entries) {
      const missing = anchored.seq === verdict.entries + 1 ? `entry ${anchored.seq} was` : `entries ${verdict.entries + 1}..${anchored.seq} were`;
      return { status: 'tampered', line: verdict.entries + 1, reason: `the log ends at entry ${verdict.entries}, but the catalog records entry ${anchored.seq} as written: ${missing} removed from its end`, entries: verdict.entries };
    }
    return verdict;
  }

  private async forwarded(entry: AuditEntry, line: string): Promise<void> {
    try {
      await this.forward?.(entry, line);
    } catch (err) {
      this.log.error({ err, seq: entry.seq }, 'audit log: could not forward the entry');
    }
  }

  /** A catalog that cannot write leaves the anchor behind: harmless, as an anchor behind the log is never a finding. */
  private advance(head: { seq: number; hash: string }): void {
    this.head = head;
    try {
      this.anchor?.advance(head);
    } catch (err) {
      this.log.error({ err, seq: head.seq }, 'audit log: could not record its newest entry in the catalog');
    }
  }

  private async append(line: string): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const handle = await open(this.file, 'a', 0o600);
    try {
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  private async readText(): Promise<string> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }
}
