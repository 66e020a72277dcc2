// What every page of the console gets, and the helper that runs a control's API call.
import type { Role } from '../../../library/role.js';
import { ApiError, type Api } from './api.js';
import { h, type Child } from './dom.js';
import type { Permissions } from './permissions.js';

export interface PageContext {
  readonly api: Api;
  readonly permissions: Permissions;
  readonly principal: { readonly name: string; readonly role: Role };
  /** Aborted when the user leaves the page: timers and streams stop with it. */
  readonly signal: AbortSignal;
  notify(message: string, kind?: 'info' | 'error'): void;
  /** Draw the page again from fresh API answers. */
  reload(): void;
}

export interface Page {
  readonly id: string;
  readonly title: string;
  render(context: PageContext, root: HTMLElement): Promise<void>;
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.status === 0 ? error.message : `${error.message} (${error.status} ${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A button that changes something: marked `data-mutating` (the browser tests check that a viewer sees none), disabled
 * while its call runs, and the page reloaded afterwards; a refusal is shown with the API's own message.
 */
export function actionButton(context: PageContext, label: string, run: () => Promise<string | undefined>, attributes: Record<string, string> = {}): HTMLButtonElement {
  const button = h('button', { type: 'button', 'data-mutating': true, ...attributes }, label);
  button.addEventListener('click', () => {
    button.disabled = true;
    run().then(
      (done) => {
        if (done !== undefined) context.notify(done);
        context.reload();
      },
      (error: unknown) => {
        button.disabled = false;
        context.notify(messageOf(error), 'error');
      },
    );
  });
  return button;
}

/** A heading with the page's own controls beside it. */
export function pageHeader(title: string, ...controls: Child[]): HTMLElement {
  return h('header', { class: 'page-header' }, h('h1', {}, title), h('div', { class: 'controls' }, ...controls));
}

/** Run `refresh` now and every `ms` until the page is left; an error is shown once per streak, not every tick. */
export function every(context: PageContext, ms: number, refresh: () => Promise<void>): void {
  let failing = false;
  const tick = (): void => {
    refresh().then(
      () => (failing = false),
      (error: unknown) => {
        if (context.signal.aborted) return;
        if (!failing) context.notify(messageOf(error), 'error');
        failing = true;
      },
    );
  };
  const timer = setInterval(tick, ms);
  context.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
