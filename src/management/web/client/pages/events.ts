// The live event stream: the last events the server keeps, then each new one as it is committed (newest on top).
import { describeLocation } from '../../../cli/format.js';
import type { EventView } from '../../../schemas/api-types.js';
import { h, row, table } from '../dom.js';
import { followEvents, type FollowState } from '../event-follow.js';
import { messageOf, pageHeader, type Page } from '../page.js';

const SHOWN = 200;

export const eventsPage: Page = {
  id: 'events',
  title: 'Events',
  async render(context, root) {
    const state = h('span', { class: 'stream-state', 'data-state': 'connecting' }, 'connecting');
    const holder = h('div', {});
    root.replaceChildren(pageHeader('Events', state), holder);
    let events: EventView[] = [];
    const draw = (): void => {
      holder.replaceChildren(table(['#', 'Time', 'Event', 'Library', 'Cartridge', 'From', 'To', 'By'], events.map(eventRow), 'No events since the server started'));
    };
    /** Reads the newest events; resolves with the newest id (0 before the first event), to follow after it. */
    const load = async (): Promise<number> => {
      events = (await context.api.get<EventView[]>('/events', { limit: SHOWN })).reverse();
      draw();
      return events[0]?.id ?? 0;
    };
    const newest = await load();
    const setState = (s: FollowState, detail?: string): void => {
      state.dataset['state'] = s;
      state.textContent = detail === undefined ? s : `${s}: ${detail}`;
    };
    followEvents(context.api, {
      event: (event) => {
        if (events.some((e) => e.id === event.id)) return;
        events = [event, ...events].slice(0, SHOWN);
        draw();
      },
      state: setState,
      lost: load,
    }, context.signal, newest).catch((error: unknown) => context.notify(messageOf(error), 'error'));
  },
};

function eventRow(e: EventView): HTMLTableRowElement {
  return row([e.id, new Date(e.at).toLocaleString(), e.type, e.library, e.barcode ?? '—', e.from ? describeLocation(e.from) : '—', e.to ? describeLocation(e.to) : '—', e.actor], { 'data-event': e.id });
}
