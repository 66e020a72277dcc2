// The findings of issue 22 replayed against a running `vtl serve` over loopback, each bounded in count and time.
// Each case only drives the load; bench/abuse.ts measures the server's memory around it.
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { IscsiInitiator } from '../test/initiator/iscsi-initiator.js';
import { LoginError } from '../test/initiator/login.js';
import { frame, header, lunField, Op } from '../test/initiator/pdu-builder.js';

export interface Server {
  readonly iscsiPort: number;
  readonly apiPort: number;
  readonly target: string;
  readonly token: string;
  readonly discoveryChap: { readonly username: string; readonly secret: string };
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Lines of the server's log written since the case began. */
  logSince(): string[];
}

/** What a case reports besides memory: counts, and whether the server behaved (no internal error...). */
export type CaseResult = Record<string, string | number | boolean>;

const INITIATOR = 'iqn.2026-12.org.vtl:abuse';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function login(server: Server, isid: number): Promise<IscsiInitiator> {
  return IscsiInitiator.connect({
    host: '127.0.0.1', port: server.iscsiPort, targetName: server.target, initiatorName: INITIATOR,
    isid: Buffer.from([0x80, 0, 0, 0, 0x0a, isid]),
  });
}

/**
 * Writes `count` PDUs from `make` without reading the socket, honouring the socket's own backpressure (the client
 * must not be the one that grows); stops when the server has not taken anything for `stallMs`. Returns how many
 * PDUs the kernel accepted.
 */
async function floodUnread(socket: Socket, count: number, make: (i: number) => Buffer, stallMs: number): Promise<number> {
  socket.pause();
  for (let i = 0; i < count; i++) {
    if (socket.write(make(i))) continue;
    const drained = await Promise.race([new Promise<boolean>((r) => socket.once('drain', () => r(true))), sleep(stallMs).then(() => false)]);
    if (!drained) return i + 1;
  }
  return count;
}

export async function nopFlood(server: Server): Promise<CaseResult> {
  const s = await login(server, 1);
  const data = Buffer.alloc(64 * 1024, 0x5a);
  const sent = await floodUnread(s.socket as Socket, 20_000, (i) => {
    const bhs = header(Op.NOP_OUT, true, 0x80);
    bhs.writeUInt32BE(0x10000 + i, 16);
    bhs.writeUInt32BE(0xffffffff, 20);
    bhs.writeUInt32BE(s.cmdSN, 24);
    return frame(bhs, data, false, false);
  }, 3000);
  s.destroy();
  return { nopOutsSent: 20_000, acceptedBeforeServerStoppedReading: sent };
}

export async function readElementStatusFlood(server: Server): Promise<CaseResult> {
  const s = await login(server, 2);
  const cdb = Buffer.from('b8100000ffff0000ffff0000', 'hex');
  const sent = await floodUnread(s.socket as Socket, 100_000, (i) => {
    const bhs = header(Op.SCSI_COMMAND, true, 0x80 | 0x40 | 1);
    lunField(0).copy(bhs, 8);
    bhs.writeUInt32BE(0x20000 + i, 16);
    bhs.writeUInt32BE(0xffff, 20);
    bhs.writeUInt32BE(s.cmdSN, 24);
    cdb.copy(bhs, 32);
    return frame(bhs, undefined, false, false);
  }, 3000);
  s.destroy();
  return { commandsSent: 100_000, acceptedBeforeServerStoppedReading: sent };
}

