// Runs the native tape-bench client and parses the JSON object it prints.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { BenchTarget } from './targets.js';

const execFileAsync = promisify(execFile);

export interface StreamResult {
  mode: 'stream';
  pattern: 'random' | 'text';
  streams: number;
  recordBytes: number;
  bytes: number;
  bytesRead: number;
  writeSeconds: number;
  writeFlushSeconds: number;
  readSeconds: number;
  writeMBps: number;
  writeFlushMBps: number;
  readMBps: number;
  mountMs: number[];
  /** Target CPU seconds during the write+flush and the read phase (-1 without a pid). */
  targetCpuWriteSeconds: number;
  targetCpuReadSeconds: number;
  /** The target's main thread alone (vtl's event loop) during the read phase (-1 without a pid). */
  targetMainCpuReadSeconds: number;
  targetLoginReply: Record<string, string>;
}

export interface MountResult {
  mode: 'mount';
  mountMs: { mount: number; unload: number }[];
}

export interface LocateResult {
  mode: 'locate';
  blocks: number;
  blockBytes: number;
  writeFlushSeconds: number;
  blocksPerSecond: number;
  locate: { cdb: 10 | 16; block: number; ms: number }[];
  unsupported: number[];
}

async function runClient<T>(clientPath: string, args: string[], timeoutMs: number): Promise<T> {
  try {
    const { stdout } = await execFileAsync(clientPath, args, { timeout: timeoutMs, maxBuffer: 16 << 20 });
    return JSON.parse(stdout) as T;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`tape-bench ${args.join(' ')} failed: ${detail}`);
  }
}

function targetArgs(target: BenchTarget, streams: number): string[] {
  const args = ['--portal', target.portal, '--target', target.iqn, '--luns', target.driveLuns.slice(0, streams).join(',')];
  if (target.changer) {
    args.push('--changer-lun', String(target.changer.lun));
    args.push('--slots', target.changer.slots.slice(0, streams).join(','));
    args.push('--drives', target.changer.drives.slice(0, streams).join(','));
  }
  return args;
}

export interface StreamOptions {
  recordBytes: number;
  bytesPerStream: number;
  pattern: 'random' | 'text';
  streams: number;
  verify: boolean;
  /** Set a drive encryption key on each drive's session before writing (SSC-4 encryption mode ENCRYPT). */
  encrypt?: boolean;
}

export function runStream(clientPath: string, target: BenchTarget, options: StreamOptions): Promise<StreamResult> {
  const args = [
    'stream', ...targetArgs(target, options.streams),
    '--record', String(options.recordBytes),
    '--bytes', String(options.bytesPerStream),
    '--pattern', options.pattern,
    ...(options.verify ? ['--verify'] : []),
    ...(options.encrypt ? ['--encrypt'] : []),
    '--target-pid', String(target.pid),
  ];
  return runClient<StreamResult>(clientPath, args, 600_000);
}

export function runMount(clientPath: string, target: BenchTarget, repeat: number): Promise<MountResult> {
  return runClient<MountResult>(clientPath, ['mount', ...targetArgs(target, 1), '--repeat', String(repeat)], 120_000);
}

export function runLocate(clientPath: string, target: BenchTarget, blocks: number, repeat: number): Promise<LocateResult> {
  const args = ['locate', ...targetArgs(target, 1), '--blocks', String(blocks), '--repeat', String(repeat)];
  return runClient<LocateResult>(clientPath, args, 900_000);
}
