// Boots the cached Debian guest under QEMU with each iSCSI LUN passed through (QEMU's libiscsi initiator, one
// session per LUN) and collects the guest's check lines. The console (ttyS0) goes to a log file for humans; the
// results port (ttyS1) carries only protocol lines: `VTLCHECK ok|fail|skip <name> <detail>` and a final `VTLDONE`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, accessSync, constants } from 'node:fs';
import { basename, join } from 'node:path';
import { encodeCpio } from './newc-cpio.js';

export type CheckStatus = 'ok' | 'fail' | 'skip';

export interface GuestCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface GuestChap {
  readonly username: string;
  readonly secret: string;
}

export interface RunGuestOptions {
  /** Directory holding vmlinuz and initrd.img (scripts/guest/build-guest.sh prints it). */
  readonly guestDir: string;
  /** The script the guest runs as /vtl/run.sh. */
  readonly scriptPath: string;
  /** More files the script sources, each copied to /vtl/<basename>. */
  readonly extraFiles?: readonly string[];
  /** Written to /vtl/env in the guest as shell assignments (values are single-quoted). */
  readonly env: Readonly<Record<string, string>>;
  /** 127.0.0.1:PORT */
  readonly portal: string;
  readonly iqn: string;
  /** Target LUNs to attach; each becomes SCSI id = LUN on the guest's virtio-scsi bus. */
  readonly luns: readonly number[];
  /**
   * LUNs attached a second time through an initiator of another name, as SCSI id 8 + LUN: a second I_T nexus to
   * the same logical unit (persistent reservation checks). The guest's discovery keeps ids 8 and up apart.
   */
  readonly secondInitiator?: { readonly name: string; readonly luns: readonly number[] };
  /**
   * LUNs of other targets (a second vtl library, the physical library tgt), each at its own SCSI id of 16 and up, so
   * the checks' discovery (`lsscsi_primary`) keeps them apart and a check finds them by id (`use_devices`). `chap`:
   * log in with the guest's CHAP credentials (vtl's libraries); without it, none (tgt's library target).
   */
  readonly otherLuns?: readonly OtherLun[];
  readonly chap?: GuestChap;
  /** Where the console log, results and the per-run initrd go. */
  readonly outDir: string;
  /** File-name prefix for this boot's artifacts. */
  readonly name: string;
  readonly timeoutMs: number;
  readonly accel?: 'tcg' | 'kvm';
}

export interface OtherLun {
  /** HOST:PORT */
  readonly portal: string;
  readonly iqn: string;
  readonly lun: number;
  readonly scsiId: number;
  readonly chap?: boolean;
}

export interface GuestRun {
  readonly checks: readonly GuestCheck[];
  /** The guest reached VTLDONE (the script ran to its end). */
  readonly completed: boolean;
  readonly timedOut: boolean;
  readonly exitCode: number | null;
  readonly consolePath: string;
  readonly console: string;
  readonly qemuStderr: string;
}

/** Parses the results port: one check per `VTLCHECK` line; anything else is ignored. */
export function parseChecks(text: string): { checks: GuestCheck[]; completed: boolean } {
  const checks: GuestCheck[] = [];
  let completed = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === 'VTLDONE') completed = true;
    const m = /^VTLCHECK (ok|fail|skip) (\S+) ?(.*)$/.exec(line);
    if (m) checks.push({ status: m[1] as CheckStatus, name: m[2] ?? '', detail: m[3] ?? '' });
  }
  return { checks, completed };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The cached image followed by a small uncompressed archive with this run's script and environment. */
function writeRunInitrd(opts: RunGuestOptions, path: string): void {
  const base = readFileSync(join(opts.guestDir, 'initrd.img'));
  // The kernel looks for the next archive's magic at 4-byte offsets and skips zero padding.
  const padding = Buffer.alloc((512 - (base.length % 512)) % 512);
  const envText = Object.entries(opts.env)
    .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
    .join('');
  const extra = encodeCpio([
    { path: 'vtl/run.sh', data: readFileSync(opts.scriptPath), mode: 0o755 },
    { path: 'vtl/env', data: Buffer.from(envText), mode: 0o644 },
    ...(opts.extraFiles ?? []).map((file) => ({ path: `vtl/${basename(file)}`, data: readFileSync(file), mode: 0o755 })),
  ]);
  writeFileSync(path, Buffer.concat([base, padding, extra]));
}

