// The SIGKILL soak (issue 13): a real `vtl serve` on a temporary data folder is driven over iSCSI (writes of many
// sizes, filemarks with and without IMMED, overwrites in the middle, rewinds, unloads, MOVE MEDIUM between slots and
// drives), killed with SIGKILL at random points and started again, as many times as asked. After every restart:
// every record acknowledged and then flushed reads back identical, what was acknowledged but not flushed reads back
// as a prefix of what was written (lost, never altered, duplicated or resurrected), and the catalog holds every
// cartridge exactly once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { CartridgeView, ElementView } from '../../src/management/views.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { VtlServer, vtlPorts } from '../e2e/vtl-process.js';
import { HostTapeModel, checkReadBack } from '../media/host-tape-model.js';
import { TapeCdb } from '../media/tape-cdb.js';
import { describeResult, readWholeTape, untilReady } from './soak-host.js';
import {
  DRIVE_ADDRESS, DRIVES, SLOT_ADDRESS, SLOTS, moveAction, seededRandom, tapeAction, type Action, type DriveSlot, type Random, type SoakCartridge,
} from './soak-actions.js';

const LIBRARY = 'soak';
const IQN = `iqn.2026-11.org.vtl:${LIBRARY}`;
const BARCODES = ['A00001L8', 'A00002L8', 'A00003L8', 'A00004L8'];
const CONFIG = `server:
  logLevel: warn
libraries:
  - name: ${LIBRARY}
    driveCount: ${DRIVES}
    slots: ${SLOTS}
    mailSlots: 1
    initialCartridges:
      count: ${BARCODES.length}
      capacityBytes: 268435456
`;

export interface SoakOptions {
  readonly kills: number;
  readonly maxMinutes: number;
  readonly seed: number;
  /** Progress lines (one per kill); silent when absent. */
  readonly progress?: (line: string) => void;
  /** Every command and its answer, every kill and check (to study a failure). */
  readonly trace?: (line: string) => void;
}

export interface SoakSummary {
  kills: number;
  commandsAcknowledged: number;
  overwrites: number;
  moves: number;
  cartridgeChecks: number;
  recordsVerified: number;
  bytesVerified: number;
  catalogChecks: number;
  readonly problems: string[];
  elapsedSeconds: number;
  /** The data folder, kept when a problem was found (removed otherwise). */
  dataDir: string;
}

export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'vtl-soak-'));
  const configPath = join(dir, 'vtl.yaml');
  await writeFile(configPath, CONFIG);
  const vtl = new VtlServer({ dataDir: join(dir, 'data'), configPath, ...(await vtlPorts()), logPath: join(dir, 'vtl.log') });
  const summary: SoakSummary = {
    kills: 0, commandsAcknowledged: 0, overwrites: 0, moves: 0, cartridgeChecks: 0, recordsVerified: 0, bytesVerified: 0,
    catalogChecks: 0, problems: [], elapsedSeconds: 0, dataDir: dir,
  };
  const world: World = {
    cartridges: new Map(BARCODES.map((b) => [b, { barcode: b, model: new HostTapeModel(), possible: undefined }])),
    slotOf: new Map(),
    random: seededRandom(options.seed),
    summary,
    trace: options.trace ?? (() => undefined),
  };
  try {
    while (summary.kills < options.kills && Date.now() - started < options.maxMinutes * 60_000 && summary.problems.length === 0) {
      await vtl.start(60_000);
      await cycle(vtl, world);
      await vtl.kill();
      summary.kills++;
      options.progress?.(`kill ${summary.kills}: ${summary.recordsVerified} records verified, ${summary.commandsAcknowledged} commands acknowledged`);
    }
    // A last start checks what the last kill left.
    if (summary.problems.length === 0) {
      await vtl.start(60_000);
      await verifyAfterRestart(vtl, world);
      await vtl.stop();
    }
  } finally {
    await vtl.kill();
    summary.elapsedSeconds = Math.round((Date.now() - started) / 100) / 10;
    if (summary.problems.length === 0) await rm(dir, { recursive: true, force: true });
  }
  return summary;
}

