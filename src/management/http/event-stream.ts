// GET /events?follow=1: server-sent events. A follower resumes after `Last-Event-ID` (the header EventSource sends when
// it reconnects) or `since`; without either it starts with the present. A resume point the ring no longer covers is
// answered 410, so that a client never silently misses events. Per-follower memory: event-follower.ts.
import { HttpError } from './http-error.js';
import type { EventFollowers } from './event-follower.js';
import { STREAMING, type RequestContext } from './router.js';

export function streamEvents(followers: EventFollowers, { request, response }: RequestContext, since: number | undefined): typeof STREAMING {
  const header = request.headers['last-event-id'];
  let lastEventId: number | undefined;
  if (header !== undefined && header !== '') {
    if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) throw new HttpError(400, 'invalid-request', 'header.last-event-id: must be a non-negative integer');
    lastEventId = Number(header);
  }
  const window = followers.service.eventWindow();
  const after = lastEventId ?? since ?? window.newestId;
  if (after > window.newestId) {
    throw new HttpError(410, 'event-id-unknown',
      `Event ${after} is newer than the newest event (${window.newestId}); event ids start again at 1 when the server restarts: read the state again and follow without Last-Event-ID`);
  }
  if (after < window.oldestId - 1) {
    throw new HttpError(410, 'events-expired',
      `Events after ${after} are no longer kept (the oldest kept is ${window.oldestId}; the last ${window.capacity} are kept): read the state again and follow without Last-Event-ID`);
  }
  followers.follow(response, after);
  return STREAMING;
}
