// The real-client tier: Linux's st, ch and sg drivers with mt-st, mtx, tar, dd and sg3-utils, in a QEMU guest whose
// SCSI devices are vtl's LUNs through QEMU's own iSCSI initiator (with CHAP). Boot 1 runs every check and writes the
// persistence data; vtl is restarted; boot 2 reads it back and exports a cartridge that vtl stages to tgt's library;
// boot 3 reads it from tgt directly, then recalls it. Each guest check is its own subtest.
// VTL_SKIP_E2E=1 skips the tier; artifacts (guest consoles, vtl logs) go to $VTL_E2E_OUT or $TMPDIR/vtl-e2e-out.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuest, chooseAccel } from './guest-image.js';
import { runGuest, type GuestRun, type RunGuestOptions } from './run-guest.js';
import { repoRoot, VtlServer, vtlPorts } from './vtl-process.js';
import { runCli } from '../management/run-cli.js';
import { waitForJob } from '../physical/staging-harness.js';
import { holdTgtLibrary, tgtLibrary } from '../physical/tgt-library.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
const LUNS = [0, 1, 2, 3, 4];
const CHAP = { username: 'e2e-initiator', secret: 'e2e-chap-secret-0123' };
const SMALL = { barcode: 'S00000L8', capacityBytes: 8 * 1024 * 1024 };
const WORM = 'W00000LY'; // LTO-8 WORM media carry the LY suffix
const WP = 'P00000L8';
/**
 * Locked (compliance, one day) through the API before boot 1: the last of the initial cartridges, which no other
 * check uses. Not a new one: the library has one empty slot left, which the changer checks need.
 */
const LOCKED = 'A00020L8';
/** A governance policy of EXPIRY_SECONDS from the last unload covers this one cartridge (guest check retention-expiry). */
const EXPIRY = { barcode: 'A00015L8', seconds: 45 };
/** Written by the guest's initiator, read (and not changed) by the read-only second initiator. */
const READ_ONLY = 'A00016L8';
/** Sent to the vault through the API before boot 2, which must not see it. */
const VAULTED = 'A00012L8';
/**
 * A second library of the same vtl, which deduplicates: lib0 does not (the partitions check needs a partitioned
 * cartridge, and a cartridge of a library that does not deduplicate opens as the plain partitioned medium). Its
 * changer and drive are attached at SCSI ids 16 and 17, apart from lib0's (`lsscsi_primary`); the same tar archive
 * goes to both its cartridges (guest checks dedup-write and dedup-read).
 */
const DEDUP = { library: 'lib1', iqn: 'iqn.2026-11.org.vtl:lib1', changerId: 16, driveId: 17 } as const;
/**
 * Staged to tgt's library (scripts/services/tgt-library.sh holds a physical G00000L8 for this tier alone): created in
 * lib0 after boot 1 (whose changer checks need lib0's last empty slot), exported by boot 2, read from tgt's changer and
 * first drive (LUNs 3 and 1, attached at SCSI ids 20 and 21) and then recalled by boot 3.
 */
const STAGE = { barcode: 'G00000L8', tgtChangerId: 20, tgtDriveId: 21 } as const;
const skipTier = process.env['VTL_SKIP_E2E'] === '1';
/** Shared with test/physical when scripts/test.sh started it; else started for this file. */
const tgt = skipTier ? undefined : tgtLibrary();

/** Every check boot 1 must report (a script that dies early must not pass by reporting less). */
const BOOT1_CHECKS = [
  'lsscsi-types', 'personality',
  ...LUNS.flatMap((lun) => ['sg_inq', 'sg_vpd', 'sg_logs', 'sg_modes', 'sg_opcodes', 'mtx_info'].map((tool) => `${tool}-lun${lun}`)),
  'st-binds', 'ch-binds', 'mtx-status', 'mtx-load-unload', 'mtx-load-into-full-drive-refused', 'mtx-transfer',
  'mtx-first-next', 'mtx-export-import', 'mtx-inventory', 'ch-ioctls-agree', 'tape-load', 'mt-status-rewind',
  'tar-filemarks-sequential', 'mt-fsf-tar', 'mt-eod-file-number', 'append-at-eod', 'mt-bsf-bsfm', 'mt-tell-seek',
  'mt-weof', 'dd-variable-records', 'dd-short-read-fails', 'sg-raw-16-byte', 'fixed-block-512', 'fixed-block-65536',
  'compression-on-off', 'defcompression', 'mt-erase', 'mt-offline', 'end-of-medium', 'write-protected', 'worm', 'retention-lock', 'stenc-encryption', 'partitions',
  'two-drives-streaming', 'persistent-reservations', 'read-only-initiator', 'retention-expiry', 'dedup-write', 'persist-write',
];
/**
 * The last drive is attached a second time under another initiator name: sg_persist from two I_T nexuses. The
 * config marks that initiator read-only (a restore host): reservations are not medium changes, so sg_persist works.
 */
