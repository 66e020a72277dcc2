// The benchmark driver (`npm run bench`, via bench/run.sh): vtl and Debian's tgt measured by the same native
// client in the same run, next to the raw disk. Method and latest results: docs/BENCHMARKS.md.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, readFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compressSync } from 'lz4-napi';
import { CartridgeFile, cartridgePath } from '../src/media/cartridge-files.js';
import { runLocate, runMount, runStream, type StreamOptions } from './client.js';
import { summarizeCpuProfile, type HotSpot } from './cpu-profile-summary.js';
import { readChildrenCpuSeconds, readCpuSeconds, readPeakRssMiB, resetPeakRss } from './proc-stats.js';
import { printReport, type BenchReport } from './report.js';
import { startTgt, startVtl, type BenchTarget } from './targets.js';

const execFileAsync = promisify(execFile);
const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;

interface Options {
  quick: boolean;
  reps: number;
  targets: Set<'vtl' | 'tgt'>;
  profile: boolean;
  skipLocate: boolean;
  clientPath: string;
  outDir: string;
  /** The vtl entry point under test; dist/src/main.js unless --vtl names another build. */
  vtl: string;
  /**
   * Another build of vtl measured in the same run as the target `vtl-main` (the build before a change: a copy of
   * `dist/` taken from main), each stream right after the same stream on `vtl`.
   */
  vtlMain?: string;
  /** Which groups of streams run (--streams): all by default. */
  streams: Set<StreamGroup>;
  /** Record sizes of the single streams (--record-sizes); the plan's by default. */
  recordSizes?: number[];
}

/**
 * The groups of measurements one run can be limited to: the single streams, the encrypted ones (beside the plain
 * 256 KiB incompressible stream), 512 B records, four drives, disk and LZ4 references, mount and LOCATE.
 */
const STREAM_GROUPS = ['single', 'encryption', 'small', 'four', 'references', 'mount'] as const;
type StreamGroup = (typeof STREAM_GROUPS)[number];

function parseGroups(list: string): Set<StreamGroup> {
  const groups = new Set<StreamGroup>();
  for (const name of list.split(',')) {
    const group = STREAM_GROUPS.find((g) => g === name);
    if (group === undefined) throw new Error(`Unknown stream group ${name}; groups: ${STREAM_GROUPS.join(',')}`);
    groups.add(group);
  }
  return groups;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    quick: false,
    reps: 3,
    targets: new Set(['vtl', 'tgt']),
    profile: false,
    skipLocate: false,
    clientPath: join(repoDir, 'bench/out/tape-bench'),
    outDir: join(repoDir, 'bench/out'),
    vtl: join(repoDir, 'dist/src/main.js'),
    streams: new Set(STREAM_GROUPS),
  };
  let repsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--skip-locate') options.skipLocate = true;
    else if (arg === '--reps') {
      options.reps = Number(argv[++i]);
      repsGiven = true;
    } else if (arg === '--targets') {
      options.targets = new Set((argv[++i] ?? '').split(',').filter((t): t is 'vtl' | 'tgt' => t === 'vtl' || t === 'tgt'));
    } else if (arg === '--client') options.clientPath = resolve(argv[++i] ?? '');
    else if (arg === '--vtl') options.vtl = resolve(argv[++i] ?? '');
    else if (arg === '--vtl-main') options.vtlMain = resolve(argv[++i] ?? '');
    else if (arg === '--streams') options.streams = parseGroups(argv[++i] ?? '');
    else if (arg === '--record-sizes') options.recordSizes = (argv[++i] ?? '').split(',').map(Number);
    else {
      throw new Error(`Unknown option ${arg}; options: --quick --reps N --targets vtl,tgt --profile --skip-locate --client PATH --vtl FILE --vtl-main FILE --streams ${STREAM_GROUPS.join(',')} --record-sizes 65536,262144`);
    }
  }
  if (options.quick && !repsGiven) options.reps = 1;
  return options;
}

