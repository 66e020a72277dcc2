// Reads the YAML config file and validates it against configSchema, so that every problem is reported at once as
// `FILE:LINE:COLUMN: field.path: why` — an operator fixes a config in one pass, not one error per restart.
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, libraryIqn, type LibraryConfig, type VtlConfig } from './schema.js';

export interface ConfigIssue {
  readonly file: string;
  /** 1-based; undefined when the problem has no place in the file (unreadable file). */
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** `libraries[0].slots`; empty for syntax errors and whole-file problems. */
  readonly path: string;
  readonly message: string;
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** Every problem found in one config file; `message` lists them one per line. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map(formatConfigIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

type Path = readonly PropertyKey[];

export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

export async function loadConfig(path: string): Promise<VtlConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ file: path, line: undefined, column: undefined, path: '', message: `cannot read the config file: ${why}` }]);
  }
  return parseConfig(text, path);
}

/** Parses and validates config text; throws ConfigError listing every problem. An empty text gives the defaults. */
export function parseConfig(text: string, fileName: string): VtlConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): { line: number; column: number } => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => ({ file: fileName, ...at(error.pos[0]), path: '', message: `YAML syntax: ${firstLine(error.message)}` })),
    );
  }
  const issue = (path: Path, message: string): ConfigIssue => {
    const { offset, path: shownPath } = locate(doc, path);
    return { file: fileName, ...at(offset), path: formatPath(shownPath), message };
  };

  const raw: unknown = withoutEmptyValues(doc.toJS({ maxAliasCount: 100 }) ?? {});
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(inFileOrder(result.error.issues.flatMap((i) => schemaIssues(i).map((p) => issue(p.path, p.message)))));

  const config = inferDriveCounts(result.data, raw);
  const problems = crossCheck(config);
  if (problems.length > 0) throw new ConfigError(inFileOrder(problems.map((p) => issue(p.path, p.message))));
  return config;
}

/** `vtl serve` flags that override the config file. */
export interface Problem {
  readonly path: Path;
  readonly message: string;
}

function schemaIssues(zodIssue: z.core.$ZodIssue): Problem[] {
  // One line per unknown key, pointing at the key itself, reads better than zod's combined message.
  if (zodIssue.code === 'unrecognized_keys') {
    return zodIssue.keys.map((key) => ({ path: [...zodIssue.path, key], message: 'unknown field' }));
  }
  return [{ path: zodIssue.path, message: zodIssue.message }];
}

/** A library that lists its drives but gives no driveCount has as many drives as it lists. */
function inferDriveCounts(config: VtlConfig, raw: unknown): VtlConfig {
  const rawLibraries = isRecord(raw) && Array.isArray(raw['libraries']) ? (raw['libraries'] as unknown[]) : [];
  const libraries = config.libraries.map((library, index) => {
    const rawLibrary = rawLibraries[index];
    const explicit = isRecord(rawLibrary) && rawLibrary['driveCount'] !== undefined;
    if (explicit || library.drives === undefined || library.drives.length === 0) return library;
    return { ...library, driveCount: library.drives.length };
  });
  return { ...config, libraries };
}

const ADDRESS_LIMIT = 0x10000;
/** LTO volume serials are six characters; the generation suffix (L8, LY...) follows them. */
const VOLSER_LENGTH = 6;

/**
 * Checks that span several fields: names, IQNs and serials unique; element ranges disjoint; initial barcodes that
 * fit. Libraries may share a barcode prefix: the library skips barcodes another library already took.
 */
export function crossCheck(config: VtlConfig): Problem[] {
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  const iqns = new Map<string, number>();
  const serials = new Map<string, string>();

  config.libraries.forEach((library, index) => {
    const here = ['libraries', index] as const;
    const sameName = names.get(library.name);
    if (sameName !== undefined) problems.push({ path: [...here, 'name'], message: `duplicate library name "${library.name}" (also libraries[${sameName}])` });
    else names.set(library.name, index);

    const iqn = libraryIqn(config, library);
    const sameIqn = iqns.get(iqn);
    // Two libraries of the same name also share the IQN derived from it: one message is enough.
    const derivedFromDuplicateName = sameName !== undefined && library.iqn === undefined;
    if (sameIqn !== undefined && !derivedFromDuplicateName) problems.push({ path: [...here, 'iqn'], message: `duplicate target name "${iqn}" (also libraries[${sameIqn}])` });
    else if (sameIqn === undefined) iqns.set(iqn, index);

    const drives = library.drives ?? [];
    // The drive list, when given, is the drives: its length is the drive count (as the library layout reads it).
    if (library.drives !== undefined && drives.length !== library.driveCount) {
      problems.push({ path: [...here, 'drives'], message: `${drives.length} drives listed but driveCount is ${library.driveCount}` });
    }
    const serialOwners: [string | undefined, Path][] = [
      [library.changer.serial, [...here, 'changer', 'serial']],
      ...drives.map((d, i): [string | undefined, Path] => [d.serial, [...here, 'drives', i, 'serial']]),
    ];
    for (const [serial, path] of serialOwners) {
      if (serial === undefined) continue;
      const owner = serials.get(serial);
      if (owner !== undefined) problems.push({ path, message: `duplicate serial number "${serial}" (also ${owner})` });
      else serials.set(serial, formatPath(path));
    }

    problems.push(...checkElementAddresses(library, here));
    problems.push(...checkInitialCartridges(library, here));

    const chap = library.access.chap;
    if (chap?.mutual !== undefined && chap.mutual.secret === chap.secret) {
      // RFC 7143 12.1.3: a secret used to authenticate initiators must not also authenticate the target.
      problems.push({ path: [...here, 'access', 'chap', 'mutual', 'secret'], message: 'the mutual CHAP secret must differ from the initiator secret' });
    }
  });
  problems.push(...checkGlobalDedupCompression(config));
  const discovery = config.iscsi.discoveryChap;
  if (discovery?.mutual !== undefined && discovery.mutual.secret === discovery.secret) {
    problems.push({ path: ['iscsi', 'discoveryChap', 'mutual', 'secret'], message: 'the mutual CHAP secret must differ from the initiator secret' });
  }
  return problems;
}

