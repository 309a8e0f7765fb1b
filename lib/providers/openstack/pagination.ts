/**
 * Marker pagination, as every OpenStack service pages: `?limit=N&marker=<last id>`, with a next link
 * (`servers_links`, `networks_links`… `[{rel:"next",href}]`, or Glance's top-level `next`) while more remain.
 */
import type { Query, ServiceHttp } from './http.js';

export interface Page<T> {
  items: T[];
  /** Marker of the next page; absent on the last one. */
  nextMarker?: string;
  requestId?: string;
}

export type PageQuery = {
  limit?: number;
  marker?: string;
};

export interface ListOptions {
  /** Items asked per request while following the pages (default 100; the service may cap it). */
  pageSize?: number;
}

export const DEFAULT_PAGE_SIZE = 100;

interface PageSpec<T> {
  /** Collection key of the body (`servers`, `images`…); its links are `<key>_links`. */
  key: string;
  /** Marker of an item: its id, a keypair's name. */
  markerOf: (item: T) => string;
  /** Unwraps an item (Nova's keypairs come as `{keypair:{…}}`). */
  unwrap?: (raw: unknown) => T;
}

function hasNextLink(body: Record<string, unknown>, key: string): boolean {
  const links = body[`${key}_links`];
  if (Array.isArray(links)) return links.some((l) => (l as { rel?: string }).rel === 'next');
  return typeof body.next === 'string' && body.next !== '';
}

/** One page. */
export async function fetchPage<T>(http: ServiceHttp, p: string, query: Query & PageQuery, spec: PageSpec<T>): Promise<Page<T>> {
  const res = await http.get<Record<string, unknown>>(p, query);
  const body = res.data && typeof res.data === 'object' ? res.data : {};
  const raw = Array.isArray(body[spec.key]) ? (body[spec.key] as unknown[]) : [];
  const items = spec.unwrap ? raw.map(spec.unwrap) : (raw as T[]);
  const last = items.at(-1);
  // A full page is followed even without a link: an extra, empty request is cheaper than a missed page.
  const more = hasNextLink(body, spec.key) || (query.limit !== undefined && items.length >= query.limit);
  return {
    items,
    ...(more && last !== undefined && { nextMarker: spec.markerOf(last) }),
    ...(res.requestId && { requestId: res.requestId }),
  };
}

/** Every item, page after page, to the end. A marker seen twice (a service ignoring it) ends the walk. */
export async function* paginate<T>(
  http: ServiceHttp,
  p: string,
  query: Query,
  spec: PageSpec<T>,
  opts: ListOptions = {},
): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  let marker: string | undefined;
  for (;;) {
    const page = await fetchPage(http, p, { ...query, limit: opts.pageSize ?? DEFAULT_PAGE_SIZE, marker }, spec);
    yield* page.items;
    if (page.nextMarker === undefined || seen.has(page.nextMarker)) return;
    seen.add(page.nextMarker);
    marker = page.nextMarker;
  }
}

/**
 * Drains an async iterator into an array.
 *
 * @example const servers = await collect(client.nova.listServers({ status: 'ACTIVE' }));
 */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export const byId = (item: { id: string }): string => item.id;
