import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogAuditAnchor } from '../../src/library/audit-anchor.js';
import { AuditTrail, AuditTrailError } from '../../src/library/audit-trail.js';
import { Catalog } from '../../src/library/catalog.js';
import { verifyAuditText } from '../../src/library/audit-entry.js';
import { silentLogger } from '../../src/log.js';

/** The first 22 bytes of a fifth entry: what a crash mid-append leaves. */
const TORN = '{"seq":5,"at":"2026-12';

describe('the audit log', () => {
  let dir: string;
  let pristine: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-audit-'));
    const trail = new AuditTrail({ file: join(dir, 'audit.log'), log: silentLogger(), now: () => new Date('2026-12-01T10:00:00.000Z') });
    await trail.record({ kind: 'cartridge.create', outcome: 'done', actor: 'api-token', barcode: 'A00001L8', detail: { b: 1, a: 'x' } });
    await trail.record({ kind: 'cartridge.export', outcome: 'done', actor: 'backup01', barcode: 'A00001L8' });
    await trail.record({ kind: 'scsi.erase', outcome: 'refused', initiator: 'iqn.1993-08.org.debian:01:a', isid: '400001370000', lun: 1, barcode: 'A00001L8' });
    await trail.record({ kind: 'cartridge.delete', outcome: 'refused', actor: 'backup01', barcode: 'A00002L8' });
    pristine = await readFile(join(dir, 'audit.log'), 'utf8');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const lines = (): string[] => pristine.split('\n').slice(0, -1);
  const joined = (parts: readonly string[]): string => `${parts.join('\n')}\n`;

  test('an untouched log verifies, and each entry carries the hash of the one before it', () => {
    const verdict = verifyAuditText(pristine);
    assert.equal(verdict.status, 'intact');
    const entries = lines().map((l) => JSON.parse(l) as { seq: number; prev: string; hash: string });
    assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3, 4]);
    assert.equal(entries[0]?.prev, '0'.repeat(64));
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]?.prev, entries[i - 1]?.hash);
  });

  test('the line is the canonical encoding: fixed field order, detail keys sorted', () => {
    assert.match(lines()[0] ?? '', /^\{"seq":1,"at":"2026-12-01T10:00:00\.000Z","kind":"cartridge\.create","outcome":"done","actor":"api-token","barcode":"A00001L8","initiator":null,"isid":null,"lun":null,"detail":\{"a":"x","b":1\},"prev":"0{64}","hash":"[0-9a-f]{64}"\}$/);
  });

  test('one byte edited anywhere in an entry is found, and the entry is named', () => {
    const text = Buffer.from(pristine);
    const start = lines()[0].length + 1 + lines()[1].length + 1; // entry 3
    for (let offset = start; offset < start + lines()[2].length; offset++) {
      const copy = Buffer.from(text);
      copy[offset] = copy[offset] === 0x41 ? 0x42 : 0x41;
      const verdict = verifyAuditText(copy.toString('latin1'));
      assert.equal(verdict.status, 'tampered', `byte ${offset}`);
      if (verdict.status === 'tampered') assert.equal(verdict.line, 3, `byte ${offset}`);
    }
  });

  test('a removed line is found at the line after the gap', () => {
    const [a, , c, d] = lines();
    const verdict = verifyAuditText(joined([a, c, d]));
    assert.deepEqual(verdict.status === 'tampered' && [verdict.line, verdict.reason], [2, 'sequence number 3 where 2 was expected (an entry was removed, inserted or moved)']);
  });

  test('two swapped lines are found at the first of them', () => {
    const [a, b, c, d] = lines();
    const verdict = verifyAuditText(joined([a, c, b, d]));
    assert.equal(verdict.status === 'tampered' && verdict.line, 2);
  });

  test('an inserted line is found where it breaks the chain, even when its own hash is right', () => {
    const [a, b, c, d] = lines();
    // A forged entry 3 chained correctly onto entry 2: the chain breaks at the real entry 3, now line 4.
    const forged = JSON.parse(c) as Record<string, unknown>;
    const verdictCopied = verifyAuditText(joined([a, b, c, c, d]));
    assert.equal(verdictCopied.status === 'tampered' && verdictCopied.line, 4);
    forged['seq'] = 99;
    const verdictForged = verifyAuditText(joined([a, b, JSON.stringify(forged), c, d]));
    assert.equal(verdictForged.status === 'tampered' && verdictForged.line, 3);
  });

  test('a torn last line (a crash mid-append) is reported as torn, not as tampering', () => {
    const verdict = verifyAuditText(`${pristine}${TORN}`);
    assert.deepEqual(verdict.status === 'torn-tail' && [verdict.entries, verdict.tornBytes], [4, 22]);
  });

  test('the next append cuts a torn tail off, records the cut, and the log verifies again', async () => {
    const file = join(dir, 'torn.log');
    await writeFile(file, `${pristine}${TORN}`);
    const trail = new AuditTrail({ file, log: silentLogger() });
    const entry = await trail.record({ kind: 'cartridge.import', outcome: 'done', actor: 'backup01' });
    assert.equal(entry.seq, 6);
    const entries = await trail.list();
    assert.deepEqual(entries.slice(-2).map((e) => [e.seq, e.kind, e.detail]), [[5, 'audit.torn-tail-discarded', { bytes: 22 }], [6, 'cartridge.import', null]]);
    assert.equal((await trail.verify()).status, 'intact');
  });

  test('nothing is appended to a log that does not verify', async () => {
    const file = join(dir, 'tampered.log');
    const [a, b, c, d] = lines();
    await writeFile(file, joined([a, c, b, d]));
    const trail = new AuditTrail({ file, log: silentLogger() });
    await assert.rejects(trail.record({ kind: 'cartridge.import', outcome: 'done' }), (e: unknown) => e instanceof AuditTrailError && /line 2/.test(e.message));
    assert.equal(await readFile(file, 'utf8'), joined([a, c, b, d]));
  });

  test('list() filters by barcode and by time', async () => {
    const file = join(dir, 'list.log');
    let now = new Date('2026-12-01T00:00:00.000Z');
    const trail = new AuditTrail({ file, log: silentLogger(), now: () => now });
    await trail.record({ kind: 'a', outcome: 'done', barcode: 'X' });
    now = new Date('2026-12-02T00:00:00.000Z');
    await trail.record({ kind: 'b', outcome: 'done', barcode: 'Y' });
    await trail.record({ kind: 'c', outcome: 'done', barcode: 'X' });
    assert.deepEqual((await trail.list({ barcode: 'X' })).map((e) => e.kind), ['a', 'c']);
    assert.deepEqual((await trail.list({ since: new Date('2026-12-01T12:00:00Z') })).map((e) => e.kind), ['b', 'c']);
    assert.deepEqual((await trail.list({ limit: 1 })).map((e) => e.kind), ['c']);
    await appendFile(file, 'garbage');
    assert.equal((await trail.list()).length, 3);
  });
});

