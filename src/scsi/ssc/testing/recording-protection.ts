// Test support: a DriveProtection whose locks, read-only initiators and clock a test sets, and which keeps what the
// drive recorded and noted. The library's own (libraryDriveProtection over a RetentionBook) is exercised end to end
// in test/ssc/retention-lock.test.ts.
import type { AuditRecord } from '../../../library/audit-entry.js';
import type { DriveProtection } from '../../../library/drive-protection.js';
import { statusOf, stricter, type RetentionLock } from '../../../library/retention.js';

export class RecordingProtection implements DriveProtection {
  readonly locks = new Map<string, RetentionLock>();
  readonly readOnly = new Set<string>();
  readonly records: AuditRecord[] = [];
  readonly writes: { barcode: string; at: string }[] = [];
  clock = new Date('2026-12-01T10:00:00.000Z');
  /** When set, record() rejects with it (an audit log that does not verify). */
  failRecord: Error | undefined;

  lock(barcode: string, mode: RetentionLock['mode'] = 'compliance', until = '2027-12-01T00:00:00.000Z'): void {
    this.locks.set(barcode, { mode, startedAt: this.clock.toISOString(), until, setBy: 'test' });
  }
  retentionOf(barcode: string): ReturnType<DriveProtection['retentionOf']> {
    return statusOf(this.locks.get(barcode), this.clock);
  }
  noteWrite(barcode: string, at: Date): void {
    this.writes.push({ barcode, at: at.toISOString() });
  }
  adoptFromMedium(barcode: string, fromMedium: RetentionLock | undefined): RetentionLock | undefined {
    const next = stricter(this.locks.get(barcode), fromMedium, this.clock);
    if (next) this.locks.set(barcode, next);
    return next;
  }
  lockOf(barcode: string): RetentionLock | undefined {
    return this.locks.get(barcode);
  }
  isReadOnlyInitiator(name: string): boolean {
    return this.readOnly.has(name);
  }
  record(record: AuditRecord): Promise<unknown> {
    if (this.failRecord) return Promise.reject(this.failRecord);
    this.records.push(record);
    return Promise.resolve();
  }
  now(): Date {
    return this.clock;
  }
}
