// Where the audit log's last entry is remembered outside the log: a hash chain alone cannot show that its last
// entries were cut off, so the catalog keeps the sequence number and hash of the newest entry written.
import type { Catalog } from './catalog.js';

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export interface AuditAnchor {
  head(): AuditHead | undefined;
  advance(head: AuditHead): void;
}

/**
 * The head in the catalog's meta table (keys `audit_head_seq`, `audit_head_hash`; on a cluster node, which keeps an
 * audit log of its own, `audit_head_seq:<node>` and `audit_head_hash:<node>`).
 */
export class CatalogAuditAnchor implements AuditAnchor {
  private readonly seqKey: string;
  private readonly hashKey: string;

  constructor(private readonly catalog: Catalog, nodeId?: string) {
    const suffix = nodeId === undefined ? '' : `:${nodeId}`;
    this.seqKey = `audit_head_seq${suffix}`;
    this.hashKey = `audit_head_hash${suffix}`;
  }

  head(): AuditHead | undefined {
    const rows = this.catalog.sql.all<{ key: string; value: string }>('SELECT key, value FROM meta WHERE key IN (?, ?)', [this.seqKey, this.hashKey]);
    const seq = rows.find((r) => r.key === this.seqKey)?.value;
    const hash = rows.find((r) => r.key === this.hashKey)?.value;
    return seq === undefined || hash === undefined ? undefined : { seq: Number(seq), hash };
  }

  /**
   * Straight on the database, not through Catalog.transaction(): the anchor is bookkeeping, not a library change, and
   * its small write succeeding must not tell the catalog's health that writes work again while changes still fail.
   */
  advance(head: AuditHead): void {
    const put = 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';
    this.catalog.sql.transaction(() => {
      this.catalog.sql.run(put, [this.seqKey, String(head.seq)]);
      this.catalog.sql.run(put, [this.hashKey, head.hash]);
    });
  }
}
