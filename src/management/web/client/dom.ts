// A small element builder: the console writes every value with textContent (never innerHTML), so a barcode, a token
// name or an audit detail cannot become markup.
export type Child = Node | string | number | null | undefined | false;
export type Attributes = Readonly<Record<string, string | number | boolean | undefined | ((event: Event) => void)>>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Child | readonly Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** A table with a header row; `empty` is shown in one row when there are no rows. */
export function table(headers: readonly string[], rows: readonly HTMLTableRowElement[], empty: string): HTMLTableElement {
  const body = h('tbody', {}, rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, empty))]);
  return h('table', {}, h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))), body);
}

export function row(cells: readonly (Child | readonly Child[])[], attributes: Attributes = {}): HTMLTableRowElement {
  return h('tr', attributes, cells.map((cell) => h('td', {}, cell)));
}

/** A labelled form field. */
export function field(label: string, control: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

export function select(name: string, options: readonly (readonly [value: string, text: string])[], selected = ''): HTMLSelectElement {
  return h('select', { name }, options.map(([value, text]) => h('option', { value, selected: value === selected }, text)));
}
