// Target-side resource use read from /proc: CPU seconds (utime + stime of every thread) and peak RSS.
import { readFileSync, writeFileSync } from 'node:fs';

/** USER_HZ: Linux reports utime/stime in clock ticks of 1/100 s on every architecture we run on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds used so far by a process and all its threads (fields 14 and 15 of /proc/PID/stat), or by its thread
 * `tid` alone (the main thread of a node process, whose id is the pid, runs the event loop).
 */
export function readCpuSeconds(pid: number, tid?: number): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields we need come after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds of this process's children that have ended and been waited for (fields 16 and 17 of /proc/self/stat). */
export function readChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
}

function readStatusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`Cannot read ${key} of process ${pid}: not in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Peak resident set size in MiB since start or since the last resetPeakRss(). */
export function readPeakRssMiB(pid: number): number {
  return readStatusKb(pid, 'VmHWM') / 1024;
}

export function readRssMiB(pid: number): number {
  return readStatusKb(pid, 'VmRSS') / 1024;
}

/** Resets VmHWM to the current RSS (clear_refs value 5), so each phase gets its own peak. */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted everywhere (containers); the peak then covers the whole run, which the report says.
  }
}
