// GET /events?follow=1 read with fetch: EventSource cannot send the bearer token, so the stream is read here and
// cut into events by eventsource-parser. On a dropped connection it resumes after the last event it saw (the
// Last-Event-ID header, as EventSource would); a 410 means events were lost, and the page reads the state again.
import { createParser } from 'eventsource-parser';
import type { EventView } from '../../schemas/api-types.js';
import { API_PREFIX, type Api } from './api.js';

export type FollowState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface FollowHandlers {
  event(event: EventView): void;
  state(state: FollowState, detail?: string): void;
  /** The server no longer holds the events after the last one seen: read the state again; resolves with the id to
   * follow after (the newest one read), or undefined for the present. */
  lost(): Promise<number | undefined>;
}

const RETRY_MS = 2000;

/** Follows, after event `afterId` (the newest the page has read, so that none is missed in between), until `signal` aborts. */
export async function followEvents(api: Api, handlers: FollowHandlers, signal: AbortSignal, afterId?: number): Promise<void> {
  let lastId = afterId === undefined ? undefined : String(afterId);
  while (!signal.aborted) {
    handlers.state(lastId === undefined ? 'connecting' : 'reconnecting');
    try {
      const response = await api.fetch(`${API_PREFIX}/events`, {
        query: { follow: 1 },
        headers: { accept: 'text/event-stream', ...(lastId !== undefined ? { 'last-event-id': lastId } : {}) },
        signal,
      });
      if (response.status === 410) {
        const resume = await handlers.lost();
        lastId = resume === undefined ? undefined : String(resume);
        continue;
      }
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
      handlers.state('live');
      const parser = createParser({
        onEvent: (message) => {
          if (message.id !== undefined) lastId = message.id;
          handlers.event(JSON.parse(message.data) as EventView);
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch (error) {
      if (signal.aborted) break;
      handlers.state('reconnecting', error instanceof Error ? error.message : String(error));
    }
    await delay(RETRY_MS, signal);
  }
  handlers.state('stopped');
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
