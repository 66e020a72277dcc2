// One client of GET /events?follow=1, with a bounded share of the server's memory. The follower is a cursor into the
// service's event ring: it is written to while what the server holds unsent for its connection (the response's and
// the socket's buffers) stays within `bufferLimitBytes`; past that it pauses, keeping only its cursor, and continues
// from the ring as its connection drains. A follower whose next event the ring no longer holds has lost events and is
// disconnected; resuming with its Last-Event-ID then gets 410 (event-stream.ts).
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import type { ManagementService } from '../service.js';
import type { EventView } from '../views.js';

/** What the server holds unsent for one follower, at most (README, Management API). */
export const FOLLOWER_BUFFER_LIMIT_BYTES = 256 * 1024;
const HEARTBEAT_MS = 15_000;

export interface FollowerInfo {
  readonly id: number;
  /** The id of the next event to send. */
  readonly nextEventId: number;
  /** Bytes written and not yet handed to the kernel (response and socket buffers). */
  readonly bufferedBytes: number;
  /** Waiting for the connection to drain before writing more. */
  readonly paused: boolean;
}

export interface FollowerStats {
  readonly followers: readonly FollowerInfo[];
  /** Followers disconnected because they fell behind the ring, since the server started. */
  readonly disconnectedBehind: number;
}

/** The live followers of one server: what it observes of them, and their shared limits. */
export class EventFollowers {
  private readonly active = new Set<EventFollower>();
  /** One encoded frame per event, shared by every follower (50 followers, one JSON.stringify). */
  private readonly frames = new WeakMap<EventView, string>();
  private nextId = 1;
  private disconnectedBehind = 0;

  constructor(
    readonly service: ManagementService,
    readonly log: Logger,
    readonly bufferLimitBytes: number = FOLLOWER_BUFFER_LIMIT_BYTES,
  ) {}

  /** Start following on `response` (headers not yet sent) from the event after `afterId`. */
  follow(response: ServerResponse, afterId: number): EventFollower {
    const follower = new EventFollower(this, this.nextId++, response, afterId + 1);
    this.active.add(follower);
    response.on('close', () => this.active.delete(follower));
    follower.start();
    return follower;
  }

  frameOf(event: EventView): string {
    let frame = this.frames.get(event);
    if (frame === undefined) {
      frame = `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
      this.frames.set(event, frame);
    }
    return frame;
  }

  stats(): FollowerStats {
    return { followers: [...this.active].map((f) => f.info()), disconnectedBehind: this.disconnectedBehind };
  }

  /** Called by a follower that fell out of the ring. */
  fellBehind(follower: EventFollower, oldestId: number): void {
    this.disconnectedBehind++;
    this.log.warn({ follower: follower.id, nextEventId: follower.info().nextEventId, oldestKept: oldestId },
      'event follower fell behind the events kept and was disconnected; it must read the state again');
  }
}

export class EventFollower {
  private nextEventId: number;
  private paused = false;
  private closed = false;
  private readonly flushed = (): void => this.onFlushed();

  constructor(
    private readonly group: EventFollowers,
    readonly id: number,
    private readonly response: ServerResponse,
    firstEventId: number,
  ) {
    this.nextEventId = firstEventId;
  }

  start(): void {
    this.response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    this.write(': following\n\n');
    const unsubscribe = this.group.service.subscribe(() => this.pump());
    // Idle streams get a comment now and then so that proxies keep them open; a paused one needs none.
    const heartbeat = setInterval(() => {
      if (!this.paused && this.response.writableLength === 0) this.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    this.response.on('close', () => {
      this.closed = true;
      clearInterval(heartbeat);
      unsubscribe();
    });
    this.pump();
  }

  info(): FollowerInfo {
    return { id: this.id, nextEventId: this.nextEventId, bufferedBytes: this.response.writableLength, paused: this.paused };
  }

  /** Write what the ring holds for this follower, as far as its buffer allows. */
  private pump(): void {
    if (this.closed) return;
    const { oldestId, newestId } = this.group.service.eventWindow();
    if (this.nextEventId < oldestId) {
      this.closed = true;
      this.group.fellBehind(this, oldestId);
      // destroy, not end: ending would queue more behind what the client does not read.
      this.response.destroy();
      return;
    }
    if (this.paused) return;
    while (this.nextEventId <= newestId) {
      const event = this.group.service.event(this.nextEventId);
      if (!event) return;
      const frame = this.group.frameOf(event);
      const buffered = this.response.writableLength;
      // A frame larger than the whole limit still goes out alone, or the follower would stall for ever.
      if (buffered > 0 && buffered + wireBytes(frame) > this.group.bufferLimitBytes) {
        this.paused = true;
        return;
      }
      this.nextEventId++;
      this.write(frame);
    }
  }

  /** Every write carries the flush callback: while paused, each flushed chunk is a chance to continue. */
  private write(text: string): void {
    this.response.write(text, this.flushed);
  }

  private onFlushed(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.pump();
  }
}

/** A frame's bytes on the connection: chunked transfer coding adds its size in hex and two CRLFs. */
function wireBytes(frame: string): number {
  const bytes = Buffer.byteLength(frame);
  return bytes + bytes.toString(16).length + 4;
}
