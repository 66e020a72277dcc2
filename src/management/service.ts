// The management application service: the one place REST, the CLI (through REST) and a future web UI reach the
// library. It turns the model into the views of views.ts and keeps a ring of recent events for GET /events.
import type { ApiTokenInfo, Principal } from '../library/api-token-store.js';
import type { CartridgeFilter } from '../library/cartridge.js';
import type { LibraryEvent } from '../library/library-event.js';
import type { CreateCartridgesRequest, LibraryManager } from '../library/library-manager.js';
import { untilAfterDays, type RetentionMode } from '../library/retention.js';
import type { Role } from '../library/role.js';
import type { DedupView } from './dedup-status.js';
import { EventRing } from './event-ring.js';
import type { CartridgeQuery, ClusterStatus, CreateCartridges, RetentionView, ServerStatus } from './service-types.js';
import { sessionView, type SessionProvider } from './session-view.js';
import {
  cartridgeView,
  driveView,
  ELEMENT_OF_KIND,
  elementView,
  eventView,
  libraryView,
  type CartridgeView,
  type CopyEventView,
  type DriveActivity,
  type DriveView,
  type ElementView,
  type EventView,
  type LibraryView,
  type LocationKind,
} from './views.js';

export type { SessionInfo, SessionProvider, SessionView } from './session-view.js';
/** What src/cluster reports; status() copies it into the API's ClusterStatus. */
type ClusterSource = { readonly [K in keyof ClusterStatus]: Readonly<ClusterStatus[K]> };

export type { CartridgeQuery, CreateCartridges, RetentionView, ServerStatus } from './service-types.js';

/** The library operations the service uses: LibraryManager satisfies it; naming them keeps the service honest. */
export type LibraryOperations = Pick<
  LibraryManager,
  | 'libraries'
  | 'library'
  | 'elements'
  | 'drives'
  | 'cartridges'
  | 'cartridge'
  | 'createCartridges'
  | 'importCartridge'
  | 'exportCartridge'
  | 'shelveCartridge'
  | 'unshelveCartridge'
  | 'deleteCartridge'
  | 'setWriteProtected'
  | 'unloadDrive'
  | 'on'
  | 'catalogWriteState'
  | 'tokens'
  | 'retention'
>;

/** Live drive figures (position, bytes moved) the library does not keep; main.ts answers them from the drives. */
export type DriveStatusProvider = (library: string, index: number) => DriveActivity | undefined;

export interface ManagementServiceOptions {
  readonly manager: LibraryOperations;
  readonly version: string;
  readonly drives?: DriveStatusProvider;
  readonly sessions?: SessionProvider;
  /** A cluster node's view of the cluster (src/cluster), for status. */
  readonly cluster?: () => ClusterSource;
  /** A cluster node's id: its own events carry it, and events of other nodes come in through publishRemote(). */
  readonly nodeId?: string;
  /** How many recent events are kept for GET /events and for followers to resume from (default 10,000). */
  readonly eventWindow?: number;
  readonly now?: () => Date;
  /** With a deduplicating library: its figures for the cartridge and status views (issue 17). */
  readonly dedup?: Pick<DedupView, 'cartridge' | 'library' | 'summary'>;
}

export type EventListener = (event: EventView) => void;

const DEFAULT_EVENT_WINDOW = 10_000;

export class ManagementService {
  private readonly library: LibraryOperations;
  private readonly options: ManagementServiceOptions;
  private readonly startedAt: Date;
  private readonly recent: EventRing<EventView>;
  private readonly listeners = new Set<EventListener>();
  private readonly unsubscribe: () => void;

  constructor(options: ManagementServiceOptions) {
    this.options = options;
    this.library = options.manager;
    this.startedAt = this.now();
    this.recent = new EventRing(options.eventWindow ?? DEFAULT_EVENT_WINDOW);
    this.unsubscribe = this.library.on((event) => this.record(event));
  }

  /** Stop following library events (at shutdown). */
  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  get version(): string {
    return this.options.version;
  }