describe('the audit log with its head anchored in the catalog', () => {
  test('cutting entries off the end is found through the anchor and named, and appends stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vtl-audit-anchor-'));
    const catalog = new Catalog(join(dir, 'catalog.sqlite'));
    try {
      const file = join(dir, 'audit.log');
      const trail = new AuditTrail({ file, log: silentLogger(), anchor: new CatalogAuditAnchor(catalog) });
      for (const kind of ['a', 'b', 'c', 'd']) await trail.record({ kind, outcome: 'done' });
      assert.equal((await trail.verify()).status, 'intact');
      const text = await readFile(file, 'utf8');
      const kept = text.split('\n').slice(0, 2);
      await writeFile(file, `${kept.join('\n')}\n`);
      const reopened = new AuditTrail({ file, log: silentLogger(), anchor: new CatalogAuditAnchor(catalog) });
      const verdict = await reopened.verify();
      assert.deepEqual(verdict.status === 'tampered' && [verdict.line, verdict.reason], [3, 'the log ends at entry 2, but the catalog records entry 4 as written: entries 3..4 were removed from its end']);
      await assert.rejects(reopened.record({ kind: 'e', outcome: 'done' }), AuditTrailError);
      // Without the anchor the shortened chain is whole: that is what the anchor is for.
      assert.equal(verifyAuditText(await readFile(file, 'utf8')).status, 'intact');
    } finally {
      catalog.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a torn last entry is not counted against the anchor', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vtl-audit-anchor-'));
    const catalog = new Catalog(join(dir, 'catalog.sqlite'));
    try {
      const file = join(dir, 'audit.log');
      const trail = new AuditTrail({ file, log: silentLogger(), anchor: new CatalogAuditAnchor(catalog) });
      await trail.record({ kind: 'a', outcome: 'done' });
      await appendFile(file, '{"seq":2,"at"');
      assert.equal((await new AuditTrail({ file, log: silentLogger(), anchor: new CatalogAuditAnchor(catalog) }).verify()).status, 'torn-tail');
    } finally {
      catalog.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