/** The soak's state across restarts. */
interface World {
  readonly cartridges: Map<string, SoakCartridge>;
  /** Where the host believes each cartridge outside the drives is (slot index), from the element status. */
  readonly slotOf: Map<string, number>;
  readonly random: Random;
  readonly summary: SoakSummary;
  readonly trace: (line: string) => void;
}

/** One life of the server: check what the last kill left, then work until a kill at a random point. */
async function cycle(vtl: VtlServer, world: World): Promise<void> {
  const { random, summary } = world;
  if (random() < 0.1) {
    // Killed while starting up: drives are reloading their cartridges and recovery may be running.
    await sleep(Math.floor(random() * 100));
    world.trace('killed while starting');
    return;
  }
  const session = await verifyAfterRestart(vtl, world);
  if (session === undefined) return;
  const { s, drives } = session;
  const killAt = Math.floor(random() * 40);
  try {
    for (let n = 0; summary.problems.length === 0; n++) {
      const action = nextAction(world, drives, n);
      if (n < killAt) {
        await perform(s, action, drives, world);
        continue;
      }
      // The kill lands while this command is on its way, being executed or answered.
      if (action.writes !== undefined) action.writes.cartridge.possible = action.writes.tape;
      const answer = s.command(action.lun, action.cdb, { ...(action.dataOut === undefined ? {} : { dataOut: action.dataOut }), expectedDataInLength: 0 });
      answer.catch(() => undefined);
      const delayMs = random() < 0.3 ? 0 : Math.floor(random() * 20);
      if (delayMs === 0) await nextTurn();
      else await sleep(delayMs);
      await vtl.kill();
      world.trace(`killed ${delayMs} ms into: ${action.what}`);
      return;
    }
  } finally {
    s.socket.destroy();
  }
}

function nextAction(world: World, drives: DriveSlot[], n: number): Action {
  const { random, summary, slotOf, cartridges } = world;
  const i = Math.floor(random() * DRIVES);
  const drive = drives[i];
  if (drive.cartridge !== undefined && drive.ejected) {
    // Put it back in a free slot.
    const free = freeSlot(slotOf);
    const c = drive.cartridge;
    return moveAction(`MOVE ${c.barcode} from drive ${i} to slot ${free}`, DRIVE_ADDRESS + i, SLOT_ADDRESS + free, () => {
      drive.cartridge = undefined;
      drive.ejected = false;
      slotOf.set(c.barcode, free);
      summary.moves++;
    });
  }
  if (drive.cartridge === undefined) {
    const inSlots = [...cartridges.values()].filter((c) => slotOf.has(c.barcode));
    const c = inSlots[Math.floor(random() * inSlots.length)];
    const from = c === undefined ? undefined : slotOf.get(c.barcode);
    if (c === undefined || from === undefined) return { what: 'TEST UNIT READY of the changer (no cartridge in a slot)', lun: 0, cdb: TapeCdb.testUnitReady(), onGood: () => undefined };
    return moveAction(`MOVE ${c.barcode} from slot ${from} to drive ${i}`, SLOT_ADDRESS + from, DRIVE_ADDRESS + i, () => {
      drive.cartridge = c;
      slotOf.delete(c.barcode);
      c.model.moveTo(0);
      summary.moves++;
    });
  }
  const c = drive.cartridge;
  const action = tapeAction(random, i, c, summary.commandsAcknowledged * 7919 + n);
  const overwrite = action.writes !== undefined && c.model.position < c.model.endOfData;
  const unload = action.what.startsWith('UNLOAD');
  if (!overwrite && !unload) return action;
  return {
    ...action,
    onGood: () => {
      action.onGood();
      if (overwrite) summary.overwrites++;
      if (unload) drive.ejected = true;
    },
  };
}

function freeSlot(slotOf: ReadonlyMap<string, number>): number {
  const used = new Set(slotOf.values());
  for (let j = 0; j < SLOTS; j++) if (!used.has(j)) return j;
  throw new Error(`No free slot among ${SLOTS}`);
}