export async function logoutWithNop(server: Server): Promise<CaseResult> {
  let rounds = 0;
  for (; rounds < 20; rounds++) {
    const s = await login(server, 3);
    const logout = header(Op.LOGOUT_REQUEST, true, 0x80);
    logout.writeUInt32BE(0x31, 16);
    logout.writeUInt32BE(s.cmdSN, 24);
    const nop = header(Op.NOP_OUT, true, 0x80);
    nop.writeUInt32BE(0x32, 16);
    nop.writeUInt32BE(0xffffffff, 20);
    nop.writeUInt32BE(s.cmdSN, 24);
    s.writeRaw(Buffer.concat([frame(logout, undefined, false, false), frame(nop, Buffer.alloc(1024 * 1024, 1), false, false)]));
    await Promise.race([s.closed, sleep(5000)]);
    s.destroy();
  }
  await sleep(200);
  const internal = server.logSince().filter((l) => l.includes('internal error')).length;
  return { rounds, internalErrorsLogged: internal, ok: internal === 0 };
}

export async function wrongChap(server: Server): Promise<CaseResult> {
  const counts = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < 300; i++) {
    let status = 'logged in';
    try {
      await IscsiInitiator.discover({
        host: '127.0.0.1', port: server.iscsiPort, initiatorName: INITIATOR,
        chap: { username: server.discoveryChap.username, secret: `wrong-secret-${i}` },
      });
    } catch (err) {
      status = err instanceof LoginError ? `${err.statusClass}/${err.statusDetail}` : (err as Error).message.slice(0, 40);
    }
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const lockoutLines = server.logSince().filter((l) => l.includes('repeated CHAP failures')).length;
  return {
    attempts: 300, ms: Date.now() - started, outcomes: [...counts].map(([k, v]) => `${k} x${v}`).join(', '),
    lockoutWarnings: lockoutLines,
  };
}

export async function unreadEventFollowers(server: Server): Promise<CaseResult> {
  const followers: Socket[] = [];
  for (let i = 0; i < 50; i++) {
    const sock = netConnect({ host: '127.0.0.1', port: server.apiPort });
    sock.on('error', () => undefined);
    sock.write(`GET /api/v1/events?follow=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.token}\r\n\r\n`);
    sock.pause();
    followers.push(sock);
  }
  // Four clients move a cartridge each, slot -> mail slot -> slot, until 25,000 moves (the count) or 90 s.
  const deadline = Date.now() + 90_000;
  let moves = 0;
  const worker = async (barcode: string): Promise<void> => {
    while (moves < 25_000 && Date.now() < deadline) {
      await server.api('POST', `/cartridges/${barcode}/export`);
      await server.api('POST', `/cartridges/${barcode}/import`);
      moves += 2;
    }
  };
  await Promise.all(['A00001L8', 'A00002L8', 'A00003L8', 'A00004L8'].map(worker));
  for (const f of followers) f.destroy();
  return { followers: 50, moves };
}

export async function filemarkRuns(server: Server): Promise<CaseResult> {
  const s = await login(server, 4);
  const times: number[] = [];
  const statuses: number[] = [];
  // The changer's power-on UNIT ATTENTION first.
  for (let i = 0; i < 3 && (await s.command(0, [0, 0, 0, 0, 0, 0])).status !== 0; i++);
  for (let round = 0; round < 3; round++) {
    // MOVE MEDIUM slot 1 (1000h) -> drive 0 (0100h), on LUN 0; the drive is LUN 1.
    const move = await s.command(0, Buffer.from('a50000001000010000000000', 'hex'));
    if (move.status !== 0) throw new Error(`MOVE MEDIUM answered status ${move.status}, sense ${move.sense?.subarray(0, 18).toString('hex')}`);
    await s.command(1, [0, 0, 0, 0, 0, 0]); // the UNIT ATTENTION of the load
    const t0 = Date.now();
    const r = await Promise.race([s.command(1, [0x10, 0, 0xff, 0xff, 0xff, 0]), sleep(120_000).then(() => undefined)]);
    times.push(Date.now() - t0);
    statuses.push(r?.status ?? -1);
    await server.api('POST', '/drives/lib0/0/unload', { force: true });
  }
  await s.logout();
  return { writeFilemarksMs: times.join(' / '), statuses: statuses.join(' / ') };
}
