import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const LOG_MODULE = fileURLToPath(new URL('./log.js', import.meta.url));
/** A program that logs one line from a component, with a field and a secret. */
const PROGRAM = `import(${JSON.stringify(LOG_MODULE)}).then((m) => m.createLogger().child({ component: 'iscsi' }).info({ port: 3260, secret: 'hunter2' }, 'listening'))`;

/** The program's stdout, through a pipe or on a terminal (script(1) gives it one). */
async function logged(terminal: boolean, format?: string): Promise<string> {
  const env = { ...process.env, VTL_LOG_FORMAT: format ?? '', VTL_LOG_LEVEL: 'info' };
  const command = `${process.execPath} -e ${JSON.stringify(PROGRAM)}`;
  const { stdout } = terminal ? await run('script', ['-qefc', command, '/dev/null'], { env }) : await run(process.execPath, ['-e', PROGRAM], { env });
  // eslint-disable-next-line no-control-regex -- the colours a terminal gets
  return stdout.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
}

test('createLogger() writes one JSON object per line when stdout is not a terminal', async () => {
  const lines = (await logged(false)).trim().split('\n');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.equal(entry['msg'], 'listening');
  assert.equal(entry['component'], 'iscsi');
  assert.equal(entry['port'], 3260);
  assert.equal(entry['level'], 30);
  assert.equal(entry['secret'], '[redacted]');
});

test('createLogger() writes readable lines on a terminal: time, level, component, message and fields on one line', async () => {
  const text = (await logged(true)).trim();
  assert.equal(text.split('\n').length, 1, text);
  assert.match(text, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: iscsi: listening \{.*"port":3260/);
  assert.ok(text.includes('"secret":"[redacted]"'), text);
  assert.ok(!text.includes('hunter2'));
});

test('VTL_LOG_FORMAT overrides the choice either way', async () => {
  assert.match(await logged(false, 'pretty'), /INFO: iscsi: listening/);
  assert.equal((JSON.parse((await logged(true, 'json')).trim()) as { msg: string }).msg, 'listening');
});

test('an unknown VTL_LOG_FORMAT is named in a warning and the terminal test decides', async () => {
  const lines = (await logged(false, 'fancy')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines[0]?.['msg'], 'VTL_LOG_FORMAT must be json or pretty; ignored');
  assert.equal(lines[0]?.['VTL_LOG_FORMAT'], 'fancy');
  assert.equal(lines[1]?.['msg'], 'listening');
});
