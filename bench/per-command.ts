// Per-command cost of the data path: one vtl process (any build), one drive, N WRITE(6) then N READ(6) of each
// record size, measured from outside the target.
//
// `--mode callgrind` runs the target under `valgrind --tool=callgrind` and dumps its counters (`callgrind_control
// -d`) around each phase, so each phase's instructions (all of the target's threads) divided by its command count
// is the instructions per command: a number that does not move with the load of a shared machine, unlike a clock.
// `--mode cpu-prof` runs it under `node --cpu-prof` instead and lists where the event loop spends its time.
// Only the main thread's count is the measure: under callgrind the other threads' work (V8's optimising compiler,
// concurrent marking started by V8's memory reducer, which is driven by wall-clock time) follows the slowdown, not
// the code.
// The client is our TypeScript initiator in this process (not measured), with libiscsi's burst limits.
//
//   node dist/bench/per-command.js --main /tmp/old/dist/src/main.js --mode callgrind --out /tmp/pc-old
// `--at-rest` measures a target that encrypts every cartridge at rest (a master key in its config).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes as randomFill } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { NODE_FLAGS } from '../src/node-flags.js';
import { IscsiInitiator } from '../test/initiator/iscsi-initiator.js';
import { freePort, portAccepts, repoRoot } from '../test/e2e/vtl-process.js';
import { summarizeCpuProfile } from './cpu-profile-summary.js';

interface Counts {
  main: number;
  others: number;
}

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Options {
  main: string;
  mode: 'callgrind' | 'cpu-prof' | 'plain';
  out: string;
  /** Record size -> measured commands per direction. */
  sizes: [number, number][];
  warmup: number;
  /** Measured chunks per phase, each `commands` long. */
  chunks: number;
  /** More node options for the target (`--trace-gc`). */
  nodeArgs: string[];
  /** `--at-rest`: the target encrypts every cartridge at rest (a master key in its config), as bench.ts's vtl-at-rest. */
  atRest: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    main: join(repoRoot(), 'dist/src/main.js'),
    mode: 'callgrind',
    out: join(tmpdir(), 'vtl-per-command'),
    sizes: [[512, 400], [65536, 200], [262144, 100]],
    warmup: 3000,
    chunks: 5,
    nodeArgs: [],
    atRest: false,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1] ?? '';
    if (argv[i] === '--at-rest') {
      o.atRest = true;
      i--;
      continue;
    }
    switch (argv[i]) {
      case '--main': o.main = resolve(value); break;
      case '--mode': o.mode = value as Options['mode']; break;
      case '--out': o.out = resolve(value); break;
      case '--warmup': o.warmup = Number(value); break;
      case '--chunks': o.chunks = Number(value); break;
      case '--node-args': o.nodeArgs = value.split(' ').filter((a) => a !== ''); break;
      // e.g. 512:2000,65536:400
      case '--sizes': o.sizes = value.split(',').map((s) => s.split(':').map(Number) as [number, number]); break;
      default: throw new Error(`Unknown option ${argv[i]} (--main, --mode, --out, --warmup, --chunks, --sizes, --node-args, --at-rest)`);
    }
  }
  if (!['callgrind', 'cpu-prof', 'plain'].includes(o.mode)) throw new Error(`--mode is callgrind, cpu-prof or plain, not ${o.mode}`);
  return o;
}

/** Incompressible data (xorshift32), as the benchmark's `random` pattern: the sampler soon stops trying LZ4. */
function randomBytes(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  let x = seed | 1;
  for (let i = 0; i + 4 <= length; i += 4) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    b.writeInt32LE(x | 0, i);
  }
  return b;
}

class Target {
  private constructor(readonly child: ChildProcess, readonly port: number) {}

