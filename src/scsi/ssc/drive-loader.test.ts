import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DriveRemovalPreventedError, type MountRequest } from '../../library/drive-port.js';
import { silentLogger } from '../../log.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { SpcCore } from '../spc/spc-core.js';
import { DriveLoader, type MountHooks } from './drive-loader.js';
import { nexus } from './testing/drive-harness.js';
import { MemoryMediaStore } from './testing/memory-media-store.js';

const request = (overrides: Partial<MountRequest> = {}): MountRequest => ({
  barcode: 'A00001L8', generation: 8, worm: false, cleaning: false, writeProtected: false, capacityBytes: 1 << 20, ...overrides,
});

/** A loader of an LTO-8 drive over a memory store; `steps` lists the hooks and the medium calls in the order they ran. */
function setup(hookOverrides: Partial<MountHooks> = {}): { loader: DriveLoader; store: MemoryMediaStore; core: SpcCore; steps: string[] } {
  const steps: string[] = [];
  const store = new MemoryMediaStore();
  const open = store.open.bind(store);
  store.open = async (c) => traced(await open(c), steps);
  const core = new SpcCore();
  const hooks: MountHooks = {
    cleaned: () => void steps.push('cleaned'),
    threaded: () => Promise.resolve(void steps.push('threaded')),
    incompatible: (r) => void steps.push(`incompatible ${r.generation}`),
    unloading: () => Promise.resolve(void steps.push('unloading')),
    shuttingDown: () => void steps.push('shuttingDown'),
    unloaded: () => void steps.push('unloaded'),
    ...hookOverrides,
  };
  return { loader: new DriveLoader({ name: 'drive0', generation: 8, mediaStore: store, core, log: silentLogger(), hooks }), store, core, steps };
}

function traced(medium: TapeMedium, steps: string[]): TapeMedium {
  for (const name of ['rewind', 'flush', 'close'] as const) {
    const call = medium[name].bind(medium);
    medium[name] = () => {
      steps.push(name);
      return call();
    };
  }
  return medium;
}

function gated(store: MemoryMediaStore): () => void {
  let open!: () => void;
  store.openGate = new Promise<void>((resolve) => (open = resolve));
  return open;
}

describe('DriveLoader', () => {
  test('a load opens the cartridge, then threads it in the unit queue: rewound, the threaded hook, ready, 28/00 raised', async () => {
    const { loader, core, steps } = setup();
    core.unitAttentions.register(nexus(1).id);
    core.unitAttentions.take(nexus(1).id);
    await loader.load(request());
    assert.deepEqual(steps, ['rewind', 'threaded']);
    assert.equal(loader.current?.phase, 'ready');
    assert.equal(core.unitAttentions.peek(nexus(1).id), 'NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED');
    assert.deepEqual(loader.state(), { loaded: 'A00001L8', removalPrevented: false, ejected: false });
  });

  test('while the cartridge is being opened the mount is loading, and a second load is refused', async () => {
    const { loader, store } = setup();
    const open = gated(store);
    const loading = loader.load(request());
    assert.equal(loader.current?.phase, 'loading');
    await assert.rejects(loader.load(request({ barcode: 'B00001L8' })), /it holds A00001L8/);
    open();
    await loading;
    assert.equal(loader.current?.request.barcode, 'A00001L8');
  });

  test('a cartridge unloaded while it was being opened is closed, never threaded', async () => {
    const { loader, store, steps } = setup();
    const open = gated(store);
    const loading = loader.load(request());
    await loader.unload({ force: false });
    open();
    await loading;
    assert.deepEqual(steps, ['unloaded', 'close'], 'the unload empties the drive at once; the open, once done, only closes');
    assert.equal(loader.current, undefined);
  });

  test('a cartridge still being opened at shutdown is closed, never threaded', async () => {
    const { loader, store, steps } = setup();
    const open = gated(store);
    const loading = loader.load(request());
    await loader.shutdown();
    open();
    await loading;
    assert.deepEqual(steps, ['shuttingDown', 'close']);
    assert.equal(loader.current?.medium, undefined);
  });

  test('a failing threaded hook fails the load and leaves the drive empty', async () => {
    const { loader } = setup({ threaded: () => Promise.reject(new Error('audit log unwritable')) });
    await assert.rejects(loader.load(request()), /audit log unwritable/);
    assert.equal(loader.current, undefined);
  });

  test('cleaning and incompatible cartridges are threaded without opening and shown ejected', async () => {
    const cleaning = setup();
    await cleaning.loader.load(request({ cleaning: true }));
    assert.deepEqual(cleaning.steps, ['cleaned']);
    assert.equal(cleaning.loader.state().ejected, true);
    const old = setup();
    await old.loader.load(request({ generation: 5 }));
    assert.deepEqual(old.steps, ['incompatible 5']);
    assert.equal(old.loader.current?.medium, undefined);
    assert.equal(old.loader.state().ejected, true);
  });

  test('unload flushes, lets the drive note it, rewinds and closes; prevented removal refuses it unless forced', async () => {
    const { loader, core, steps } = setup();
    await loader.load(request());
    steps.length = 0;
    core.mediumRemoval.set('n1', true);
    await assert.rejects(loader.unload({ force: false }), DriveRemovalPreventedError);
    assert.deepEqual(steps, []);
    await loader.unload({ force: true });
    assert.deepEqual(steps, ['flush', 'unloading', 'rewind', 'close', 'unloaded']);
    assert.equal(core.mediumRemoval.prevented(), false);
    assert.equal(loader.current, undefined);
  });

  test('a host eject keeps the cartridge, ejected, and a host load makes it ready again', async () => {
    const { loader, core, steps } = setup();
    await loader.load(request());
    core.unitAttentions.register(nexus(1).id);
    core.unitAttentions.take(nexus(1).id);
    loader.ejectByHost();
    assert.equal(loader.current?.phase, 'ejected');
    assert.equal(steps.at(-1), 'unloaded', 'the keys go with the eject');
    assert.equal(loader.reloadByHost(nexus(2)), true);
    assert.equal(loader.current?.phase, 'ready');
    assert.equal(core.unitAttentions.peek(nexus(1).id), 'NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED');
  });
});
