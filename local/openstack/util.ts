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

/** An IPv4 or IPv6 address as a number. */
export interface Ip {
  version: 4 | 6;
  value: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (i === items.length - 1 && g.includes('.')) {
        if (!isIpv4(g)) return undefined;
        const n = ipv4ToInt(g);
        out.push(Math.floor(n / 65536), n % 65536);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  return [...h, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...t].reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** Parses a literal IPv4 (dotted quad) or IPv6 address. */
export function parseIp(s: string): Ip | undefined {
  if (isIpv4(s)) return { version: 4, value: BigInt(ipv4ToInt(s)) };
  const v6 = s.includes(':') ? parseIpv6(s) : undefined;
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

/** The canonical text of an address: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`). */
export function formatIp(ip: Ip): string {
  if (ip.version === 4) return intToIpv4(Number(ip.value));
  const g = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The canonical text of an address literal, or the text itself when it is not one. */
export const canonicalIp = (s: string): string => {
  const ip = parseIp(s);
  return ip ? formatIp(ip) : s;
};

/** A CIDR of either family; `network` has the host bits cleared. */
export interface Cidr {
  version: 4 | 6;
  network: bigint;
  prefix: number;
  /** Number of addresses. */
  size: bigint;
  /** Canonical text, e.g. `2001:db8::/64`. */
  text: string;
}

/** Parses `addr[/prefix]` (no prefix: a host route, /32 or /128), clearing host bits as netaddr's `.cidr` does. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(s);
  const ip = m ? parseIp(m[1]!) : undefined;
  if (!m || !ip) return undefined;
  const bits = BITS[ip.version];
  const prefix = m[2] === undefined ? bits : Number(m[2]);
  if (prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const network = (ip.value / size) * size;
  return { version: ip.version, network, prefix, size, text: `${formatIp({ version: ip.version, value: network })}/${prefix}` };
}

export const cidrHas = (c: Cidr, ip: Ip | undefined): boolean =>
  !!ip && ip.version === c.version && ip.value >= c.network && ip.value < c.network + c.size;

export const cidrsIntersect = (a: Cidr, b: Cidr): boolean =>
  a.version === b.version && a.network < b.network + b.size && b.network < a.network + a.size;
