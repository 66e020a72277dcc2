import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LibraryEvent, LibraryListener } from '../library/library-event.js';
import { ManagementService, type LibraryOperations } from './service.js';

/** A library that only delivers events: enough for the service's event window. */
function eventSource(): { library: LibraryOperations; emit(barcode: string): void; listeners: Set<LibraryListener> } {
  const listeners = new Set<LibraryListener>();
  const library = {
    on: (listener: LibraryListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as LibraryOperations;
  const emit = (barcode: string): void => {
    const event: LibraryEvent = {
      type: 'cartridge-moved',
      library: 'lib0',
      barcode,
      from: { kind: 'element', library: 'lib0', type: 'storage', index: 0, address: 0x1000 },
      to: { kind: 'shelf', library: 'lib0' },
      actor: 'operator',
      at: '2026-11-26T00:00:00.000Z',
    };
    for (const listener of listeners) listener(event);
  };
  return { library, emit, listeners };
}

test('events() keeps the newest events of the window, numbered from 1, oldest first', () => {
  const source = eventSource();
  const service = new ManagementService({ manager: source.library, version: 'x', eventWindow: 3 });
  for (const barcode of ['A', 'B', 'C', 'D', 'E']) source.emit(barcode);
  assert.deepEqual(service.events().map((e) => [e.id, e.barcode]), [[3, 'C'], [4, 'D'], [5, 'E']]);
  assert.deepEqual(service.events(4).map((e) => e.id), [5]);
  assert.deepEqual(service.events(0, 1).map((e) => e.id), [5]);
  const [first] = service.events();
  assert.deepEqual(first?.from, { kind: 'slot', library: 'lib0', address: 0x1000, index: 0 });
  assert.deepEqual(first?.to, { kind: 'shelf', library: 'lib0', address: null, index: null });
  service.close();
});

test('a subscriber that throws is dropped without disturbing the others', () => {
  const source = eventSource();
  const service = new ManagementService({ manager: source.library, version: 'x' });
  const seen: number[] = [];
  let failures = 0;
  service.subscribe(() => {
    failures++;
    throw new Error('stream closed');
  });
  const unsubscribe = service.subscribe((e) => seen.push(e.id));
  source.emit('A');
  source.emit('B');
  unsubscribe();
  source.emit('C');
  assert.deepEqual(seen, [1, 2]);
  assert.equal(failures, 1);
  service.close();
});

test('close() stops following the library', () => {
  const source = eventSource();
  const service = new ManagementService({ manager: source.library, version: 'x' });
  assert.equal(source.listeners.size, 1);
  service.close();
  assert.equal(source.listeners.size, 0);
});

test('status() counts uptime from construction with the injected clock', () => {
  const source = eventSource();
  let now = new Date('2026-11-26T10:00:00.000Z');
  const library = { ...source.library, libraries: () => [], catalogWriteState: () => ({ writable: true }) } as unknown as LibraryOperations;
  const service = new ManagementService({ manager: library, version: '1.0.0', now: () => now });
  now = new Date('2026-11-26T11:01:01.900Z');
  const status = service.status();
  assert.equal(status.startedAt, '2026-11-26T10:00:00.000Z');
  assert.equal(status.uptimeSeconds, 3661);
  assert.deepEqual(status.sessions, []);
  assert.deepEqual(status.catalog, { writable: true, problem: null, since: null });
  service.close();
});
