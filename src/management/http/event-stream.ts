// GET /events?follow=1: server-sent events. A follower resumes after `Last-Event-ID` (the header EventSource sends when
// it reconnects) or `since`; without either it starts with the present. A resume point the ring no longer covers is
// answered 410, so that a client never silently misses events. Per-follower memory: event-follower.ts.
import type { ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';
import type { EventFollowers } from './event-follower.js';
import { STREAMING } from './router.js';

/** `after`: the Last-Event-ID header (validated by the route) or else `since`; undefined starts with the present. */
export function streamEvents(followers: EventFollowers, response: ServerResponse, after: number | undefined): typeof STREAMING {
  const window = followers.service.eventWindow();
  const resumeAfter = after ?? window.newestId;
  if (resumeAfter > window.newestId) {
    throw new HttpError(410, 'event-id-unknown',
      `Event ${resumeAfter} is newer than the newest event (${window.newestId}); event ids start again at 1 when the server restarts: read the state again and follow without Last-Event-ID`);
  }
  if (resumeAfter < window.oldestId - 1) {
    throw new HttpError(410, 'events-expired',
      `Events after ${resumeAfter} are no longer kept (the oldest kept is ${window.oldestId}; the last ${window.capacity} are kept): read the state again and follow without Last-Event-ID`);
  }
  followers.follow(response, resumeAfter);
  return STREAMING;
}
