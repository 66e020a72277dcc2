// GET /events?follow=1: server-sent events. The backlog after `since` (or Last-Event-ID) first, then every new event
// as the library commits it; a comment line every 15 s keeps proxies from closing an idle stream.
import type { ManagementService } from '../service.js';
import type { EventView } from '../views.js';
import { STREAMING, type RequestContext } from './router.js';

const HEARTBEAT_MS = 15_000;

export function streamEvents(service: ManagementService, { request, response }: RequestContext, since: number | undefined): typeof STREAMING {
  const lastEventId = Number(request.headers['last-event-id']);
  const after = since ?? (Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : undefined);
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (event: EventView): void => {
    response.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };
  // Without `since`, a follower starts with the present: no backlog.
  if (after !== undefined) for (const event of service.events(after, 1000)) send(event);
  response.write(': following\n\n');
  const unsubscribe = service.subscribe(send);
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  response.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
  return STREAMING;
}
