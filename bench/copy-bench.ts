// npm run bench gains the staging measurement (issue 15): a virtual cartridge of 256 KiB records copied by vtl to a
// tgt cartridge, next to the native client (tape-bench, libiscsi) writing the same amount in the same record size
// to tgt directly, in the same run on the same tgt. Goal: the copy reaches at least 90 % of the direct write.
//   node --import tsx bench/copy-bench.ts [--quick] [--mib N] [--keep]   (bench/run.sh runs it after bench.ts)
// Besides MB/s it reports the CPU seconds per GB that vtl and tgtd spent during the copy (from /proc), the figure
// that stays meaningful on a shared machine.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { IscsiSession } from '../src/initiator/iscsi-session.js';
import { PhysicalChanger } from '../src/physical/changer.js';
import type { CopyJobView } from '../src/physical/staging-service.js';
import { PhysicalTapeDrive } from '../src/physical/tape-drive.js';
import { repoRoot, VtlServer, vtlPorts } from '../test/e2e/vtl-process.js';
import { runStream } from './client.js';
import { readCpuSeconds } from './proc-stats.js';
import type { BenchTarget } from './targets.js';

const MiB = 1024 * 1024;
const RECORD = 256 * 1024;
const quick = process.argv.includes('--quick');
const mibArg = process.argv.indexOf('--mib');
const totalBytes = (mibArg > 0 ? Number(process.argv[mibArg + 1]) : quick ? 256 : 2048) * MiB;
const root = repoRoot();
const script = join(root, 'scripts/services/tgt-library.sh');

async function fillAndExport(vtl: VtlServer, barcode: string): Promise<void> {
  await vtl.api('POST', '/cartridges', { library: 'lib0', barcode });
  const session = new IscsiSession({ host: '127.0.0.1', port: vtl.options.iscsiPort, initiatorName: 'iqn.2026-11.org.vtl:bench-host', targetName: 'iqn.2026-11.org.vtl:lib0' });
  const changer = new PhysicalChanger(session);
  const inv = await changer.inventory();
  const slot = inv.slots.find((s) => s.barcode === barcode);
  if (!slot) throw new Error(`${barcode} is not in a vtl slot`);
  await changer.moveMedium(inv.transportAddress, slot.address, inv.drives[0].address);
  const drive = new PhysicalTapeDrive(session, inv.drives[0].lun ?? 1);
  await drive.waitReady();
  const pool = Array.from({ length: 64 }, () => randomBytes(RECORD));
  for (let i = 0; i < totalBytes / RECORD; i++) await drive.write(pool[i % pool.length]);
  await drive.writeFilemarks(1);
  await drive.unload();
  await changer.moveMedium(inv.transportAddress, inv.drives[0].address, inv.mailSlots[0].address);
  await session.close();
}

/** The pid of the `vtl serve` whose data directory is `dataDir` (VtlServer keeps its child to itself). */
function vtlPid(dataDir: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('serve') && argv.includes(dataDir)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no vtl serve process with data directory ${dataDir}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vtl-copy-bench-'));
  const facts: Record<string, string> = {};
  const out = execFileSync('bash', [script, 'start', join(dir, 'tgt')], { encoding: 'utf8', env: { ...process.env, VTL_TGT_CARTRIDGE_MB: String(totalBytes / MiB + 512) } });
  for (const line of out.split('\n')) if (line.includes('=')) facts[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  const pid = Number(execFileSync('cat', [join(dir, 'tgt', 'tgtd.pid')], { encoding: 'utf8' }).trim());
  let vtl: VtlServer | undefined;
  try {
    // The native client straight to tgt: P00000L8 (slot 4096) into drive 256 (LUN 1), write + flush, read.
    const target: BenchTarget = {
      name: 'tgt', portal: facts['VTL_TEST_TGT_PORTAL'] ?? '', iqn: facts['VTL_TEST_TGT_IQN'] ?? '', pid, driveLuns: [1],
      changer: { lun: 3, slots: [4096], drives: [256] }, stop: async () => undefined,
    };
    const direct = await runStream(join(root, 'bench/out/tape-bench'), target, { recordBytes: RECORD, bytesPerStream: totalBytes, pattern: 'random', streams: 1, verify: false });

    const configPath = join(dir, 'vtl.yaml');
    writeFileSync(configPath, stringify({
      libraries: [{ name: 'lib0', driveCount: 1, slots: 8, mailSlots: 2, initialCartridges: { count: 0 } }],
      physicalLibraries: [{ name: 'tgt', portal: facts['VTL_TEST_TGT_PORTAL'], iqn: facts['VTL_TEST_TGT_IQN'] }],
      copy: { retryDelaySeconds: 1 },
    }));
    vtl = new VtlServer({ dataDir: join(dir, 'data'), configPath, ...(await vtlPorts()), logPath: join(dir, 'vtl.log') });
    await vtl.start();
    const vtlProcess = vtlPid(join(dir, 'data'));
    const cpu = (): { vtl: number; tgt: number } => ({ vtl: readCpuSeconds(vtlProcess), tgt: readCpuSeconds(pid) });
    await fillAndExport(vtl, 'P00001L8');
    // The CPU used from the export to the end of the copy phase (mount and flush included), sampled as the job moves.
    const before = cpu();
    let after: { vtl: number; tgt: number } | undefined;
    let job: CopyJobView | undefined;
    for (;;) {
      job = ((await vtl.api('GET', '/copy-jobs')) as CopyJobView[]).find((j) => j.barcode === 'P00001L8');
      if (job && !after && (job.phase === 'verify' || job.state === 'failed')) after = cpu();
      if (job && (job.state === 'done' || job.state === 'failed')) break;
      await sleep(50);
    }
    if (job.state !== 'done' || !job.startedAt || !job.copiedAt) throw new Error(`the copy did not finish: ${JSON.stringify(job)}`);
    const copySeconds = (Date.parse(job.copiedAt) - Date.parse(job.startedAt)) / 1000;
    const copyMBps = job.bytesCopied / 1e6 / copySeconds;
    const ratio = copyMBps / direct.writeFlushMBps;
    console.log(`\n## Copy to a physical library (tgt), ${totalBytes / MiB} MiB of ${RECORD / 1024} KiB records${quick ? ' (--quick)' : ''}`);
    console.log('| measurement | MB/s |');
    console.log('| --- | ---: |');
    console.log(`| native client writing to tgt directly (write + flush) | ${direct.writeFlushMBps.toFixed(1)} |`);
    console.log(`| vtl copying the virtual cartridge to tgt (mount, copy, flush) | ${copyMBps.toFixed(1)} |`);
    console.log(`| verify (read both back and compare) | ${(job.bytesVerified / 1e6 / ((Date.now() - Date.parse(job.copiedAt)) / 1000)).toFixed(1)} (upper bound of the time) |`);
    const gb = job.bytesCopied / 1e9;
    const used = after ?? cpu();
    console.log(`| CPU s/GB during the copy: vtl ${((used.vtl - before.vtl) / gb).toFixed(2)}, tgtd ${((used.tgt - before.tgt) / gb).toFixed(2)}; native: tgtd ${(direct.targetCpuWriteSeconds / (totalBytes / 1e9)).toFixed(2)} | |`);
    console.log(`\ncopy / direct = ${(ratio * 100).toFixed(0)} % (goal >= 90 %): ${ratio >= 0.9 ? 'met' : 'NOT met'}`);
  } finally {
    await vtl?.stop();
    execFileSync('bash', [script, 'stop', join(dir, 'tgt')]);
    if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
