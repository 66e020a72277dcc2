// npm run abuse: starts `vtl serve` with the default library (plus a discovery CHAP secret, so wrong CHAP attempts
// can be replayed) on a temporary data directory, replays the findings of issue 22 against it over loopback
// (bench/abuse-cases.ts), and prints the server's peak RSS per case and overall next to the budget. Exit code 0 only
// when every peak is within the budget and no case reported a failure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VtlServer, vtlPorts } from '../test/e2e/vtl-process.js';
import { filemarkRuns, logoutWithNop, nopFlood, readElementStatusFlood, unreadEventFollowers, wrongChap } from './abuse-cases.js';
import type { CaseResult, Server } from './abuse-cases.js';

/** The stated budget (README "Resource bounds"): any number of hostile sessions, default library. */
const BUDGET_MIB = 512;
const SAMPLE_MS = 20;
const DISCOVERY_CHAP = { username: 'discovery', secret: 'abuse-discovery-secret' };

function statusMiB(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) / 1024 : NaN;
}

/** Samples VmRSS every SAMPLE_MS while `run` goes on; VmHWM is reset first where the kernel allows it. */
async function measured<T>(pid: number, run: () => Promise<T>): Promise<{ result: T; peakMiB: number; before: number }> {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted here: the sampled maximum is the peak.
  }
  const before = statusMiB(pid, 'VmRSS');
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, statusMiB(pid, 'VmRSS'))), SAMPLE_MS);
  try {
    const result = await run();
    return { result, peakMiB: Math.max(peak, statusMiB(pid, 'VmRSS')), before };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'vtl-abuse-'));
  const configPath = join(dir, 'vtl.yaml');
  writeFileSync(configPath, [
    'iscsi:', '  discoveryChap:', `    username: ${DISCOVERY_CHAP.username}`, `    secret: ${DISCOVERY_CHAP.secret}`,
    'libraries:', '  - name: lib0', '',
  ].join('\n'));
  const logPath = join(dir, 'vtl.log');
  const { iscsiPort, apiPort } = await vtlPorts();
  const vtl = new VtlServer({ dataDir: join(dir, 'data'), configPath, iscsiPort, apiPort, logPath });
  await vtl.start();
  let failed = false;
  try {
    const status = (await vtl.api('GET', '/status')) as { pid: number };
    const pid = status.pid;
    let logOffset = 0;
    const server: Server = {
      iscsiPort, apiPort, target: 'iqn.2026-11.org.vtl:lib0', discoveryChap: DISCOVERY_CHAP,
      token: readFileSync(join(dir, 'data', 'api-token'), 'utf8').trim(),
      api: (method, path, body) => vtl.api(method, path, body),
      logSince: () => readFileSync(logPath, 'utf8').slice(logOffset).split('\n'),
    };
    const cases: [string, (s: Server) => Promise<CaseResult>][] = [
      ['20,000 immediate NOP-Outs of 64 KiB, never read', nopFlood],
      ['100,000 immediate READ ELEMENT STATUS, never read', readElementStatusFlood],
      ['Logout + NOP-Out of 1 MiB in one send, 20 times', logoutWithNop],
      ['300 wrong CHAP attempts (discovery)', wrongChap],
      ['50 unread /events?follow=1 during 25,000 moves (at most 90 s)', unreadEventFollowers],
      ['WRITE FILEMARKS ffffff three times, with unloads', filemarkRuns],
    ];
    console.log(`vtl pid ${pid}, RSS at start ${statusMiB(pid, 'VmRSS').toFixed(0)} MiB, budget ${BUDGET_MIB} MiB`);
    let overall = 0;
    // `npm run abuse -- filemark` runs only the cases whose name contains one of the words given.
    const only = process.argv.slice(2).map((w) => w.toLowerCase());
    for (const [name, run] of cases.filter(([n]) => only.length === 0 || only.some((w) => n.toLowerCase().includes(w)))) {
      logOffset = readFileSync(logPath, 'utf8').length;
      let m: { result: CaseResult; peakMiB: number; before: number };
      try {
        m = await measured(pid, () => run(server));
      } catch (err) {
        failed = true;
        console.log(`${name}: FAILED: ${(err as Error).message}`);
        continue;
      }
      // What the process keeps once the case's connections are gone.
      await new Promise((r) => setTimeout(r, 2000));
      const after = statusMiB(pid, 'VmRSS');
      overall = Math.max(overall, m.peakMiB);
      const within = m.peakMiB <= BUDGET_MIB && m.result.ok !== false;
      if (!within) failed = true;
      console.log(`${within ? 'ok  ' : 'OVER'} ${name}: RSS ${m.before.toFixed(0)} -> peak ${m.peakMiB.toFixed(0)} MiB ` +
        `(budget ${BUDGET_MIB}), ${after.toFixed(0)} MiB 2 s after; ${JSON.stringify(m.result)}`);
    }
    const hwm = statusMiB(pid, 'VmHWM');
    console.log(`overall: peak RSS ${overall.toFixed(0)} MiB sampled (VmHWM ${hwm.toFixed(0)} MiB since the last reset), budget ${BUDGET_MIB} MiB: ` +
      `${overall <= BUDGET_MIB && !failed ? 'within' : 'NOT within'}`);
  } finally {
    await vtl.stop();
    if (!failed) rmSync(dir, { recursive: true, force: true });
    else console.log(`data and log kept in ${dir}`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