/** The libraries with dedup scope global share one chunk store, which compresses new chunks one way. */
function checkGlobalDedupCompression(config: VtlConfig): Problem[] {
  const problems: Problem[] = [];
  let first: { index: number; said: string } | undefined;
  config.libraries.forEach((library, index) => {
    if (!library.dedup.enabled || library.dedup.scope !== 'global') return;
    const said = library.dedup.compression;
    if (first === undefined) first = { index, said };
    else if (said !== first.said) problems.push({ path: ['libraries', index, 'dedup', 'compression'], message: `differs from libraries[${first.index}], which shares the global chunk store` });
  });
  return problems;
}

const ELEMENT_KINDS = [
  { key: 'transport', label: 'medium transport' },
  { key: 'storage', label: 'storage' },
  { key: 'importExport', label: 'import/export' },
  { key: 'dataTransfer', label: 'data transfer' },
] as const;

function checkElementAddresses(library: LibraryConfig, here: Path): Problem[] {
  const counts = { transport: 1, storage: library.slots, importExport: library.mailSlots, dataTransfer: library.driveCount };
  const problems: Problem[] = [];
  const ranges = ELEMENT_KINDS.filter((kind) => counts[kind.key] > 0).map((kind) => {
    const first = library.elementAddresses[kind.key];
    return { ...kind, first, last: first + counts[kind.key] - 1 };
  });
  const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
  const span = (r: { first: number; last: number }): string => (r.first === r.last ? hex(r.first) : `${hex(r.first)}-${hex(r.last)}`);
  ranges.forEach((range, i) => {
    const path = [...here, 'elementAddresses', range.key];
    if (range.last >= ADDRESS_LIMIT) {
      problems.push({ path, message: `${range.label} elements ${span(range)} run past the last element address 0xffff` });
    }
    for (const other of ranges.slice(0, i)) {
      if (range.first <= other.last && other.first <= range.last) {
        problems.push({ path, message: `${range.label} elements ${span(range)} overlap ${other.label} elements ${span(other)}` });
      }
    }
  });
  return problems;
}

function checkInitialCartridges(library: LibraryConfig, here: Path): Problem[] {
  const { count, barcodePrefix } = library.initialCartridges;
  const path = [...here, 'initialCartridges'];
  const problems: Problem[] = [];
  const digits = VOLSER_LENGTH - barcodePrefix.length;
  // Initial cartridges are numbered from 1 (A00001L8), so all-zero serials are never used.
  const room = 10 ** digits - 1;
  if (count > room) {
    problems.push({
      path: [...path, 'count'],
      message: `${count} cartridges do not fit the barcode prefix "${barcodePrefix}": it leaves ${digits} digit${digits === 1 ? '' : 's'}, room for ${room} (numbered from 1)`,
    });
    return problems;
  }
  if (count > library.slots) problems.push({ path: [...path, 'count'], message: `${count} cartridges do not fit in ${library.slots} slots` });
  return problems;
}

/** The offset of the deepest node on `path` that exists in the file (a missing field points at its parent). */
function locate(doc: Document, path: Path): { offset: number; path: Path } {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === segment);
      if (pair === undefined) break;
      // Point at the key (`slots: 0` reports the column of `slots`), as editors and the example in README do.
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return { offset, path };
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: unknown }).range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

function inFileOrder(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * A key with no value (`changer:` whose fields are all commented out) means "the default", as if it were absent;
 * otherwise commenting out the last field of a section would break the file.
 */
function withoutEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyValues);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutEmptyValues(v)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
