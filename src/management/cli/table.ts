// Plain-text tables for the CLI: a header row, columns padded to their widest cell, numbers aligned right.

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | number;
  readonly align?: 'left' | 'right';
}

export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => String(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const alignOf = (i: number): 'left' | 'right' => columns[i]?.align ?? 'left';
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (alignOf(i) === 'right' ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** `key: value` lines with the keys padded, for single objects. */
export function formatFields(fields: readonly (readonly [string, string | number])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`).join('\n') + '\n';
}