const SECOND_INITIATOR = { name: 'iqn.2026-11.org.vtl:e2e-other', luns: [4] };

const root = repoRoot();
const outDir = process.env['VTL_E2E_OUT'] ?? join(tmpdir(), 'vtl-e2e-out');

/** The console section a check printed (`----- name:` up to the next section), for the failure message. */
function consoleSection(run: GuestRun, name: string): string {
  const start = run.console.indexOf(`----- ${name}:`);
  if (start < 0) return '(the check printed nothing on the console)';
  const end = run.console.indexOf('\n----- ', start + 1);
  return run.console.slice(start, end < 0 ? undefined : end);
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** One subtest per check the guest reported, then one that the guest ran its script to the end. */
async function reportChecks(t: TestContext, run: GuestRun, vtl: VtlServer, expected: readonly string[]): Promise<void> {
  for (const check of run.checks) {
    await t.test(check.name, (st) => {
      if (check.status === 'skip') return st.skip(check.detail);
      if (check.status === 'fail') {
        assert.fail(`${check.detail}\n--- guest console (full log: ${run.consolePath}) ---\n${consoleSection(run, check.name)}`);
      }
      st.diagnostic(check.detail);
    });
  }
  await t.test('the guest reported every expected check', () => {
    const reported = new Set(run.checks.map((c) => c.name));
    assert.deepEqual(expected.filter((name) => !reported.has(name)), [], `missing checks; guest console: ${run.consolePath}`);
  });
  await t.test('the guest ran its checks to the end', () => {
    assert.ok(
      run.completed,
      `the guest did not finish (${run.timedOut ? 'timed out' : `qemu exit ${run.exitCode}`}); qemu said:\n${run.qemuStderr}\n` +
        `--- guest console tail (full log: ${run.consolePath}) ---\n${tail(run.console, 80)}\n--- vtl log tail (${vtl.logPath}) ---\n${vtl.logTail(40)}`,
    );
  });
}

describe('Linux initiator tools against vtl in a QEMU guest', { skip: skipTier ? 'VTL_SKIP_E2E=1' : false }, () => {
  let work = '';
  let vtl: VtlServer;
  /** lib1's two initial cartridges, as its API lists them. */
  let dedupBarcodes: string[] = [];
  let boot: (name: string, env: Record<string, string>, timeoutMs: number, chap?: RunGuestOptions['chap'], withTgt?: boolean) => Promise<GuestRun>;
  let bootOne: GuestRun | undefined;
  let configPath = '';
  /** Special cartridge barcode -> undefined when created, else the API's error. */
  const special = new Map<string, string | undefined>();
  /** The `vtl` commands' environment: a server's API and token. */
  const cliEnv = (server: VtlServer): NodeJS.ProcessEnv => ({
    VTL_API: `http://127.0.0.1:${server.options.apiPort}`, VTL_TOKEN: readFileSync(join(server.options.dataDir, 'api-token'), 'utf8').trim(),
  });
  const made = (barcode: string): string => (special.has(barcode) && special.get(barcode) === undefined ? barcode : '');

  before(async () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const guestDir = await buildGuest(root);
    const accel = await chooseAccel(guestDir, outDir);
    work = mkdtempSync(join(tmpdir(), 'vtl-e2e-'));
    const { iscsiPort, apiPort } = await vtlPorts();
    configPath = join(work, 'vtl.yaml');
    writeFileSync(configPath, [
      'libraries:',
      '  - name: lib0',
      // The changer keeps its default personality (IBM 3584); drive 3 is an HPE drive among IBM ones.
      '    drives: [{}, {}, { personality: hpe }, {}]',
      '    access:',
      '      chap:',
      `        username: ${CHAP.username}`,
      `        secret: ${CHAP.secret}`,
      `      readOnlyInitiators: [${SECOND_INITIATOR.name}]`,
      '    retention:',
      `      - { mode: governance, seconds: ${EXPIRY.seconds}, from: unload, barcodes: ${EXPIRY.barcode}-${EXPIRY.barcode} }`,
      `  - name: ${DEDUP.library}`,
      '    driveCount: 1',
      '    slots: 4',
      '    mailSlots: 1',
      '    initialCartridges: { count: 2, barcodePrefix: B }',
      '    dedup: { enabled: true }',
      `    access: { chap: { username: ${CHAP.username}, secret: ${CHAP.secret} } }`,
      'physicalLibraries:',
      `  - { name: tgt, portal: '${tgt?.portal ?? ''}', iqn: '${tgt?.iqn ?? ''}' }`,
      // A verified copy releases the disk copy: of the cartridges the checks export, tgt holds only STAGE's barcode.
      'copy: { release: release, retryDelaySeconds: 2 }',
      '',
    ].join('\n'));
    vtl = new VtlServer({ dataDir: join(work, 'data'), configPath, iscsiPort, apiPort, logPath: join(outDir, 'vtl.log') });
    await vtl.start();
    dedupBarcodes = ((await vtl.api('GET', `/cartridges?library=${DEDUP.library}`)) as { barcode: string }[]).map((c) => c.barcode);
    // Best effort, so one API defect does not hide every other check: a cartridge that could not be made is
    // left out of the guest's environment (its check skips) and the failure is its own test below.
    const attempt = async (barcode: string, calls: () => Promise<unknown>): Promise<void> => {
      try {
        await calls();
        special.set(barcode, undefined);
      } catch (error) {
        special.set(barcode, error instanceof Error ? error.message : String(error));
      }
    };
    await attempt(SMALL.barcode, () => vtl.api('POST', '/cartridges', { library: 'lib0', barcode: SMALL.barcode, capacityBytes: SMALL.capacityBytes }));
    await attempt(WORM, () => vtl.api('POST', '/cartridges', { library: 'lib0', barcode: WORM, worm: true }));
    await attempt(WP, async () => {
      await vtl.api('POST', '/cartridges', { library: 'lib0', barcode: WP });
      await vtl.api('POST', `/cartridges/${WP}/protect`, { on: true });
    });
    await attempt(LOCKED, () => vtl.api('POST', `/cartridges/${LOCKED}/retention`, { mode: 'compliance', days: 1 }));
    const guestFiles = join(root, 'test', 'e2e', 'guest');
    const portal = `127.0.0.1:${iscsiPort}`;
    const dedupLuns = [{ portal, iqn: DEDUP.iqn, lun: 0, scsiId: DEDUP.changerId, chap: true }, { portal, iqn: DEDUP.iqn, lun: 1, scsiId: DEDUP.driveId, chap: true }];
    const tgtLuns = [{ portal: tgt?.portal ?? '', iqn: tgt?.iqn ?? '', lun: 3, scsiId: STAGE.tgtChangerId }, { portal: tgt?.portal ?? '', iqn: tgt?.iqn ?? '', lun: 1, scsiId: STAGE.tgtDriveId }];
    boot = (name, env, timeoutMs, chap = CHAP, withTgt = false) =>
      runGuest({
        guestDir, scriptPath: join(root, 'test', 'e2e', 'guest-checks.sh'),
        extraFiles: readdirSync(guestFiles).map((f) => join(guestFiles, f)),
        env: { DEDUP_DEVICES: `${DEDUP.changerId} ${DEDUP.driveId}`, DEDUP_BARCODES: dedupBarcodes.join(' '), STAGE_BARCODE: STAGE.barcode, ...env },
        portal, iqn: IQN, luns: LUNS, secondInitiator: SECOND_INITIATOR, otherLuns: withTgt ? [...dedupLuns, ...tgtLuns] : dedupLuns, chap, outDir, name, timeoutMs, accel,
      });
  });

  after(async () => {
    await vtl?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the management API creates the small, WORM and write-protected cartridges and locks one', () => {
    const failures = [...special].filter(([, error]) => error !== undefined).map(([barcode, error]) => `${barcode}: ${error}`);
    assert.deepEqual(failures, []);
  });

  test('boot 1: inquiry, changer, tape, special cartridges, two drives, persistence writes (CHAP login)', async (t) => {
    bootOne = await boot('boot1', {
      PHASE: 'main', EXPECT_DRIVES: '4', EXPECT_SLOTS: '24', EXPECT_MAIL: '4',
      SMALL_BARCODE: made(SMALL.barcode), SMALL_CAPACITY_BYTES: String(SMALL.capacityBytes), WORM_BARCODE: made(WORM), WP_BARCODE: made(WP),
      LOCKED_BARCODE: made(LOCKED), EXPIRY_BARCODE: EXPIRY.barcode, EXPIRY_SECONDS: String(EXPIRY.seconds), READ_ONLY_BARCODE: READ_ONLY,
      PERSONALITY_CHANGER: 'IBM|03584L32', PERSONALITY_DRIVES: '1=IBM|ULT3580-TD8;3=HPE|Ultrium 8-SCSI',
    }, 15 * 60_000);
    await reportChecks(t, bootOne, vtl, BOOT1_CHECKS);
  });

  test('the audit log names the guest initiator, its ISID and LUN for the erase and the rewrite the lock refused', async () => {
    assert.ok(bootOne?.checks.some((c) => c.name === 'retention-lock' && c.status === 'ok'), 'the retention-lock check did not pass');
    const entries = (await vtl.api('GET', `/audit?barcode=${LOCKED}`)) as { kind: string; outcome: string; initiator: string | null; isid: string | null; lun: number | null }[];
    const refused = entries.filter((e) => e.outcome === 'refused').map((e) => e.kind);
    assert.ok(refused.includes('scsi.erase'), `refused: ${refused.join(', ')}`);
    assert.ok(refused.includes('scsi.write'), `refused: ${refused.join(', ')}`);
    for (const e of entries.filter((x) => x.kind.startsWith('scsi.'))) {
      assert.match(e.initiator ?? '', /^iqn\./);
      assert.match(e.isid ?? '', /^[0-9a-f]{12}$/);
      assert.ok(e.lun !== null && e.lun >= 1, `lun ${e.lun}`);
    }
  });

  test('after the pass the second copy of the guest\'s tar archive is stored almost for free (API and vtl tape list)', async (t) => {
    assert.ok(bootOne?.checks.some((c) => c.name === 'dedup-write' && c.status === 'ok'), 'the dedup-write check did not pass');
    assert.equal(dedupBarcodes.length, 2, `lib1's cartridges: ${dedupBarcodes.join(' ')}`);
    await vtl.api('POST', '/dedup/pass');
    const [first, second] = (await Promise.all(dedupBarcodes.map((bc) => vtl.api('GET', `/cartridges/${bc}`)))) as { dedup?: { logicalBytes: number; storedBytes: number; backlogBytes: number } }[];
    assert.ok(first?.dedup && second?.dedup, 'both have deduplication figures');
    assert.equal(second.dedup.logicalBytes, first.dedup.logicalBytes);
    assert.ok(first.dedup.logicalBytes > 4 * 1024 * 1024, `logical ${first.dedup.logicalBytes}`);
    assert.equal(second.dedup.backlogBytes, 0);
    assert.ok(second.dedup.storedBytes < first.dedup.logicalBytes / 100, `the second costs ${second.dedup.storedBytes} bytes`);
    t.diagnostic(`logical ${first.dedup.logicalBytes} bytes each; stored ${first.dedup.storedBytes} and ${second.dedup.storedBytes}`);
    const list = await runCli(['tape', 'list', '--library', DEDUP.library], cliEnv(vtl));
    const ratio = Number(new RegExp(`^${dedupBarcodes[1] ?? ''}\\s.*?([\\d.]+)x\\s`, 'm').exec(list.stdout)?.[1]);
    assert.ok(ratio >= 100, `vtl tape list shows the second at ${ratio}x:\n${list.stdout}${list.stderr}`);
  });

  test('QEMU cannot log in with a wrong CHAP secret', async () => {
    const run = await boot('wrong-chap', { PHASE: 'probe' }, 60_000, { username: CHAP.username, secret: 'not-the-secret-000' });
    assert.equal(run.checks.length, 0, 'the guest must not see any device');
    assert.notEqual(run.exitCode, 0, `qemu must refuse to start; it said:\n${run.qemuStderr}`);
    assert.match(run.qemuStderr, /iSCSI|login|auth/i);
  });

  test('boot 2 after a vtl restart (the changer now an STK L700): the data and the library state persist, a vaulted cartridge is gone, deduplicated archives extract, and an exported cartridge is staged to tgt', async (t) => {
    const moved = bootOne?.checks.find((c) => c.name === 'persist-write');
    // vtl moves cartridges in tgt's library once boot 2 exports STAGE: the other files using tgt wait meanwhile.
    assert.ok(tgt);
    await holdTgtLibrary(tgt);
    await vtl.stop();
    // The restart also turns the changer into an STK L700: the second changer personality, seen by lsscsi and mtx.
    writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('  - name: lib0\n', '  - name: lib0\n    changer: { personality: stk-l700 }\n'));
    // lib1 restarts with it: boot 2 reads lib1's archives from their recipes as found on disk.
    await vtl.start();
    await vtl.api('POST', `/cartridges/${VAULTED}/shelve`, { direct: true });
    await vtl.api('POST', '/cartridges', { library: 'lib0', barcode: STAGE.barcode });
    const run = await boot('boot2', {
      PHASE: 'persist-read', PERSIST_MOVED_SLOT: /slot (\d+)/.exec(moved?.detail ?? '')?.[1] ?? '', VAULTED_BARCODE: VAULTED,
      PERSONALITY_CHANGER: 'STK|L700', PERSONALITY_DRIVES: '3=HPE|Ultrium 8-SCSI',
    }, 5 * 60_000);
    await reportChecks(t, run, vtl, ['persist-read', 'dedup-read', 'vault-hidden', 'personality', 'stage-write']);
    await t.test('vtl copies the exported cartridge to tgt, verifies it and releases the disk copy', async () => {
      assert.ok(run.checks.some((c) => c.name === 'stage-write' && c.status === 'ok'), 'the stage-write check did not pass');
      const staged = { server: vtl, dir: work, iqn: IQN, cleanup: () => vtl.stop() };
      const job = await waitForJob(staged, STAGE.barcode, (j) => j.state === 'done' || j.state === 'failed');
      assert.equal(job.state, 'done', job.reason);
      const released = await waitForJob(staged, STAGE.barcode, (j) => j.releasedAt !== undefined || (j.reason ?? '').includes('not released'));
      assert.ok(released.releasedAt, released.reason);
      const list = await runCli(['tape', 'list', '--barcode', STAGE.barcode], cliEnv(vtl));
      assert.match(list.stdout, new RegExp(`${STAGE.barcode}.*released to tgt`));
    });
  });

  test('boot 3: the staged cartridge reads back straight from tgt\'s drive, then a load recalls it from tgt', async (t) => {
    assert.ok(tgt);
    await holdTgtLibrary(tgt);
    const run = await boot('boot3', { PHASE: 'stage-read', TGT_DEVICES: `${STAGE.tgtChangerId} ${STAGE.tgtDriveId}` }, 5 * 60_000, CHAP, true);
    await reportChecks(t, run, vtl, ['tgt-read', 'recall']);
    await t.test('the recalled cartridge is no longer a stub', async () => {
      assert.ok(run.checks.some((c) => c.name === 'recall' && c.status === 'ok'), 'the recall check did not pass');
      const back = (await vtl.api('GET', `/cartridges/${STAGE.barcode}`)) as { releasedTo?: string };
      assert.equal(back.releasedTo, undefined);
      assert.match(vtl.logTail(2000), /recall: done/);
    });
  });
});
