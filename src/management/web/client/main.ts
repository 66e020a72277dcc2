// The console's entry: sign in with an API token, then one page at a time (#/dashboard, #/cartridges, #/drives,
// #/events, #/audit), each drawn from the API with the token's rights. The token is kept in sessionStorage: it
// survives a reload of the tab and is gone when the tab closes.
import type { Principal } from '../../schemas/api-types.js';
import { Api, ApiError } from './api.js';
import { h } from './dom.js';
import { messageOf, type Page, type PageContext } from './page.js';
import { auditPage } from './pages/audit.js';
import { cartridgesPage } from './pages/cartridges.js';
import { dashboardPage } from './pages/dashboard.js';
import { drivesPage } from './pages/drives.js';
import { eventsPage } from './pages/events.js';
import { Permissions } from './permissions.js';

const PAGES: readonly Page[] = [dashboardPage, cartridgesPage, drivesPage, eventsPage, auditPage];
const TOKEN_KEY = 'vtl-token';

interface Session {
  readonly api: Api;
  readonly principal: Principal;
  readonly permissions: Permissions;
}

const app = document.getElementById('app') ?? document.body;
const notices = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });

function notify(message: string, kind: 'info' | 'error' = 'info'): void {
  const notice = h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : undefined }, message);
  const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Dismiss' }, '×');
  close.addEventListener('click', () => notice.remove());
  notice.appendChild(close);
  notices.prepend(notice);
  if (kind === 'info') setTimeout(() => notice.remove(), 6000);
}

async function signIn(token: string): Promise<Session> {
  const api = new Api(token);
  const principal = await api.get<Principal>('/whoami');
  return { api, principal, permissions: await Permissions.load(api, principal.role) };
}

function showSignIn(problem?: string): void {
  const input = h('input', { type: 'password', name: 'token', id: 'token', autocomplete: 'off', required: true, size: 66 });
  const form = h(
    'form',
    { class: 'sign-in', 'aria-label': 'Sign in' },
    h('h1', {}, 'vtl console'),
    h('p', {}, 'Sign in with an API token: the admin token in ', h('code', {}, '<dataDir>/api-token'), ', or one made with ', h('code', {}, 'vtl token create'), '.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    problem !== undefined ? h('p', { class: 'notice notice-error', role: 'alert' }, problem) : null,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    signIn(token).then(
      (session) => {
        sessionStorage.setItem(TOKEN_KEY, token);
        start(session);
      },
      (error: unknown) => showSignIn(error instanceof ApiError && error.status === 401 ? 'That token is not valid on this server.' : messageOf(error)),
    );
  });
  app.replaceChildren(form);
  input.focus();
}

function start(session: Session): void {
  session.api.onUnauthorized = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn('The server no longer accepts this token; sign in again.');
  };
  const nav = h('nav', { 'aria-label': 'Pages' }, PAGES.map((p) => h('a', { href: `#/${p.id}`, 'data-page': p.id }, p.title)));
  const signOut = h('button', { type: 'button', class: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.hash = '';
    location.reload();
  });
  const who = h('span', { class: 'who', 'data-role': session.principal.role }, `${session.principal.name} (${session.principal.role})`);
  const main = h('main', {});
  app.replaceChildren(h('header', { class: 'top' }, h('span', { class: 'brand' }, 'vtl'), nav, who, signOut), notices, main);
  let leave = new AbortController();
  const show = (): void => {
    leave.abort();
    leave = new AbortController();
    const id = location.hash.replace(/^#\//, '').split('?')[0] ?? '';
    const page = PAGES.find((p) => p.id === id) ?? dashboardPage;
    for (const link of nav.querySelectorAll('a')) link.classList.toggle('current', link.dataset['page'] === page.id);
    document.title = `${page.title} · vtl`;
    const root = h('div', { class: 'page', 'data-page': page.id, 'aria-busy': 'true' });
    main.replaceChildren(root);
    const context: PageContext = { ...session, signal: leave.signal, notify, reload: show };
    page.render(context, root).then(
      () => root.setAttribute('aria-busy', 'false'),
      (error: unknown) => {
        if (leave.signal.aborted) return;
        root.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert' }, `Could not show ${page.title}: ${messageOf(error)}`));
        root.setAttribute('aria-busy', 'false');
      },
    );
  };
  window.onhashchange = show;
  show();
}

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved === null) showSignIn();
else signIn(saved).then(start, (error: unknown) => {
  sessionStorage.removeItem(TOKEN_KEY);
  showSignIn(messageOf(error));
});
