/**
 * Pure checks of DHCP values (Heracles §13), in the text forms ISC dhcpd's LDAP backend reads: IPv4
 * networks and masks, `dhcpRange` values (`<first> <last>`, optionally `dynamic-bootp`), `dhcpHWAddress`
 * (`ethernet 00:11:22:33:44:55`) and `fixed-address` statements.
 */
import { isStrictIPv4, normalizeFqdn } from '../dns/records.js';

export { isStrictIPv4 };

export const ipToInt = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
export const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The mask of a prefix length as a number (`24` → 0xffffff00). */
export const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** The network address of `ip/prefix`. */
export const networkOf = (ip: string, prefix: number): string => intToIp((ipToInt(ip) & maskOf(prefix)) >>> 0);

/** Is `cn` the network address of a /`prefix` (no host bits set)? */
export const isNetworkAddress = (cn: string, prefix: number): boolean => isStrictIPv4(cn) && networkOf(cn, prefix) === cn;

export interface Network {
  first: number;
  last: number;
}

export const networkRange = (cn: string, prefix: number): Network => {
  const first = ipToInt(networkOf(cn, prefix));
  return { first, last: first + 2 ** (32 - prefix) - 1 };
};

export const overlaps = (a: Network, b: Network): boolean => a.first <= b.last && b.first <= a.last;

export const contains = (net: Network, ip: string): boolean => {
  const n = ipToInt(ip);
  return n >= net.first && n <= net.last;
};

export interface DhcpRange {
  dynamicBootp: boolean;
  first: string;
  last: string;
}

/**
 * A `dhcpRange` value: `10.0.0.10 10.0.0.100`, `10.0.0.10-10.0.0.100`, a single address, optionally prefixed
 * with `dynamic-bootp`. Null when invalid (not IPv4, or first after last).
 */
export function parseRange(raw: string): DhcpRange | null {
  const m = /^\s*(dynamic-bootp\s+)?(.*?)\s*$/.exec(raw)!;
  const parts = m[2]!.split(/\s*-\s*|\s+/);
  if (parts.length < 1 || parts.length > 2) return null;
  const first = parts[0]!;
  const last = parts[1] ?? first;
  if (!isStrictIPv4(first) || !isStrictIPv4(last) || ipToInt(first) > ipToInt(last)) return null;
  return { dynamicBootp: !!m[1], first, last };
}

/** The stored form of a range: `[dynamic-bootp ]<first> <last>`. */
export const formatRange = (r: DhcpRange): string => `${r.dynamicBootp ? 'dynamic-bootp ' : ''}${r.first} ${r.last}`;

export const HARDWARE_TYPES = ['ethernet', 'token-ring', 'fddi'] as const;

/**
 * A `dhcpHWAddress`: `<type> <mac>` with type ethernet, token-ring or fddi (ethernet when omitted) and a
 * 48-bit MAC (`:`/`-` separated or bare 12 hex digits), stored lower case with `:`. A unicast address only:
 * a multicast/broadcast MAC (low bit of the first octet set) or all zeros is no host's. Null when invalid.
 */
export function normalizeHwAddress(raw: string): string | null {
  const m = /^\s*(?:([a-z-]+)\s+)?([0-9a-f:.-]+)\s*$/i.exec(raw);
  if (!m) return null;
  const type = (m[1] ?? 'ethernet').toLowerCase();
  if (!(HARDWARE_TYPES as readonly string[]).includes(type)) return null;
  const mac = m[2]!;
  let octets: string[];
  if (/^[0-9a-f]{12}$/i.test(mac)) octets = mac.match(/../g)!;
  else if (/^[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(\1[0-9a-f]{1,2}){4}$/i.test(mac)) octets = mac.split(/[:-]/);
  else return null;
  const bytes = octets.map((o) => parseInt(o, 16));
  if (bytes[0]! & 1 || bytes.every((b) => b === 0)) return null;
  return `${type} ${bytes.map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
}

/** A `fixed-address` value: an IPv4 address or a host name (dhcpd resolves it). Null when invalid. */
export function normalizeFixedAddress(raw: string): string | null {
  const v = raw.trim();
  if (/^[\d.]+$/.test(v)) return isStrictIPv4(v) ? v : null;
  const host = normalizeFqdn(v);
  return host ? host.slice(0, -1) : null;
}

export const FIXED_ADDRESS = /^\s*fixed-address\s+(.+?)\s*;?\s*$/i;