  status(): ServerStatus {
    const cluster = this.options.cluster?.();
    const ownerOf = (name: string): ServerStatus['libraries'][number]['owner'] => {
      const o = cluster?.owners.find((x) => x.library === name && x.live);
      return o && { nodeId: o.owner, portal: o.portal, token: o.token };
    };
    const libraries = this.library.libraries().map((info) => ({
      name: info.name,
      iqn: info.iqn,
      drives: info.drives,
      mountedDrives: this.library.drives(info.name).filter((d) => d.state?.loaded !== undefined).length,
      cartridges: info.cartridges,
      freeSlots: info.freeSlots,
      freeMailSlots: info.freeMailSlots,
      ...(cluster ? { owner: ownerOf(info.name) } : {}),
      ...withDedup(this.options.dedup?.library(info.name)),
    }));
    const catalog = this.library.catalogWriteState();
    return {
      version: this.options.version,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.max(0, Math.floor((this.now().getTime() - this.startedAt.getTime()) / 1000)),
      pid: process.pid,
      libraries,
      sessions: (this.options.sessions?.() ?? []).map(sessionView),
      catalog: catalog.writable ? { writable: true, problem: null, since: null } : { writable: false, problem: catalog.problem, since: catalog.since },
      ...(cluster ? { cluster: { nodeId: cluster.nodeId, nodes: [...cluster.nodes], owners: [...cluster.owners] } } : {}),
      ...withDedup(this.options.dedup?.summary()),
    };
  }

  libraries(): LibraryView[] {
    return this.library.libraries().map(libraryView);
  }

  libraryByName(name: string): LibraryView {
    return libraryView(this.library.library(name));
  }

  elements(library: string, kind?: Exclude<LocationKind, 'shelf'>): ElementView[] {
    return this.library.elements(library, kind === undefined ? undefined : ELEMENT_OF_KIND[kind]).map(elementView);
  }

  drives(library?: string): DriveView[] {
    const names = library === undefined ? this.library.libraries().map((l) => l.name) : [this.library.library(library).name];
    return names.flatMap((name) =>
      this.library.drives(name).map((d) => driveView(d, this.options.drives?.(d.library, d.index))),
    );
  }

  /** Unload a drive and put its cartridge back; `force` overrides a host's PREVENT MEDIUM REMOVAL. */
  async unloadDrive(library: string, index: number, force = false): Promise<CartridgeView | null> {
    const cartridge = await this.library.unloadDrive(library, index, { force, actor: 'operator' });
    return cartridge === undefined ? null : cartridgeView(cartridge);
  }

  cartridges(query: CartridgeQuery = {}): CartridgeView[] {
    const filter: { -readonly [K in keyof CartridgeFilter]: CartridgeFilter[K] } = {};
    if (query.library !== undefined) filter.library = this.library.library(query.library).name;
    if (query.barcode !== undefined) filter.barcode = query.barcode;
    if (query.generation !== undefined) filter.generation = query.generation;
    if (query.worm !== undefined) filter.worm = query.worm;
    if (query.location === 'shelf') filter.location = 'shelf';
    else if (query.location !== undefined) {
      filter.location = 'element';
      filter.elementType = ELEMENT_OF_KIND[query.location];
    }
    return this.library.cartridges(filter).map((c) => this.withDedupFigures(cartridgeView(c)));
  }

  cartridge(barcode: string): CartridgeView {
    return this.withDedupFigures(cartridgeView(this.library.cartridge(barcode)));
  }

  private withDedupFigures(view: CartridgeView): CartridgeView {
    return { ...view, ...withDedup(this.options.dedup?.cartridge(view.barcode)) };
  }

  async createCartridges(request: CreateCartridges): Promise<CartridgeView[]> {
    const create: CreateCartridgesRequest = {
      library: request.library,
      firstBarcode: request.barcode,
      count: request.count ?? 1,
      into: request.mailSlot === true ? 'importExport' : 'storage',
      ...(request.generation !== undefined ? { generation: request.generation } : {}),
      ...(request.capacityBytes !== undefined ? { capacityBytes: request.capacityBytes } : {}),
      ...(request.worm !== undefined ? { worm: request.worm } : {}),
    };
    return (await this.library.createCartridges(create, { actor: 'operator' })).map(cartridgeView);
  }

  /** Mail slot -> first free storage slot. */
  async importCartridge(barcode: string): Promise<CartridgeView> {
    return cartridgeView(await this.library.importCartridge(barcode, { actor: 'operator' }));
  }

  /** Storage slot or drive -> first free mail slot. */
  async exportCartridge(barcode: string): Promise<CartridgeView> {
    return cartridgeView(await this.library.exportCartridge(barcode, { actor: 'operator' }));
  }

