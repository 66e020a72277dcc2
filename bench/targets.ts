// Starting and stopping the two iSCSI targets the benchmark compares: vtl (from dist/) and Debian's tgt.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NODE_FLAGS } from '../src/node-flags.js';
import { freePort, portAccepts } from '../test/e2e/vtl-process.js';

const execFileAsync = promisify(execFile);

export interface Changer {
  lun: number;
  /** Storage element addresses, one per drive used. */
  slots: number[];
  /** Data transfer element addresses in the same order as driveLuns. */
  drives: number[];
}

export interface BenchTarget {
  /** `vtl-main`: another build of vtl measured in the same run (the build before a change). */
  name: 'vtl' | 'vtl-main' | 'vtl-at-rest' | 'tgt';
  portal: string;
  iqn: string;
  pid: number;
  driveLuns: number[];
  /** Present when cartridges must be moved into the drives (vtl); tgt's tape LUNs come loaded. */
  changer?: Changer;
  /** Where vtl keeps its cartridge folders, for the bytes it stored; tgt stores what it is sent. */
  cartridgesDir?: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForPort(port: number, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Target exited before listening on port ${port}; log ${logFile}:\n${tail(logFile)}`);
    }
    if (await portAccepts(port)) return;
    await sleep(100);
  }
  throw new Error(`Target did not listen on port ${port} within ${timeoutMs} ms; log ${logFile}:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

function spawnLogged(command: string, args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

export interface VtlOptions {
  name: 'vtl' | 'vtl-main' | 'vtl-at-rest';
  /** A master key (64 hex digits): vtl then encrypts every cartridge at rest (docs/SECURITY.md). */
  masterKeyHex?: string;
  /** The built entry point, normally dist/src/main.js. */
  main: string;
  workDir: string;
  /** Directory for `node --cpu-prof` output, or undefined for no profiling. */
  cpuProfileDir?: string;
}

export const VTL_IQN = 'iqn.2026-11.org.vtl:lib0';

/** The default library (LUN 0 changer, LUNs 1-4 drives, slots from 0x1000, drives from 0x0100). */
export async function startVtl(options: VtlOptions): Promise<BenchTarget> {
  const port = await freePort();
  const dataDir = join(options.workDir, `${options.name}-data`);
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(options.workDir, `${options.name}-bench.yaml`);
  const masterKeyFile = join(options.workDir, `${options.name}-master.key`);
  if (options.masterKeyHex !== undefined) writeFileSync(masterKeyFile, `${options.masterKeyHex}\n`, { mode: 0o600 });
  // Compression on, as real LTO drives ship; the management API off so no fixed port is taken.
  writeFileSync(
    configFile,
    [
      'server:',
      `  listen: 127.0.0.1:${port}`,
      `  dataDir: ${dataDir}`,
      '  logLevel: warn',
      'api:',
      '  enabled: false',
      'libraries:',
      '  - name: lib0',
      '    driveDefaults:',
      '      compression: true',
      ...(options.masterKeyHex === undefined ? [] : ['encryption:', `  masterKeyFile: ${masterKeyFile}`]),
      '',
    ].join('\n'),
  );
  const logFile = join(process.env.VTL_BENCH_LOG_DIR ?? options.workDir, `${options.name}.log`);
  // The V8 options of the `vtl` command, so the benchmark measures vtl as users run it.
  const nodeArgs = [...NODE_FLAGS, ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []), ...(process.env.VTL_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const main = options.main;
  if (!existsSync(main)) throw new Error(`Cannot start vtl: ${main} is missing (run npm run build)`);
  const child = spawnLogged(
    process.execPath,
    [...nodeArgs, main, 'serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--config', configFile],
    logFile,
  );
  try {
    await waitForPort(port, child, logFile, 30_000);
  } catch (error) {
    await stopChild(child, 2000);
    throw error;
  }
  return {
    name: options.name,
    portal: `127.0.0.1:${port}`,
    iqn: VTL_IQN,
    pid: child.pid ?? -1,
    driveLuns: [1, 2, 3, 4],
    changer: { lun: 0, slots: [0x1000, 0x1001, 0x1002, 0x1003], drives: [0x0100, 0x0101, 0x0102, 0x0103] },
    cartridgesDir: join(dataDir, 'cartridges'),
    // A graceful stop lets --cpu-prof write its profile.
    stop: () => stopChild(child, 10_000),
  };
}

export const TGT_IQN = 'iqn.2026-11.org.vtl.bench:tgt';
const TGT_SOCKET_DIR = '/var/run/tgtd';

async function tgtadm(controlPort: number, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('tgtadm', ['-C', String(controlPort), ...args]);
  return stdout;
}

/**
 * Debian's tgt with four SSC tape LUNs (bstype ssc, images made by tgtimg) on one target bound to loopback.
 * Its iSCSI limits are raised to what the client offers, so both targets negotiate the same values.
 */
export async function startTgt(workDir: string, tapeCount: number): Promise<BenchTarget> {
  const port = await freePort();
  // The management socket lives in a fixed directory; pick a control port nobody else on the machine uses.
  let controlPort = 0;
  for (let attempt = 0; attempt < 100 && controlPort === 0; attempt++) {
    const candidate = 2000 + Math.floor(Math.random() * 28000); // tgtd refuses control ports above 32767
    if (!existsSync(join(TGT_SOCKET_DIR, `socket.${candidate}`))) controlPort = candidate;
  }
  const logFile = join(workDir, 'tgtd.log');
  // tgtd logs every tape READ/WRITE at its default level; the log goes to a file, as it would to syslog.
  const child = spawnLogged('tgtd', ['-f', '-C', String(controlPort), '--iscsi', `portal=127.0.0.1:${port}`], logFile);
  const cleanupSocket = () => {
    for (const suffix of ['', '.lock']) rmSync(join(TGT_SOCKET_DIR, `socket.${controlPort}${suffix}`), { force: true });
  };
  const stop = async () => {
    try {
      await tgtadm(controlPort, ['--lld', 'iscsi', '--op', 'delete', '--mode', 'target', '--tid', '1', '--force']);
      await tgtadm(controlPort, ['--op', 'delete', '--mode', 'system']);
    } catch {
      // Already gone or never configured; the signal below ends it either way.
    }
    await stopChild(child, 5000);
    cleanupSocket();
  };
  try {
    await waitForPort(port, child, logFile, 10_000);
    await tgtadm(controlPort, ['--lld', 'iscsi', '--op', 'new', '--mode', 'target', '--tid', '1', '-T', TGT_IQN]);
    for (let lun = 1; lun <= tapeCount; lun++) {
      const image = join(workDir, `tgt-tape${lun}.img`);
      await execFileAsync('tgtimg', [
        '--op', 'new', '--device-type', 'tape', `--barcode=TGT00${lun}L8`, '--size=400000', '--type=data',
        `--file=${image}`, '--thin-provisioning',
      ]);
      await tgtadm(controlPort, [
        '--lld', 'iscsi', '--op', 'new', '--mode', 'logicalunit', '--tid', '1', '--lun', String(lun), '-b', image,
        '--device-type', 'tape', '--bstype', 'ssc',
      ]);
    }
    const params: Record<string, string> = {
      MaxRecvDataSegmentLength: '1048576',
      MaxXmitDataSegmentLength: '1048576',
      FirstBurstLength: '1048576',
      MaxBurstLength: '16776192',
      InitialR2T: 'No',
      ImmediateData: 'Yes',
    };
    for (const [name, value] of Object.entries(params)) {
      await tgtadm(controlPort, ['--lld', 'iscsi', '--op', 'update', '--mode', 'target', '--tid', '1', '-n', name, '-v', value]);
    }
    await tgtadm(controlPort, ['--lld', 'iscsi', '--op', 'bind', '--mode', 'target', '--tid', '1', '-I', '127.0.0.1']);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name: 'tgt',
    portal: `127.0.0.1:${port}`,
    iqn: TGT_IQN,
    pid: child.pid ?? -1,
    driveLuns: Array.from({ length: tapeCount }, (_, i) => i + 1),
    stop,
  };
}
