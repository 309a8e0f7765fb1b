/** Deterministic helpers: a seeded PRNG, OpenStack-looking ids, addresses, pagination. */

/** mulberry32: small, fast and good enough to make ids and fault draws reproducible under a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Ids {
  /** A v4-shaped UUID (Nova, Neutron, Cinder, Glance, Octavia ids). */
  uuid(): string;
  /** 32 hex characters (Keystone ids). */
  hex(n?: number): string;
  /** Neutron's `fa:16:3e` OUI. */
  mac(): string;
}

export function createIds(rand: () => number): Ids {
  const hex = (n = 32): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
    return s;
  };
  return {
    hex,
    uuid() {
      const h = hex(32);
      const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    mac() {
      const b = (): string => hex(2);
      return `fa:16:3e:${b()}:${b()}:${b()}`;
    },
  };
}

export const ipv4ToInt = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
export const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export function isIpv4(ip: string): boolean {
  const parts = ip.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && String(Number(p)) === p);
}

export interface Cidr4 {
  network: number;
  prefix: number;
  size: number;
}

/** Parses an IPv4 CIDR; the host bits must be zero (Neutron rejects `10.0.0.1/24`). */
export function parseCidr4(cidr: string): Cidr4 | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m || !isIpv4(m[1]!) || Number(m[2]) > 32) return undefined;
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  const network = ipv4ToInt(m[1]!);
  if (network % size !== 0) return undefined;
  return { network, prefix, size };
}

export const cidrContains = (c: Cidr4, ip: string): boolean =>
  isIpv4(ip) && ipv4ToInt(ip) >= c.network && ipv4ToInt(ip) < c.network + c.size;

export const cidrsOverlap = (a: Cidr4, b: Cidr4): boolean => a.network < b.network + b.size && b.network < a.network + a.size;

export const isoNow = (now: number): string => new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The parsed `limit`/`marker` of a list call; errors are thrown by the caller in its own fault shape. */
export type PageParams = { limit?: number; marker?: string } | { error: string };

export function pageParams(q: URLSearchParams, maxLimit = 1000): PageParams {
  const raw = q.get('limit');
  const marker = q.get('marker') ?? undefined;
  if (raw === null) return { marker };
  if (!/^-?\d+$/.test(raw)) return { error: 'limit param must be an integer' };
  const n = Number(raw);
  if (n < 0) return { error: 'limit param must be positive' };
  return { limit: Math.min(n, maxLimit), marker };
}

/** Slices `items` after `marker`; `undefined` when the marker is unknown. */
export function pageAfter<T extends { id: string }>(items: T[], p: { limit?: number; marker?: string }): T[] | undefined {
  let start = 0;
  if (p.marker !== undefined) {
    const i = items.findIndex((x) => x.id === p.marker);
    if (i < 0) return undefined;
    start = i + 1;
  }
  return p.limit === undefined ? items.slice(start) : items.slice(start, start + p.limit);
}

/** Rebuilds a link to the same collection with a new marker, keeping the other query parameters. */
export function nextHref(base: string, q: URLSearchParams, marker: string, limit: number): string {
  const next = new URLSearchParams(q);
  next.set('limit', String(limit));
  next.set('marker', marker);
  return `${base}?${next.toString()}`;
}

export function pick<T extends object>(o: T, fields: string[]): Partial<T> {
  if (fields.length === 0) return o;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in o) out[f] = (o as Record<string, unknown>)[f];
  return out as Partial<T>;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