  static async start(o: Options, workDir: string): Promise<Target> {
    if (!existsSync(o.main)) throw new Error(`Cannot start vtl: ${o.main} is missing`);
    const port = await freePort();
    const dataDir = join(workDir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const config = join(workDir, 'vtl.yaml');
    const masterKeyFile = join(workDir, 'master.key');
    if (o.atRest) writeFileSync(masterKeyFile, `${randomFill(32).toString('hex')}\n`, { mode: 0o600 });
    writeFileSync(config, ['server:', `  listen: 127.0.0.1:${port}`, `  dataDir: ${dataDir}`, '  logLevel: warn', 'api:',
      '  enabled: false', 'libraries:', '  - name: lib0', '    driveDefaults:', '      compression: true',
      ...(o.atRest ? ['encryption:', `  masterKeyFile: ${masterKeyFile}`] : []), ''].join('\n'));
    const node = [...NODE_FLAGS, ...o.nodeArgs, ...(o.mode === 'cpu-prof' ? ['--cpu-prof', `--cpu-prof-dir=${o.out}`] : []),
      o.main, 'serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--config', config];
    const [command, args] = o.mode === 'callgrind'
      ? ['valgrind', ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${join(o.out, 'callgrind.out')}`, process.execPath, ...node]]
      : [process.execPath, node];
    const log = join(o.out, 'target.log');
    const child = spawn(command, args, { stdio: ['ignore', o.nodeArgs.length > 0 ? 'inherit' : 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20000); });
    child.once('exit', () => writeFileSync(log, stderr));
    const deadline = Date.now() + 600_000;
    while (!(await portAccepts(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`vtl did not listen:\n${stderr}`);
      await sleep(500);
    }
    return new Target(child, port);
  }

  /**
   * The instructions since the previous dump (callgrind zeroes its counters at each dump): the main thread's (the
   * event loop, where the data path runs) and all other threads' (V8's compiler and GC helpers, libuv's pool, the
   * payload workers), from the one file per thread that --separate-threads writes.
   */
  async dump(o: Options, label: string): Promise<Counts> {
    if (o.mode !== 'callgrind') return { main: 0, others: 0 };
    const before = new Set(readdirSync(o.out));
    await execFileAsync('callgrind_control', ['-d', label, String(this.child.pid)]);
    for (let i = 0; i < 600; i++) {
      const files = readdirSync(o.out).filter((f) => f.startsWith('callgrind.out') && !before.has(f));
      if (files.length > 0) {
        // The thread files of one dump come together; wait until the last is complete.
        await sleep(500);
        const counts: Counts = { main: 0, others: 0 };
        for (const file of readdirSync(o.out).filter((f) => f.startsWith('callgrind.out') && !before.has(f))) {
          const totals = /^(?:totals|summary): (\d+)/m.exec(readFileSync(join(o.out, file), 'utf8'));
          const thread = /-(\d+)$/.exec(file);
          const n = Number(totals?.[1] ?? 0);
          if (thread && Number(thread[1]) === 1) counts.main += n;
          else counts.others += n;
        }
        return counts;
      }
      await sleep(100);
    }
    throw new Error(`callgrind wrote no dump for ${label}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

async function must(s: IscsiInitiator, lun: number, cdb: number[], what: string, dataOut?: Buffer, dataIn = 0): Promise<Buffer> {
  const r = await s.command(lun, Buffer.from(cdb), { dataOut, expectedDataInLength: dataIn });
  if (r.status !== 0) throw new Error(`${what} on LUN ${lun}: status ${r.status} sense ${r.sense?.toString('hex')}`);
  return r.dataIn;
}

/** Per command over `chunks` measured chunks: the median chunk (JIT compilation lands in a few of them), min and max. */
interface PhaseResult {
  mainPerCommand: { median: number; min: number; max: number };
  othersPerCommand: { median: number; min: number; max: number };
  /** read(v)/write(v) family system calls of the whole process per command (/proc/PID/io), in every mode. */
  readCallsPerCommand: number;
  writeCallsPerCommand: number;
}

/** The process's cumulative read and write system calls, all threads (/proc/PID/io syscr, syscw). */
function ioCalls(pid: number | undefined): { reads: number; writes: number } {
  const text = readFileSync(`/proc/${pid}/io`, 'utf8');
  return { reads: Number(/syscr: (\d+)/.exec(text)?.[1] ?? 0), writes: Number(/syscw: (\d+)/.exec(text)?.[1] ?? 0) };
}

function perCommand(values: number[], commands: number): { median: number; min: number; max: number } {
  const sorted = values.map((v) => Math.round(v / commands)).sort((x, y) => x - y);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

async function measure(o: Options, target: Target, label: string, commands: number, run: (n: number) => Promise<void>): Promise<PhaseResult> {
  await run(o.warmup);
  await target.dump(o, `warm-${label}`);
  const main: number[] = [];
  const others: number[] = [];
  const io = ioCalls(target.child.pid);
  for (let c = 0; c < o.chunks; c++) {
    await run(commands);
    const counts = await target.dump(o, `${label}-${c}`);
    main.push(counts.main);
    others.push(counts.others);
  }
  const ioAfter = ioCalls(target.child.pid);
  const total = commands * o.chunks;
  return {
    mainPerCommand: perCommand(main, commands),
    othersPerCommand: perCommand(others, commands),
    readCallsPerCommand: Number(((ioAfter.reads - io.reads) / total).toFixed(2)),
    writeCallsPerCommand: Number(((ioAfter.writes - io.writes) / total).toFixed(2)),
  };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  rmSync(o.out, { recursive: true, force: true });
  mkdirSync(o.out, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'vtl-per-command-'));
  const target = await Target.start(o, workDir);
  const rows: { size: number; commands: number; write: PhaseResult; read: PhaseResult }[] = [];
  try {
    const s = await IscsiInitiator.connect({
      host: '127.0.0.1', port: target.port, targetName: 'iqn.2026-11.org.vtl:lib0', initiatorName: 'iqn.2026-11.org.vtl:per-command',
      immediateData: true, initialR2T: false, maxRecvDataSegmentLength: 262144, firstBurstLength: 262144, maxBurstLength: 262144,
    });
    await s.command(0, Buffer.from([0, 0, 0, 0, 0, 0])); // the power-on unit attention
    await must(s, 0, [0xa5, 0, 0, 0, 0x10, 0x00, 0x01, 0x00, 0, 0, 0, 0], 'MOVE MEDIUM');
    for (let i = 0; ; i++) {
      const r = await s.command(1, Buffer.from([0, 0, 0, 0, 0, 0]));
      if (r.status === 0) break;
      if (i > 100) throw new Error('the drive never became ready');
    }
    await must(s, 1, [0x15, 0x10, 0, 0, 12, 0], 'MODE SELECT(6)', Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0, 0]));
    for (const [size, commands] of o.sizes) {
      const records = Array.from({ length: 8 }, (_, i) => randomBytes(size, size + i));
      const cdb = (op: number) => [op, 0, (size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff, 0];
      let written = 0;
      await must(s, 1, [0x01, 0, 0, 0, 0, 0], 'REWIND');
      const write = await measure(o, target, `write-${size}`, commands, async (n) => {
        for (let i = 0; i < n; i++) await must(s, 1, cdb(0x0a), 'WRITE(6)', records[written++ % 8]);
      });
      await must(s, 1, [0x10, 0, 0, 0, 1, 0], 'WRITE FILEMARKS(6)');
      await must(s, 1, [0x01, 0, 0, 0, 0, 0], 'REWIND');
      const read = await measure(o, target, `read-${size}`, commands, async (n) => {
        for (let i = 0; i < n; i++) await must(s, 1, cdb(0x08), 'READ(6)', undefined, size);
      });
      rows.push({ size, commands, write, read });
      console.log(`${size} B: system calls per WRITE(6) ${write.readCallsPerCommand} reads, ${write.writeCallsPerCommand} writes; per READ(6) ${read.readCallsPerCommand} reads, ${read.writeCallsPerCommand} writes`);
      if (o.mode === 'callgrind') {
        console.log(`${size} B: WRITE(6) main ${JSON.stringify(write.mainPerCommand)} others ${JSON.stringify(write.othersPerCommand)}`);
        console.log(`${size} B: READ(6)  main ${JSON.stringify(read.mainPerCommand)} others ${JSON.stringify(read.othersPerCommand)}`);
      }
    }
    await must(s, 1, [0x1b, 0, 0, 0, 0, 0], 'LOAD UNLOAD');
    await s.logout();
  } finally {
    await target.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  writeFileSync(join(o.out, 'per-command.json'), JSON.stringify({ main: o.main, mode: o.mode, warmup: o.warmup, chunks: o.chunks, rows }, null, 2));
  if (o.mode === 'callgrind') {
    console.log('record bytes | instructions per WRITE(6), main thread | per READ(6), main thread | other threads W / R');
    for (const r of rows) {
      console.log(`${r.size} | ${r.write.mainPerCommand.median} | ${r.read.mainPerCommand.median} | ${r.write.othersPerCommand.median} / ${r.read.othersPerCommand.median}`);
    }
  }
  if (o.mode === 'cpu-prof') {
    const profile = readdirSync(o.out).find((f) => f.endsWith('.cpuprofile'));
    if (profile) for (const h of summarizeCpuProfile(join(o.out, profile), 30)) console.log(`${h.selfPct.toFixed(1)}% ${h.functionName} ${h.location}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
