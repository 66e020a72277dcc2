// The audit log's entries and their one canonical encoding (docs/SECURITY.md, "Audit log format"): a JSON line with
// the fields in a fixed order, nested keys sorted, no spaces; `hash` is the SHA-256 of the line as it would be
// without its `hash` field, and `prev` is the previous entry's hash. Verification is pure and works on the bytes.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** What a caller records; `outcome` says whether the change happened or was refused. */
export interface AuditRecord {
  /** Dotted: `cartridge.delete`, `token.create`, `retention.set`, `scsi.erase`... */
  readonly kind: string;
  readonly outcome: 'done' | 'refused';
  /** The API token's name (management), or undefined for a SCSI host (which names its initiator instead). */
  readonly actor?: string;
  readonly barcode?: string;
  readonly initiator?: string;
  readonly isid?: string;
  readonly lun?: number;
  /** JSON-safe facts (request body, status, the refusal's message). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly kind: string;
  readonly outcome: 'done' | 'refused';
  readonly actor: string | null;
  readonly barcode: string | null;
  readonly initiator: string | null;
  readonly isid: string | null;
  readonly lun: number | null;
  readonly detail: Readonly<Record<string, unknown>> | null;
  readonly prev: string;
  readonly hash: string;
}

/** The entry's line (with its trailing newline). */
export function encodeAuditEntry(record: AuditRecord, seq: number, at: string, prev: string): { readonly entry: AuditEntry; readonly line: string } {
  const unhashed = {
    seq,
    at,
    kind: record.kind,
    outcome: record.outcome,
    actor: record.actor ?? null,
    barcode: record.barcode ?? null,
    initiator: record.initiator ?? null,
    isid: record.isid ?? null,
    lun: record.lun ?? null,
    detail: record.detail === undefined ? null : (sortKeys(record.detail) as Record<string, unknown>),
    prev,
  };
  const body = JSON.stringify(unhashed);
  const hash = sha256(body);
  const entry: AuditEntry = { ...unhashed, hash };
  return { entry, line: `${body.slice(0, -1)},"hash":"${hash}"}\n` };
}

export type AuditVerdict =
  | { readonly status: 'intact'; readonly entries: number; readonly lastHash: string }
  /** Every complete entry verifies; the last line was cut short by a crash mid-append (no newline yet). */
  | { readonly status: 'torn-tail'; readonly entries: number; readonly lastHash: string; readonly tornBytes: number }
  /** `line` (1-based) is the first entry that does not verify. */
  | { readonly status: 'tampered'; readonly line: number; readonly reason: string; readonly entries: number };

/** Check a whole audit file's bytes. */
export function verifyAuditText(text: string): AuditVerdict {
  const lines = text.split('\n');
  // The newline is what commits an entry: everything after the last one is an append a crash interrupted.
  const torn = lines.pop() ?? '';
  let prev = GENESIS_HASH;
  for (let i = 0; i < lines.length; i++) {
    const problem = checkLine(lines[i] ?? '', i + 1, prev);
    if (typeof problem === 'string') return { status: 'tampered', line: i + 1, reason: problem, entries: lines.length };
    prev = problem.hash;
  }
  if (torn !== '') return { status: 'torn-tail', entries: lines.length, lastHash: prev, tornBytes: Buffer.byteLength(torn) };
  return { status: 'intact', entries: lines.length, lastHash: prev };
}

/** The complete entries of a file (its torn tail, if any, left out), each parsed without checking the chain. */
export function parseAuditText(text: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const line of text.split('\n').slice(0, -1)) {
    try {
      entries.push(JSON.parse(line) as AuditEntry);
    } catch {
      // A line that is not JSON is verify's business; listing shows what it can.
    }
  }
  return entries;
}

function checkLine(line: string, seq: number, prev: string): AuditEntry | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const entry = parsed as AuditEntry;
  if (entry.seq !== seq) return `sequence number ${String(entry.seq)} where ${seq} was expected (an entry was removed, inserted or moved)`;
  if (entry.prev !== prev) return 'its previous-hash does not match the entry before it (an entry was removed, inserted or moved)';
  const { line: canonical } = encodeAuditEntry(
    {
      kind: entry.kind,
      outcome: entry.outcome,
      ...(entry.actor !== null ? { actor: entry.actor } : {}),
      ...(entry.barcode !== null ? { barcode: entry.barcode } : {}),
      ...(entry.initiator !== null ? { initiator: entry.initiator } : {}),
      ...(entry.isid !== null ? { isid: entry.isid } : {}),
      ...(entry.lun !== null ? { lun: entry.lun } : {}),
      ...(entry.detail !== null ? { detail: entry.detail } : {}),
    },
    entry.seq,
    entry.at,
    entry.prev,
  );
  // Comparing bytes, not only the hash: a re-spaced or re-ordered line is an edit too.
  if (`${line}\n` !== canonical) return 'its content does not match its hash (the entry was edited)';
  return entry;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