  /** Mail slot -> offline shelf (with `direct`, from a storage slot too). */
  async shelveCartridge(barcode: string, direct = false): Promise<CartridgeView> {
    return cartridgeView(await this.library.shelveCartridge(barcode, { direct, actor: 'operator' }));
  }

  /** Shelf -> a free mail slot of its last library, or of `library`. */
  async unshelveCartridge(barcode: string, library?: string): Promise<CartridgeView> {
    const options = library === undefined ? { actor: 'operator' as const } : { library, actor: 'operator' as const };
    return cartridgeView(await this.library.unshelveCartridge(barcode, options));
  }

  async protectCartridge(barcode: string, on: boolean): Promise<CartridgeView> {
    return cartridgeView(await this.library.setWriteProtected(barcode, on, { actor: 'operator' }));
  }

  async deleteCartridge(barcode: string): Promise<void> {
    await this.library.deleteCartridge(barcode, { actor: 'operator' });
  }

  /** The token with this secret, if the catalog holds one. */
  authenticate(secret: string): Principal | undefined {
    return this.library.tokens.authenticate(secret);
  }

  tokens(): ApiTokenInfo[] {
    return this.library.tokens.list();
  }

  /** A new token; its secret is in this answer and nowhere else. */
  createToken(name: string, role: Role, by: Principal): ApiTokenInfo & { readonly secret: string } {
    return this.library.tokens.create(name, role, by.name);
  }

  revokeToken(name: string): ApiTokenInfo {
    return this.library.tokens.revoke(name);
  }

  retention(barcode: string): RetentionView {
    this.library.cartridge(barcode);
    return this.retentionView(barcode);
  }

  /** Lock, extend, or (governance, with the bypass) shorten; `days` counts from now. */
  setRetention(barcode: string, request: { mode: RetentionMode; days: number; bypassGovernance: boolean }, by: Principal): RetentionView {
    this.library.retention.set(barcode, { mode: request.mode, until: untilAfterDays(this.now(), request.days), by: by.name, bypassGovernance: request.bypassGovernance });
    return this.retentionView(barcode);
  }

  releaseRetention(barcode: string, bypassGovernance: boolean, by: Principal): RetentionView {
    this.library.retention.release(barcode, by.name, bypassGovernance);
    return this.retentionView(barcode);
  }

  /** Events with an id above `since` (oldest first), at most `limit` of the newest. */
  events(since = 0, limit = 100): EventView[] {
    return this.recent.after(since, limit);
  }

  /** One kept event, or undefined when it is not (yet, or any longer) kept. */
  event(id: number): EventView | undefined {
    return this.recent.get(id);
  }

  /** The ids of the oldest and newest events kept (oldest = newest + 1 while none is). */
  eventWindow(): { readonly oldestId: number; readonly newestId: number; readonly capacity: number } {
    return { oldestId: this.recent.oldestId, newestId: this.recent.newestId, capacity: this.recent.capacity };
  }

  /** Follow new events as they are committed; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A copy job changed state or reached a checkpoint: one event in the same stream as the library's. */
  publishCopyJob(job: CopyEventView & { readonly barcode: string; readonly library: string }, at: string): void {
    const { barcode, library, ...copy } = job;
    this.push({ id: this.recent.newestId + 1, type: 'copy-job-changed', library, barcode, from: null, to: null, actor: 'system', at, copy });
  }

  /** An event another node of the cluster published: into this node's stream, under this node's next id. */
  publishRemote(event: Omit<EventView, 'id'> & { readonly node: string }): void {
    this.push({ ...event, id: this.recent.newestId + 1 });
  }

  private record(event: LibraryEvent): void {
    this.push(eventView(this.recent.newestId + 1, event));
  }

  private push(event: EventView): void {
    const view = event.node === undefined && this.options.nodeId !== undefined ? { ...event, node: this.options.nodeId } : event;
    this.recent.push(view);
    for (const listener of this.listeners) {
      // A broken subscriber (a closed SSE stream) must not stop the library's own event delivery.
      try {
        listener(view);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  private retentionView(barcode: string): RetentionView {
    const lock = this.library.retention.lockOf(barcode);
    const status = this.library.retention.retentionOf(barcode, this.now());
    return { barcode, ...status, startedAt: lock?.startedAt ?? null, setBy: lock?.setBy ?? null };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** `{dedup}` when there are figures, nothing otherwise (the field is absent outside deduplicating libraries). */
function withDedup<T>(dedup: T | undefined): { dedup?: T } {
  return dedup === undefined ? {} : { dedup };
}
