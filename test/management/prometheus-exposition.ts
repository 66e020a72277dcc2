// A small reader of the Prometheus text exposition format (0.0.4) for the tests: prom-client has no parser, and
// the test must not trust the library it checks. It refuses anything outside the format instead of skipping it.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  /** Metric family name -> counter, gauge, histogram, summary or untyped. */
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Parse and validate: HELP before TYPE, one TYPE per family, every sample in a declared family. Throws naming the line. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Sample[] = [];
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  text.slice(0, -1).split('\n').forEach((line, i) => {
    const where = `line ${i + 1} "${line}"`;
    if (line === '') return;
    const comment = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (comment !== null) {
      const [, kind, name = '', rest = ''] = comment;
      if (kind === 'HELP') {
        helped.add(name);
      } else {
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type`);
        if (types.has(name)) throw new Error(`${where}: a second TYPE for ${name}`);
        if (!helped.has(name)) throw new Error(`${where}: TYPE without HELP before it`);
        types.set(name, rest);
      }
      return;
    }
    if (line.startsWith('#')) throw new Error(`${where}: unexpected comment`);
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`${where}: not a sample`);
    const [, name = '', labelText, valueText = ''] = m;
    const family = familyOf(name, types);
    if (family === undefined) throw new Error(`${where}: no TYPE declared for ${name}`);
    const value = parseValue(valueText);
    if (value === undefined) throw new Error(`${where}: bad value`);
    samples.push({ name, labels: parseLabels(labelText ?? '', where), value });
  });
  return { types, samples };
}

/** Prometheus reads values with Go's ParseFloat, which takes Inf and NaN in any case (prom-client writes `Nan`). */
function parseValue(text: string): number | undefined {
  if (/^[-+]?inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : undefined;
}

function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = m?.[1];
  if (base === undefined) return undefined;
  const type = types.get(base);
  if (type === 'histogram' || (type === 'summary' && m?.[2] !== 'bucket')) return base;
  return undefined;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (m === null) throw new Error(`${where}: bad labels at ${start}`);
    const [, key = '', raw = ''] = m;
    if (key in labels) throw new Error(`${where}: label ${key} twice`);
    labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The one sample named `name` whose labels include `labels`; throws when there is none or more than one. */
export function sampleValue(exposition: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): number {
  const found = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} with ${JSON.stringify(labels)}`);
  return found[0]?.value ?? NaN;
}