async function perform(s: IscsiInitiator, action: Action, drives: DriveSlot[], world: World): Promise<void> {
  const { summary } = world;
  const r = await s.command(action.lun, action.cdb, { ...(action.dataOut === undefined ? {} : { dataOut: action.dataOut }), expectedDataInLength: 0 });
  world.trace(`${action.what}: ${describeResult(r)}`);
  if (r.status !== 0) {
    summary.problems.push(`${action.what}: ${describeResult(r)}`);
    return;
  }
  summary.commandsAcknowledged++;
  action.onGood();
  if (action.lun === 0) {
    // A move into a drive: wait for the load, then check the cartridge.
    for (const [i, d] of drives.entries()) {
      if (d.cartridge === undefined || d.ejected || !action.what.endsWith(`drive ${i}`)) continue;
      const notReady = await untilReady(s, i + 1);
      if (notReady !== undefined) summary.problems.push(`drive ${i} after ${action.what}: ${notReady}`);
      else await verifyCartridge(s, i + 1, d.cartridge, world);
    }
  }
}

/** Check the catalog, then every cartridge in a drive; the host's view of the library follows the element status. */
async function verifyAfterRestart(vtl: VtlServer, world: World): Promise<{ s: IscsiInitiator; drives: DriveSlot[] } | undefined> {
  const { cartridges, slotOf, summary } = world;
  const elements = await checkCatalog(vtl, summary);
  if (elements === undefined) return undefined;
  const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: vtl.options.iscsiPort, initiatorName: 'iqn.2026-11.org.vtl.test:soak', targetName: IQN });
  const drives: DriveSlot[] = Array.from({ length: DRIVES }, () => ({ cartridge: undefined, ejected: false }));
  slotOf.clear();
  for (const e of elements) {
    const c = e.barcode === null ? undefined : cartridges.get(e.barcode);
    if (c === undefined) continue;
    if (e.kind === 'drive') drives[e.address - DRIVE_ADDRESS].cartridge = c;
    else if (e.kind === 'slot') slotOf.set(c.barcode, e.address - SLOT_ADDRESS);
  }
  await untilReady(s, 0);
  for (const [i, d] of drives.entries()) {
    if (d.cartridge === undefined) continue;
    const notReady = await untilReady(s, i + 1);
    if (notReady !== undefined) summary.problems.push(`drive ${i} holding ${d.cartridge.barcode} after a restart: ${notReady}`);
    else await verifyCartridge(s, i + 1, d.cartridge, world);
  }
  return { s, drives };
}

async function verifyCartridge(s: IscsiInitiator, lun: number, c: SoakCartridge, world: World): Promise<void> {
  const { summary } = world;
  const read = await readWholeTape(s, lun);
  world.trace(`read back ${c.barcode} in drive ${lun - 1}: ${'problem' in read ? read.problem : `${read.objects.length} objects; host: ${c.model.durable} flushed of ${c.model.endOfData}`}`);
  if ('problem' in read) {
    summary.problems.push(`${c.barcode}: ${read.problem}`);
    return;
  }
  const problem = checkReadBack(read.objects, c.model, c.possible === undefined ? {} : { possible: [c.possible] });
  summary.cartridgeChecks++;
  if (problem !== undefined) {
    summary.problems.push(`${c.barcode}: ${problem}`);
    return;
  }
  summary.recordsVerified += read.objects.length;
  for (const o of read.objects) if (o.kind === 'block') summary.bytesVerified += o.data.length;
  c.model.adopt(read.objects);
  c.possible = undefined;
}

/** Every cartridge is in the catalog exactly once, and in exactly one element, the one its location names. */
async function checkCatalog(vtl: VtlServer, summary: SoakSummary): Promise<ElementView[] | undefined> {
  const listed = (await vtl.api('GET', `/cartridges?library=${LIBRARY}`)) as CartridgeView[];
  const elements = (await vtl.api('GET', `/libraries/${LIBRARY}/elements`)) as ElementView[];
  summary.catalogChecks++;
  const barcodes = listed.map((c) => c.barcode).sort();
  if (barcodes.join() !== BARCODES.join()) summary.problems.push(`the catalog lists ${barcodes.join(', ')}; expected ${BARCODES.join(', ')}`);
  for (const c of listed) {
    const holding = elements.filter((e) => e.barcode === c.barcode);
    if (holding.length !== 1 || holding[0].address !== c.location.address) {
      summary.problems.push(`${c.barcode} is in ${holding.length} element(s) (${holding.map((e) => e.address).join(', ')}), its location says ${c.location.kind} ${c.location.address}`);
    }
  }
  return summary.problems.length === 0 ? elements : undefined;
}