/** Sizes: the full run stays around ten minutes on 2 cores; --quick is for development. */
function plan(quick: boolean) {
  return {
    singleBytes: quick ? 256 * MiB : 1024 * MiB,
    fourBytesPerStream: quick ? 128 * MiB : 512 * MiB,
    smallRecordBytes: quick ? 4 * MiB : 16 * MiB,
    recordSizes: [64 * 1024, 256 * 1024, 1024 * 1024],
    patterns: ['random', 'text'] as const,
    locateBlocks: quick ? 200_000 : 10_000_000,
    mountRepeats: quick ? 5 : 20,
  };
}

/** A scratch directory on the same file system as the repository, so the disk measured is the one used. */
function makeWorkDir(outDir: string): string {
  const candidate = mkdtempSync(join(tmpdir(), 'vtl-bench-'));
  if (statSync(candidate).dev === statSync(repoDir).dev) return candidate;
  rmSync(candidate, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  return mkdtempSync(join(outDir, 'tmp-'));
}

/** The targets with vtl and vtl-main swapped (tgt stays where it is). */
function alternate(targets: readonly BenchTarget[]): BenchTarget[] {
  const swapped = [...targets];
  const a = swapped.findIndex((t) => t.name === 'vtl');
  const b = swapped.findIndex((t) => t.name === 'vtl-main');
  if (a >= 0 && b >= 0) [swapped[a], swapped[b]] = [swapped[b], swapped[a]];
  return swapped;
}

async function ddSeconds(source: string, target: string, mib: number): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolveDone, reject) => {
    const child = spawn('dd', [`if=${source}`, `of=${target}`, 'bs=1M', `count=${mib}`, 'conv=fdatasync', 'status=none']);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolveDone() : reject(new Error(`dd exited with ${code}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  rmSync(target, { force: true });
  return seconds;
}

/**
 * LZ4 (lz4-napi, the codec vtl stores with) on one core of this machine, on exactly the bench's compressible data
 * (`tape-bench pool --pattern text`): the ceiling of what one core can compress, so the compression goal can be read
 * against the hardware. Input MB/s and ratio, block by block for about a second per size.
 */
function lz4OneCore(clientPath: string, recordSizes: readonly number[]): Map<number, { mbps: number; ratio: number }> {
  const made = spawnSync(clientPath, ['pool', '--pattern', 'text'], { maxBuffer: 128 * MiB });
  if (made.status !== 0 || !Buffer.isBuffer(made.stdout)) throw new Error(`tape-bench pool failed: ${String(made.stderr)}`);
  const pool = made.stdout;
  const out = new Map<number, { mbps: number; ratio: number }>();
  for (const size of recordSizes) {
    let bytes = 0;
    let stored = 0;
    let offset = 0;
    const started = performance.now();
    while (performance.now() - started < 1000) {
      if (offset + size > pool.length) offset = 0;
      stored += compressSync(pool.subarray(offset, offset + size)).length;
      bytes += size;
      offset += size + 4093; // not a multiple of the record size, like the streams
    }
    out.set(size, { mbps: bytes / ((performance.now() - started) / 1000) / 1e6, ratio: bytes / stored });
  }
  return out;
}

/** Bytes in the data files of the cartridges written since `sinceMs`: what vtl stored for a stream. */
function storedBytesSince(cartridgesDir: string, sinceMs: number): number {
  let total = 0;
  if (!existsSync(cartridgesDir)) return 0;
  for (const barcode of readdirSync(cartridgesDir)) {
    try {
      const stats = statSync(join(cartridgesDir, cartridgePath(barcode, CartridgeFile.DATA)));
      if (stats.mtimeMs >= sinceMs) total += stats.size;
    } catch {
      // not a cartridge folder
    }
  }
  return total;
}

function writeRandomFile(file: string, mib: number): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i++) writeSync(fd, randomFillSync(chunk));
  fsyncSync(fd);
  closeSync(fd);
}

/** The commit a build was made from: a snapshot of dist/ may carry it in COMMIT; otherwise the working tree's HEAD. */
async function buildCommit(main: string): Promise<string> {
  try {
    const stamp = join(dirname(main), '..', 'COMMIT');
    if (existsSync(stamp)) return readFileSync(stamp, 'utf8').trim();
    return (await execFileAsync('git', ['-C', repoDir, 'rev-parse', '--short', 'HEAD'])).stdout.trim();
  } catch {
    return 'unknown';
  }
}

async function machineInfo(workDir: string, options: Options): Promise<Record<string, string | number>> {
  const info: Record<string, string | number> = { nproc: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version };
  // Other work on the machine skews every number; the load average says how much there was.
  info.loadAverageAtStart = loadavg().map((l) => l.toFixed(1)).join(' ');
  try {
    const { stdout } = await execFileAsync('findmnt', ['-no', 'SOURCE,FSTYPE', '-T', workDir]);
    info.disk = stdout.trim();
    const device = /\/dev\/([a-z]+)/.exec(stdout)?.[1];
    if (device) {
      const { stdout: lsblk } = await execFileAsync('lsblk', ['-dno', 'MODEL,SIZE,ROTA', `/dev/${device}`]);
      info.diskDetail = lsblk.trim().replace(/\s+/g, ' ');
    }
  } catch {
    info.disk = 'unknown';
  }
  info.vtlCommit = await buildCommit(options.vtl);
  if (options.vtlMain !== undefined) info.vtlMainCommit = await buildCommit(options.vtlMain);
  try {
    const { stdout } = await execFileAsync('dpkg-query', ['-W', '-f', '${Package} ${Version}, ', 'tgt', 'libiscsi7']);
    info.debianPackages = stdout.replace(/, $/, '');
  } catch {
    // informational only
  }
  return info;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const sizes = { ...plan(options.quick), ...(options.recordSizes === undefined ? {} : { recordSizes: options.recordSizes }) };
  const runs = (group: StreamGroup) => options.streams.has(group);
  mkdirSync(options.outDir, { recursive: true });
  const workDir = makeWorkDir(options.outDir);
  const samples: Record<string, number[]> = {};
  const push = (key: string, value: number) => (samples[key] ??= []).push(value);
  const negotiated: Record<string, Record<string, string>> = {};
  const notes: string[] = [];
  const targets: BenchTarget[] = [];
  let hotSpots: HotSpot[] = [];
  const profileDir = join(options.outDir, 'profile');
  /** vtl with encryption at rest, measured on the 256 KiB incompressible stream only (beside plain and drive-encrypted). */
  let atRest: BenchTarget | undefined;
  const cleanup = async () => {
    for (const target of targets.splice(0)) await target.stop();
    await atRest?.stop();
    atRest = undefined;
    rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = new Date();
  try {
    const machine = await machineInfo(workDir, options);
    log(`work dir ${workDir}; ${machine.nproc} CPUs, ${machine.cpuModel}; disk ${machine.disk}`);
    if (options.targets.has('tgt')) {
      try {
        targets.push(await startTgt(workDir, 4));
      } catch (error) {
        notes.push(`tgt could not be measured: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        log(notes[notes.length - 1]);
      }
    }
    if (options.targets.has('vtl')) {
      try {
        if (options.profile) {
          rmSync(profileDir, { recursive: true, force: true });
          mkdirSync(profileDir, { recursive: true });
        }
        targets.push(await startVtl({ name: 'vtl', main: options.vtl, workDir, ...(options.profile ? { cpuProfileDir: profileDir } : {}) }));
        if (options.vtlMain !== undefined) targets.push(await startVtl({ name: 'vtl-main', main: options.vtlMain, workDir }));
        if (runs('encryption')) atRest = await startVtl({ name: 'vtl-at-rest', main: options.vtl, workDir, masterKeyHex: randomBytes(32).toString('hex') });
      } catch (error) {
        notes.push(`vtl could not be measured: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        log(notes[notes.length - 1]);
      }
    }
    const vtl = targets.find((t) => t.name === 'vtl');
    const vtlMain = targets.find((t) => t.name === 'vtl-main');
    const peakRss = new Map<string, number>();
    const measure = async (target: BenchTarget, key: string, stream: StreamOptions) => {
      const isVtl = target.name !== 'tgt';
      if (isVtl) resetPeakRss(target.pid);
      const startedMs = Date.now();
      const cpuBefore = readCpuSeconds(target.pid);
      const mainThreadBefore = isVtl ? readCpuSeconds(target.pid, target.pid) : 0;
      const clientCpuBefore = readChildrenCpuSeconds();
      const result = await runStream(options.clientPath, target, stream);
      const cpuSeconds = readCpuSeconds(target.pid) - cpuBefore;
      // vtl's main thread: the event loop (the serial resource of a stream) and the collector's pauses.
      const mainThreadSeconds = isVtl ? readCpuSeconds(target.pid, target.pid) - mainThreadBefore : 0;
      // The client shares the machine's cores with the target: its CPU bounds what the target can get.
      const clientCpuSeconds = readChildrenCpuSeconds() - clientCpuBefore;
      const prefix = `${target.name}.${key}`;
      push(`${prefix}.writeMBps`, result.writeMBps);
      push(`${prefix}.writeFlushMBps`, result.writeFlushMBps);
      push(`${prefix}.readMBps`, result.readMBps);
      push(`${prefix}.cpuSecondsPerGB`, cpuSeconds / ((result.bytes + result.bytesRead) / 1e9));
      push(`${prefix}.clientCpuSecondsPerGB`, clientCpuSeconds / ((result.bytes + result.bytesRead) / 1e9));
      if (isVtl) push(`${prefix}.mainThreadCpuSecondsPerGB`, mainThreadSeconds / ((result.bytes + result.bytesRead) / 1e9));
      if (result.targetCpuWriteSeconds >= 0) push(`${prefix}.cpuSecondsPerGBWritten`, result.targetCpuWriteSeconds / (result.bytes / 1e9));
      if (result.targetCpuReadSeconds >= 0) push(`${prefix}.cpuSecondsPerGBRead`, result.targetCpuReadSeconds / (result.bytesRead / 1e9));
      if (isVtl && result.targetMainCpuReadSeconds >= 0) push(`${prefix}.mainThreadCpuSecondsPerGBRead`, result.targetMainCpuReadSeconds / (result.bytesRead / 1e9));
      push(`${prefix}.recordsPerSecond`, result.bytes / stream.recordBytes / result.writeSeconds);
      for (const ms of result.mountMs) if (ms >= 0) push(`${target.name}.mountInStreamMs`, ms);
      if (target.cartridgesDir !== undefined) {
        // Each stream rewrites its cartridge from the start, so its data file holds this run's records only.
        const stored = storedBytesSince(target.cartridgesDir, startedMs);
        if (stored > 0) push(`${prefix}.storedRatio`, result.bytes / stored);
      }
      if (isVtl) {
        const peak = readPeakRssMiB(target.pid);
        push(`${prefix}.peakRssMiB`, peak);
        peakRss.set(target.name, Math.max(peakRss.get(target.name) ?? 0, peak));
      }
      negotiated[target.name] ??= result.targetLoginReply;
      log(`${prefix}: write ${result.writeMBps.toFixed(0)} MB/s, +flush ${result.writeFlushMBps.toFixed(0)} MB/s, read ${result.readMBps.toFixed(0)} MB/s, ${cpuSeconds.toFixed(2)} CPU s (main thread ${mainThreadSeconds.toFixed(2)}, client ${clientCpuSeconds.toFixed(2)})`);
    };

    /** An unmeasured 256 KiB stream (a quarter of a single stream's bytes unless told), written and read back like the others. */
    const warmUp = async (target: BenchTarget, bytes = sizes.singleBytes / 4) => {
      const result = await runStream(options.clientPath, target, { recordBytes: 256 * 1024, bytesPerStream: bytes, pattern: 'random', streams: 1, verify: false });
      log(`${target.name}: warm-up stream of ${bytes / MiB} MiB (not reported), write+flush ${result.writeFlushMBps.toFixed(0)} MB/s`);
    };
    // Before its first measured stream, vtl has streamed at least two single streams' worth (the plain streams of the
    // repetition); the at-rest process streams as much first, or its first repetitions are still warming up (its CPU
    // per GB written fell over three repetitions even with the short warm-up before each).
    if (atRest) await warmUp(atRest, 2 * sizes.singleBytes);

    const randomSource = join(workDir, 'random.src');
    const ddMiB = sizes.singleBytes / MiB;
    writeRandomFile(randomSource, ddMiB);
    for (let rep = 0; rep < options.reps; rep++) {
      log(`repetition ${rep + 1} of ${options.reps}`);
      // Whichever vtl build streams first after the other's stream is measured slower at 256 KiB (the kernel is still
      // writing back and dropping the other's pages): vtl and vtl-main swap places every repetition, so the bias
      // cancels in the medians instead of landing on one of them.
      const order = rep % 2 === 0 ? targets : alternate(targets);
      for (const [name, source] of runs('references') ? ([['random', randomSource], ['zero', '/dev/zero']] as const) : []) {
        const seconds = await ddSeconds(source, join(workDir, 'dd.out'), ddMiB);
        push(`disk.dd.${name}.MBps`, sizes.singleBytes / seconds / 1e6);
        log(`disk dd ${name}: ${(sizes.singleBytes / seconds / 1e6).toFixed(0)} MB/s`);
      }
      if (runs('references') && sizes.patterns.includes('text')) {
        for (const [size, { mbps, ratio }] of lz4OneCore(options.clientPath, sizes.recordSizes)) {
          push(`lz4.text.${size}.compressMBps`, mbps);
          push(`lz4.text.${size}.ratio`, ratio);
          log(`LZ4 on one core, text, ${size} B blocks: ${mbps.toFixed(0)} MB/s, ratio ${ratio.toFixed(2)}`);
        }
      }
      for (const pattern of runs('single') ? sizes.patterns : []) {
        for (const recordBytes of sizes.recordSizes) {
          for (const target of order) {
            await measure(target, `single.${pattern}.${recordBytes}`, {
              recordBytes, bytesPerStream: sizes.singleBytes, pattern, streams: 1, verify: rep === 0 && recordBytes === 256 * 1024,
            });
          }
        }
      }
      // Encryption beside the plain 256 KiB stream of this repetition: the drive's (a key set with SECURITY PROTOCOL
      // OUT) on vtl, and at rest on a vtl with a master key.
      if (runs('encryption') && !runs('single')) {
        for (const target of order) {
          await measure(target, 'single.random.262144', { recordBytes: 256 * 1024, bytesPerStream: sizes.singleBytes, pattern: 'random', streams: 1, verify: rep === 0 });
        }
      }
      // The drive-key stream on the build before the change too (--vtl-main), so that a change to encryption is
      // compared with it in the same run; the order swaps every repetition, as for the plain streams.
      for (const target of runs('encryption') ? order.filter((t) => t === vtl || t === vtlMain) : []) {
        await measure(target, 'encrypted.random.262144', { recordBytes: 256 * 1024, bytesPerStream: sizes.singleBytes, pattern: 'random', streams: 1, verify: rep === 0, encrypt: true });
      }
      if (atRest) {
        // The plain and drive-key streams above each come right after another stream of the same vtl process; the
        // at-rest process serves nothing else and sat idle since its last stream (minutes in a full run: its workers
        // gone, V8's code and heap cooled). Measured like that, its CPU per GB written fell from repetition to
        // repetition (BENCHMARKS.md "Issue 16: session 9" and "session 10"). So it gets the same: a stream of its
        // own, not reported, right before (besides the longer one before the first repetition).
        await warmUp(atRest);
        await measure(atRest, 'single.random.262144', { recordBytes: 256 * 1024, bytesPerStream: sizes.singleBytes, pattern: 'random', streams: 1, verify: rep === 0 });
      }
      for (const target of runs('small') ? order : []) {
        await measure(target, 'small.random.512', { recordBytes: 512, bytesPerStream: sizes.smallRecordBytes, pattern: 'random', streams: 1, verify: false });
      }
      for (const pattern of runs('four') ? sizes.patterns : []) {
        for (const target of order) {
          await measure(target, `four.${pattern}.262144`, {
            recordBytes: 256 * 1024, bytesPerStream: sizes.fourBytesPerStream, pattern, streams: 4, verify: false,
          });
        }
      }
    }
    rmSync(randomSource, { force: true });
    if (vtl && runs('mount')) {
      const mount = await runMount(options.clientPath, vtl, sizes.mountRepeats);
      for (const m of mount.mountMs) {
        push('vtl.mountMs', m.mount);
        push('vtl.unloadMs', m.unload);
      }
      log(`vtl mount: ${mount.mountMs.map((m) => m.mount.toFixed(1)).join(' ')} ms`);
      if (!options.skipLocate) {
        log(`vtl locate: writing ${sizes.locateBlocks} fixed 512-byte blocks`);
        const locate = await runLocate(options.clientPath, vtl, sizes.locateBlocks, 5);
        push('vtl.locate.fillBlocksPerSecond', locate.blocksPerSecond);
        push('vtl.locate.fillSeconds', locate.writeFlushSeconds);
        for (const l of locate.locate) push(`vtl.locate.locate${l.cdb}Ms`, l.ms);
        if (locate.unsupported.length > 0) notes.push(`vtl answered LOCATE(${locate.unsupported.join('), LOCATE(')}) as unsupported`);
        log(`vtl locate: fill ${locate.blocksPerSecond.toFixed(0)} blocks/s; ${locate.locate.map((l) => l.ms.toFixed(2)).join(' ')} ms`);
      }
    }
    for (const [name, peak] of peakRss) push(`${name}.peakRssMiB`, peak);
    if (targets.some((t) => t.name === 'tgt')) notes.push('tgt 1.0.85 implements neither LOCATE(10) nor LOCATE(16), so LOCATE is measured on vtl only');
    await cleanup();
    if (options.profile) {
      const profiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
      if (profiles[0]) hotSpots = summarizeCpuProfile(join(profileDir, profiles[0]));
    }
    machine.loadAverageAtEnd = loadavg().map((l) => l.toFixed(1)).join(' ');
    const report: BenchReport = {
      startedAt: started.toISOString(),
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      quick: options.quick,
      reps: options.reps,
      sizes,
      machine,
      negotiated,
      samples,
      notes,
      hotSpots,
    };
    const file = join(options.outDir, 'results.json');
    const summary = printReport(report);
    writeFileSync(file, `${JSON.stringify({ ...report, summary }, null, 2)}\n`);
    writeFileSync(join(options.outDir, 'results.md'), renderMarkdown(report, summary.markdown));
    log(`results written to ${file}`);
  } finally {
    await cleanup();
  }
}

/** The report as docs/BENCHMARKS.md shows it: when, where, with which iSCSI parameters, then the tables. */
function renderMarkdown(report: BenchReport, tables: string): string {
  const machine = Object.entries(report.machine).map(([key, value]) => `- ${key}: ${value}`);
  const negotiated = Object.entries(report.negotiated).map(
    ([target, keys]) => `- ${target}: ${Object.entries(keys).map(([k, v]) => `${k}=${v}`).join(', ')}`,
  );
  const hot = report.hotSpots.map((h) => `| ${h.functionName} | ${h.location} | ${h.selfPct.toFixed(1)}% |`);
  return [
    `Run of ${report.startedAt}, ${report.durationSeconds.toFixed(0)} s, ${report.reps} repetition(s)${report.quick ? ', --quick sizes' : ''}.`,
    '',
    ...machine,
    '',
    'Target answers at login (libiscsi offers MaxRecvDataSegmentLength=262144, FirstBurstLength=262144, MaxBurstLength=262144):',
    '',
    ...negotiated,
    '',
    tables,
    ...(hot.length > 0 ? ['vtl CPU profile, self time:', '', '| function | location | self |', '|---|---|---|', ...hot, ''] : []),
  ].join('\n');
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
