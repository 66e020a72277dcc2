// Modal dialogs built on <dialog>: a confirmation (optionally asking the user to type a name, for deletions) and a
// small form. Both resolve when the dialog closes.
import { h, type Child } from './dom.js';

export function confirmDialog(title: string, text: string, confirmLabel: string, typeToConfirm?: string): Promise<boolean> {
  const input = typeToConfirm === undefined ? undefined : h('input', { name: 'confirm', autocomplete: 'off', 'aria-label': `Type ${typeToConfirm} to confirm` });
  const ok = h('button', { type: 'submit', value: 'ok', class: 'danger', disabled: typeToConfirm !== undefined }, confirmLabel);
  input?.addEventListener('input', () => (ok.disabled = input.value !== typeToConfirm));
  return show(title, [h('p', {}, text), typeToConfirm !== undefined ? h('p', {}, 'Type ', h('code', {}, typeToConfirm), ' to confirm:') : null, input], ok).then((form) => form !== undefined);
}

/** A form in a dialog: resolves with its fields, or undefined when cancelled. */
export function formDialog(title: string, fields: readonly Child[], submitLabel: string): Promise<FormData | undefined> {
  return show(title, fields, h('button', { type: 'submit', value: 'ok' }, submitLabel));
}

function show(title: string, body: readonly Child[], submit: HTMLButtonElement): Promise<FormData | undefined> {
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const form = h('form', { method: 'dialog' }, h('h2', {}, title), ...body, h('div', { class: 'dialog-buttons' }, cancel, submit));
  const dialog = h('dialog', {}, form);
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    cancel.addEventListener('click', () => dialog.close(''));
    dialog.addEventListener('close', () => {
      const data = dialog.returnValue === 'ok' ? new FormData(form) : undefined;
      dialog.remove();
      resolve(data);
    });
    dialog.showModal();
  });
}
