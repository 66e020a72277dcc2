// Management on any node: a change to a library another node serves (a drive to unload, a cartridge to import,
// export, shelve, protect or delete, cartridges to create) is sent to that node's API, which answers it; reads are
// answered here from the shared catalog. The owner's API address comes from `cluster_nodes`. A request that was
// already forwarded is never forwarded again (the owner may have changed meanwhile: the catalog's fence then refuses).
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log.js';
import type { ClusterView } from './cluster-node.js';

/** The header a forwarded request carries: the forwarding node's id. */
export const FORWARDED_BY = 'x-vtl-forwarded-by';
const FORWARD_TIMEOUT_MS = 60_000;

export interface ForwardContext {
  readonly nodeId: string;
  readonly view: () => ClusterView;
  readonly isServedHere: (library: string) => boolean;
  /** Where a cartridge is (its library when it is in an element of one); undefined when unknown. */
  readonly locate: (barcode: string) => { readonly kind: 'element' | 'shelf'; readonly library: string } | undefined;
  /** `https:` when the API speaks TLS. */
  readonly scheme: 'http:' | 'https:';
  readonly log: Logger;
}

/** The library a change acts on, from its route and body; undefined for changes that belong to no library. */
export function libraryOfChange(ctx: ForwardContext, routePath: string, params: Readonly<Record<string, string>>, body: unknown): string | undefined {
  const field = (name: string): string | undefined => {
    const v = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  if (routePath === '/drives/{library}/{index}/unload') return params['library'];
  if (routePath === '/cartridges') return field('library');
  const barcode = params['barcode'];
  if (barcode === undefined || !routePath.startsWith('/cartridges/{barcode}')) return undefined;
  const at = ctx.locate(barcode);
  if (routePath.endsWith('/unshelve')) return field('library') ?? at?.library;
  // A cartridge on the shelf belongs to no library's drives or slots: any node changes it.
  return at?.kind === 'element' ? at.library : undefined;
}

export function forwardToOwner(ctx: ForwardContext) {
  return async (request: IncomingMessage, routePath: string, params: Readonly<Record<string, string>>, body: unknown): Promise<{ status: number; body: unknown } | undefined> => {
    if (request.headers[FORWARDED_BY] !== undefined) return undefined;
    const library = libraryOfChange(ctx, routePath, params, body);
    if (library === undefined || ctx.isServedHere(library)) return undefined;
    const view = ctx.view();
    const owner = view.owners.find((o) => o.library === library && o.live && o.owner !== ctx.nodeId);
    const member = owner && view.nodes.find((n) => n.nodeId === owner.owner);
    // Nobody serves it now: done here, where the catalog's fence refuses it if another node has taken it meanwhile.
    if (!member) return undefined;
    const headers: Record<string, string> = { [FORWARDED_BY]: ctx.nodeId };
    if (request.headers.authorization !== undefined) headers['authorization'] = request.headers.authorization;
    const hasBody = request.method !== 'GET' && request.method !== 'DELETE';
    if (hasBody) headers['content-type'] = 'application/json';
    let answer: Response;
    let text: string;
    try {
      answer = await fetch(`${ctx.scheme}//${member.apiAddress}${request.url ?? '/'}`, {
        method: request.method ?? 'POST', headers, ...(hasBody ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
      text = await answer.text();
    } catch (err) {
      ctx.log.warn({ err, library, owner: member.nodeId }, 'could not forward a management request to the library\'s owner');
      const message = `Library "${library}" is served by node "${member.nodeId}" (${member.apiAddress}), which did not answer`;
      return { status: 502, body: { error: { status: 502, code: 'owner-unreachable', message } } };
    }
    ctx.log.info({ library, owner: member.nodeId, method: request.method, path: request.url, status: answer.status }, 'management request forwarded to the library\'s owner');
    return { status: answer.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
}
