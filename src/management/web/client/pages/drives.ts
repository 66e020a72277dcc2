// Drives: what each holds and its state, with unload (the cartridge goes back to its slot) and a forced unload that
// overrides a host's PREVENT MEDIUM REMOVAL after a confirmation.
import { describeElement, formatBytes } from '../../../cli/format.js';
import type { DriveView, UnloadAnswer, UnloadBody } from '../../../schemas/api-types.js';
import { confirmDialog } from '../dialog.js';
import { h, row, table } from '../dom.js';
import { actionButton, every, pageHeader, type Page, type PageContext } from '../page.js';
import { driveState } from './drive-state.js';

const POLL_MS = 3000;

export const drivesPage: Page = {
  id: 'drives',
  title: 'Drives',
  async render(context, root) {
    const list = h('div', {});
    root.replaceChildren(pageHeader('Drives'), list);
    const refresh = async (): Promise<void> => {
      const drives = await context.api.get<DriveView[]>('/drives', {}, context.signal);
      // A control being clicked must not vanish under the pointer: the table is redrawn only when a drive's cartridge
      // or state changed; otherwise only the byte counts are written into it.
      const key = JSON.stringify(drives.map((d) => [d.library, d.index, d.barcode, driveState(d)]));
      if (list.dataset['key'] !== key) {
        list.dataset['key'] = key;
        list.replaceChildren(table(['Drive', 'Identity', 'State', 'Cartridge', 'Written', 'Read', 'Actions'], drives.map((d) => driveRow(context, d)), 'No drives'));
        return;
      }
      const rows = list.querySelectorAll('tbody tr');
      drives.forEach((d, i) => {
        const cells = rows[i]?.children;
        if (cells?.[4]) cells[4].textContent = bytes(d.bytesWritten);
        if (cells?.[5]) cells[5].textContent = bytes(d.bytesRead);
      });
    };
    await refresh();
    every(context, POLL_MS, refresh);
  },
};

function driveRow(context: PageContext, d: DriveView): HTMLTableRowElement {
  const path = `/drives/${encodeURIComponent(d.library)}/${d.index}/unload`;
  const name = `${d.library} drive ${d.index}`;
  const unload = (force: boolean): HTMLButtonElement =>
    actionButton(context, force ? 'Force unload' : 'Unload', async () => {
      if (force && !(await confirmDialog(`Force the unload of ${name}?`, 'This overrides the host\'s PREVENT MEDIUM REMOVAL: a backup writing to this drive fails.', 'Force unload'))) return undefined;
      const { cartridge } = await context.api.post<UnloadAnswer, UnloadBody>(path, force ? { force } : {});
      return cartridge === null ? `${name} was empty` : `${cartridge.barcode} unloaded from ${name}`;
    }, { 'data-action': force ? 'force-unload' : 'unload', ...(force ? { class: 'danger' } : {}) });
  const may = d.barcode !== null && context.permissions.may('POST /drives/{library}/{index}/unload');
  return row(
    [
      `${d.library} ${describeElement('drive', d.index, d.address)}`,
      `${d.vendor} ${d.product} ${d.revision}, serial ${d.serial}`,
      driveState(d),
      d.barcode ?? '—',
      bytes(d.bytesWritten),
      bytes(d.bytesRead),
      h('div', { class: 'actions' }, may ? unload(false) : null, may && d.removalPrevented ? unload(true) : null),
    ],
    { 'data-drive': `${d.library}/${d.index}` },
  );
}

function bytes(count: number | null): string {
  return count === null ? '—' : formatBytes(count);
}
