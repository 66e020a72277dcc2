// Event-stream followers that do not read (issue 22, finding 3): what the server holds for each stays within the
// stated limit, a paused follower catches up from the ring without a gap, one that falls behind the ring is
// disconnected, and resuming with Last-Event-ID gets exactly the later events or a precise 410.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { LibraryEvent, LibraryListener } from '../../src/library/library-event.js';
import { silentLogger } from '../../src/log.js';
import { AuditTrail } from '../../src/library/audit-trail.js';
import { ManagementServer } from '../../src/management/http/management-server.js';
import { ManagementService, type LibraryOperations } from '../../src/management/service.js';

const LIMIT = 16 * 1024;

interface FollowBench {
  readonly service: ManagementService;
  readonly server: ManagementServer;
  publish(count: number): void;
  /** GET /events?follow=1; resolves when the headers arrive, the body left unread (paused). */
  follow(headers?: Record<string, string>): Promise<IncomingMessage>;
  close(): Promise<void>;
}

async function followBench(eventWindow: number): Promise<FollowBench> {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-followers-'));
  const listeners = new Set<LibraryListener>();
  const library = { on: (l: LibraryListener) => (listeners.add(l), () => listeners.delete(l)) } as unknown as LibraryOperations;
  const service = new ManagementService({ manager: library, version: 'x', eventWindow });
  const tokenFile = join(dir, 'api-token');
  const server = new ManagementServer({ service, log: silentLogger(), tokenFile, followerBufferLimitBytes: LIMIT, checkResponses: true, audit: new AuditTrail({ file: join(dir, 'audit.log'), log: silentLogger() }) });
  const { port } = await server.listen('127.0.0.1', 0);
  const token = (await readFile(tokenFile, 'utf8')).trim();
  let n = 0;
  return {
    service,
    server,
    publish(count) {
      for (let i = 0; i < count; i++, n++) {
        const event: LibraryEvent = {
          type: 'cartridge-moved', library: 'lib0', barcode: `A${String(n % 100000).padStart(5, '0')}L8`,
          from: { kind: 'element', library: 'lib0', type: 'storage', index: 0, address: 0x1000 },
          to: { kind: 'element', library: 'lib0', type: 'dataTransfer', index: 0, address: 0x100 },
          actor: 'host', at: '2026-12-05T00:00:00.000Z',
        };
        for (const l of listeners) l(event);
      }
    },
    follow(headers = {}) {
      return new Promise((resolve, reject) => {
        const request = get({ host: '127.0.0.1', port, path: '/api/v1/events?follow=1', headers: { authorization: `Bearer ${token}`, ...headers } }, (response) => {
          response.pause();
          resolve(response);
        });
        request.on('error', reject);
      });
    },
    async close() {
      await server.close();
      service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Publish in batches until the one follower pauses, checking after every batch that it holds no more than LIMIT. */
async function publishUntilPaused(b: FollowBench): Promise<void> {
  for (let batch = 0; batch < 400; batch++) {
    b.publish(250);
    await yieldToIo();
    const [f] = b.server.eventFollowers().followers;
    assert.ok(f, 'the follower is connected');
    assert.ok(f.bufferedBytes <= LIMIT, `the server holds ${f.bufferedBytes} bytes for the follower, over ${LIMIT}`);
    if (f.paused) return;
  }
  assert.fail('the follower never paused: 100,000 events went into its socket');
}

/** Read the rest of a response and return the ids of its complete frames. */
async function idsOf(response: IncomingMessage): Promise<number[]> {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (text += chunk));
  await new Promise<void>((resolve) => {
    response.on('close', resolve);
    response.on('error', () => resolve());
    response.resume();
  });
  // A frame cut by the disconnect has no blank line after it: it is not an event.
  return text.split('\n\n').slice(0, -1).flatMap((frame) => /^id: (\d+)$/m.exec(frame)?.[1] ?? []).map(Number);
}

/** Read until the event with id `last` has arrived, then stop. */
async function readThrough(response: IncomingMessage, last: number): Promise<number[]> {
  const ids: number[] = [];
  let text = '';
  response.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    response.on('data', (chunk: string) => {
      text += chunk;
      const frames = text.split('\n\n');
      text = frames.pop() ?? '';
      for (const frame of frames) {
        const id = /^id: (\d+)$/m.exec(frame)?.[1];
        if (id !== undefined) ids.push(Number(id));
      }
      if (ids.at(-1) === last) resolve();
    });
    response.on('close', () => reject(new Error(`stream closed after event ${ids.at(-1) ?? 'none'}`)));
    response.resume();
  });
  response.destroy();
  return ids;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('event-stream followers that do not read', () => {
  const benches: FollowBench[] = [];
  after(async () => {
    for (const b of benches) await b.close();
  });

  test('the server holds at most the limit for a follower that stops reading, and it catches up from the ring without a gap', async () => {
    const b = await followBench(100_000);
    benches.push(b);
    const response = await b.follow();
    await publishUntilPaused(b);
    // Synchronously, so that no flush can resume the follower before it is observed.
    b.publish(500);
    const [paused] = b.server.eventFollowers().followers;
    assert.ok(paused?.paused);
    assert.ok(paused.bufferedBytes <= LIMIT);
    const newest = b.service.eventWindow().newestId;
    assert.ok(paused.nextEventId <= newest - 500, 'the paused follower queued none of the later events');
    assert.deepEqual(await readThrough(response, newest), range(1, newest));
  });

  test('a follower that falls behind the ring is disconnected; its Last-Event-ID gets 410, one in the ring gets exactly the later events', async () => {
    const b = await followBench(2000);
    benches.push(b);
    const response = await b.follow();
    await publishUntilPaused(b);
    // A ring's worth of events while it is paused (synchronously: no flush can let it catch up meanwhile).
    b.publish(2000);
    await yieldToIo();
    assert.deepEqual(b.server.eventFollowers(), { followers: [], disconnectedBehind: 1 });
    const received = await idsOf(response);
    const lastRead = received.at(-1) ?? 0;
    assert.deepEqual(received, range(1, lastRead), 'what the follower did receive has no gap');

    const { oldestId, newestId } = b.service.eventWindow();
    const expired = await b.follow({ 'last-event-id': String(lastRead) });
    assert.equal(expired.statusCode, 410);
    const body = JSON.parse(await textOf(expired)) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'events-expired');
    assert.match(body.error.message, new RegExp(`^Events after ${lastRead} are no longer kept \\(the oldest kept is ${oldestId}; the last 2000 are kept\\)`));

    const resumed = await b.follow({ 'last-event-id': String(newestId - 5) });
    assert.equal(resumed.statusCode, 200);
    b.publish(1);
    assert.deepEqual(await readThrough(resumed, newestId + 1), range(newestId - 4, newestId + 1));
  });

  test('a malformed Last-Event-ID is 400 naming the header, and one from the future (a restarted server) is 410', async () => {
    const b = await followBench(100);
    benches.push(b);
    b.publish(3);
    const malformed = await b.follow({ 'last-event-id': '12abc' });
    assert.equal(malformed.statusCode, 400);
    assert.match(await textOf(malformed), /"message": "header\.last-event-id: must be a non-negative integer"/);
    const future = await b.follow({ 'last-event-id': '4' });
    assert.equal(future.statusCode, 410);
    assert.match(await textOf(future), /"code": "event-id-unknown"/);
  });
});

async function textOf(response: IncomingMessage): Promise<string> {
  let text = '';
  response.setEncoding('utf8');
  for await (const chunk of response) text += chunk as string;
  return text;
}
