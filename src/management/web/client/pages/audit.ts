// The audit log: every change made through the API or refused, newest first, filtered by cartridge and date, and its
// hash chain verified on demand.
import type { AuditEntryView, AuditVerdictView } from '../../../schemas/api-types.js';
import { h, field, row, table } from '../dom.js';
import { messageOf, pageHeader, type Page } from '../page.js';

export const auditPage: Page = {
  id: 'audit',
  title: 'Audit log',
  async render(context, root) {
    const filters = new URLSearchParams(location.hash.split('?')[1] ?? '');
    const query = { barcode: filters.get('barcode') ?? undefined, since: filters.get('since') ?? undefined, limit: filters.get('limit') ?? 200 };
    const entries = await context.api.get<AuditEntryView[]>('/audit', query);
    const verdict = h('span', { class: 'verdict' });
    const verify = h('button', { type: 'button' }, 'Verify the chain');
    verify.addEventListener('click', () => {
      verdict.textContent = 'verifying…';
      context.api.get<AuditVerdictView>('/audit/verify').then(
        (result) => (verdict.textContent = describeVerification(result)),
        (error: unknown) => (verdict.textContent = messageOf(error)),
      );
    });
    root.replaceChildren(
      pageHeader('Audit log', verify, verdict),
      filterForm(filters),
      table(['#', 'Time', 'Kind', 'Outcome', 'By', 'Cartridge', 'Detail'], [...entries].reverse().map(entryRow), 'No entries'),
    );
  },
};

function filterForm(filters: URLSearchParams): HTMLFormElement {
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter the audit log' },
    field('Cartridge', h('input', { name: 'barcode', value: filters.get('barcode') ?? '' })),
    field('Since', h('input', { name: 'since', type: 'date', value: filters.get('since') ?? '' })),
    field('At most', h('input', { name: 'limit', type: 'number', min: 1, max: 100000, value: filters.get('limit') ?? 200 })),
    h('button', { type: 'submit' }, 'Show'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (typeof value === 'string' && value !== '') next.set(key, value);
    location.hash = `#/audit?${next.toString()}`;
  });
  return form;
}

function entryRow(e: AuditEntryView): HTMLTableRowElement {
  const who = e.actor ?? (e.initiator !== null ? `${e.initiator}${e.lun !== null ? ` LUN ${e.lun}` : ''}` : '—');
  return row([e.seq, new Date(e.at).toLocaleString(), e.kind, h('span', { class: `outcome-${e.outcome}` }, e.outcome), who, e.barcode ?? '—', h('code', { class: 'detail' }, e.detail === null ? '' : JSON.stringify(e.detail))], { 'data-seq': e.seq });
}

function describeVerification(v: AuditVerdictView): string {
  switch (v.status) {
    case 'intact':
      return `verified: ${v.entries} entries, the chain is intact`;
    case 'torn-tail':
      return `verified: ${v.entries} entries; the last line (${v.tornBytes} bytes) was cut short by a crash`;
    case 'tampered':
      return `NOT verified: entry ${v.line} does not verify (${v.reason})`;
  }
}