/** KVM only when the device is usable; callers decide whether to trust it (see e2e.test.ts). */
export function kvmAccessible(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function qemuArgs(opts: RunGuestOptions, initrdPath: string, consolePath: string, resultsPath: string): string[] {
  const accel = opts.accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
  const args = [
    ...accel,
    '-m', '1024', '-smp', '2',
    '-nographic', '-nodefaults', '-nic', 'none', '-no-reboot',
    '-kernel', join(opts.guestDir, 'vmlinuz'),
    '-initrd', initrdPath,
    '-append', 'console=ttyS0 panic=-1 loglevel=5 rdinit=/init',
    '-chardev', `file,id=console,path=${consolePath}`, '-serial', 'chardev:console',
    '-chardev', `file,id=results,path=${resultsPath}`, '-serial', 'chardev:results',
    '-device', 'virtio-scsi-pci,id=scsi0',
  ];
  const initiatorName = 'iqn.2026-11.org.vtl:e2e-guest';
  const iscsi = [`initiator-name=${initiatorName}`];
  if (opts.chap) {
    args.push('-object', `secret,id=chapsecret,data=${opts.chap.secret}`);
    iscsi.push(`user=${opts.chap.username}`, 'password-secret=chapsecret');
  }
  args.push('-iscsi', iscsi.join(','));
  for (const lun of opts.luns) {
    args.push(
      '-drive', `if=none,id=lun${lun},file=iscsi://${opts.portal}/${opts.iqn}/${lun},format=raw,cache=none`,
      '-device', `scsi-generic,drive=lun${lun},bus=scsi0.0,channel=0,scsi-id=${lun},lun=0`,
    );
  }
  const second = opts.secondInitiator;
  for (const lun of second?.luns ?? []) {
    // The iscsi driver's own options: its initiator-name overrides the -iscsi one, so this is another I_T nexus.
    const chap = opts.chap ? `,user=${opts.chap.username},password-secret=chapsecret` : '';
    args.push(
      '-drive', `if=none,id=alt${lun},driver=iscsi,transport=tcp,portal=${opts.portal},target=${opts.iqn},lun=${lun},initiator-name=${second?.name ?? ''}${chap},cache=none`,
      '-device', `scsi-generic,drive=alt${lun},bus=scsi0.0,channel=0,scsi-id=${8 + lun},lun=0`,
    );
  }
  for (const other of opts.otherLuns ?? []) {
    // The driver's own options (as for the second initiator): -iscsi applies only to iscsi:// URLs.
    const chap = other.chap && opts.chap ? `,user=${opts.chap.username},password-secret=chapsecret` : '';
    args.push(
      '-drive', `if=none,id=other${other.scsiId},driver=iscsi,transport=tcp,portal=${other.portal},target=${other.iqn},lun=${other.lun},initiator-name=${initiatorName}${chap},cache=none`,
      '-device', `scsi-generic,drive=other${other.scsiId},bus=scsi0.0,channel=0,scsi-id=${other.scsiId},lun=0`,
    );
  }
  return args;
}

/** Boots the guest once; resolves when QEMU exits or the timeout kills it. Never rejects on guest failures. */
export async function runGuest(opts: RunGuestOptions): Promise<GuestRun> {
  mkdirSync(opts.outDir, { recursive: true });
  const initrdPath = join(opts.outDir, `${opts.name}.initrd`);
  const consolePath = join(opts.outDir, `${opts.name}.console.log`);
  const resultsPath = join(opts.outDir, `${opts.name}.results.log`);
  writeFileSync(consolePath, '');
  writeFileSync(resultsPath, '');
  writeRunInitrd(opts, initrdPath);
  const child = spawn('qemu-system-x86_64', qemuArgs(opts, initrdPath, consolePath, resultsPath), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let qemuStderr = '';
  child.stdout.on('data', (b: Buffer) => (qemuStderr += b.toString()));
  child.stderr.on('data', (b: Buffer) => (qemuStderr += b.toString()));
  // A test runner that exits early must not leave a QEMU behind.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (err) => {
      qemuStderr += `cannot start qemu-system-x86_64: ${err.message}\n`;
      resolve(null);
    });
  });
  clearTimeout(timer);
  process.removeListener('exit', killOnExit);
  const { checks, completed } = parseChecks(readFileSync(resultsPath, 'utf8'));
  const consoleText = existsSync(consolePath) ? readFileSync(consolePath, 'utf8') : '';
  return { checks, completed, timedOut, exitCode, consolePath, console: consoleText, qemuStderr };
}
