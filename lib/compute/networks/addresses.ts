/**
 * IPv4 and IPv6 arithmetic for subnets: parsing, canonical text (dotted quad without leading zeros; RFC 5952
 * for IPv6) and the checks Neutron would otherwise make later (and word less clearly): a CIDR without host
 * bits, room for a gateway and a host, a gateway inside the subnet that is not its network or broadcast
 * address.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpVersion = 4 | 6;

export interface Ip {
  version: IpVersion;
  value: bigint;
}

export interface Cidr {
  version: IpVersion;
  /** The network address. */
  network: bigint;
  prefix: number;
  /** Canonical text: `10.0.0.0/24`, `2001:db8::/64`. */
  text: string;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

/** An address in either family; a leading zero in an IPv4 octet (read as octal by some tools) or an IPv6 zone is refused. */
export function parseIp(raw: string): Ip | undefined {
  const v = raw.trim();
  if (isIPv4(v)) {
    const octets = v.split('.');
    if (octets.some((o) => o.length > 1 && o.startsWith('0'))) return undefined;
    return { version: 4, value: octets.reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n) };
  }
  if (!isIPv6(v) || v.includes('%')) return undefined;
  let text = v.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const four = parseIp(tail[1]!);
    if (!four) return undefined;
    text = `${text.slice(0, -tail[1]!.length)}${(four.value >> 16n).toString(16)}:${(four.value & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return { version: 6, value: groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

export function formatIp(ip: Ip): string {
  if (ip.version === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes `::`.
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** The canonical text of an address, or undefined when it is not one. */
export const normalizeIp = (raw: string): string | undefined => {
  const ip = parseIp(raw);
  return ip && formatIp(ip);
};

const size = (c: Pick<Cidr, 'version' | 'prefix'>) => 1n << BigInt(BITS[c.version] - c.prefix);

/** `{cidr}` or `{error}` worded for the client (with the CIDR meant when host bits are set). */
export function parseCidr(raw: string): { cidr: Cidr } | { error: string } {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(raw.trim());
  if (!m) return { error: `"${raw}" is not a CIDR (address/prefix, e.g. 10.0.0.0/24 or 2001:db8::/64)` };
  const ip = parseIp(m[1]!);
  if (!ip) return { error: `"${m[1]}" is not an IPv4 or IPv6 address` };
  const prefix = Number(m[2]);
  const bits = BITS[ip.version];
  // Room for the network address, a gateway and one host (and the IPv4 broadcast address).
  const longest = ip.version === 4 ? 30 : 126;
  if (prefix > bits) return { error: `an IPv${ip.version} prefix is at most /${bits}` };
  if (prefix > longest) return { error: `/${prefix} leaves no room for a gateway and a host: use /${longest} or shorter` };
  if (prefix === 0) return { error: 'a /0 subnet would hold every address' };
  const mask = ((1n << BigInt(bits)) - 1n) ^ (size({ version: ip.version, prefix }) - 1n);
  const network = ip.value & mask;
  const text = `${formatIp({ version: ip.version, value: network })}/${prefix}`;
  if (network !== ip.value) return { error: `${raw} has host bits set: the network is ${text}` };
  const reserved = RESERVED[ip.version].find((r) => overlaps({ version: ip.version, network, prefix, text }, r));
  if (reserved) return { error: `${text} overlaps ${reserved.text} (${reserved.why}), which a tenant subnet cannot use` };
  return { cidr: { version: ip.version, network, prefix, text } };
}

function block(text: string, why: string): Cidr & { why: string } {
  const [addr, prefix] = text.split('/') as [string, string];
  const ip = parseIp(addr)!;
  return { version: ip.version, network: ip.value, prefix: Number(prefix), text, why };
}

const RESERVED: Record<IpVersion, (Cidr & { why: string })[]> = {
  4: [
    block('0.0.0.0/8', '"this network"'),
    block('127.0.0.0/8', 'loopback'),
    block('169.254.0.0/16', 'link-local, used by the metadata service'),
    block('224.0.0.0/4', 'multicast'),
    block('240.0.0.0/4', 'reserved'),
  ],
  6: [block('::/8', 'reserved, loopback and IPv4-mapped'), block('fe80::/10', 'link-local'), block('ff00::/8', 'multicast')],
};

export const contains = (c: Cidr, ip: Ip): boolean => ip.version === c.version && ip.value >= c.network && ip.value < c.network + size(c);

export const overlaps = (a: Cidr, b: Cidr): boolean =>
  a.version === b.version && a.network < b.network + size(b) && b.network < a.network + size(a);

/** The gateway Neutron picks when none is given: the first address after the network's. */
export const firstHost = (c: Cidr): string => formatIp({ version: c.version, value: c.network + 1n });

/** Why `ip` cannot be the gateway of `c`, or undefined. */
export function gatewayProblem(c: Cidr, ip: Ip): string | undefined {
  if (ip.version !== c.version) return `the gateway must be an IPv${c.version} address like the cidr`;
  if (!contains(c, ip)) return `${formatIp(ip)} is not inside ${c.text}`;
  if (ip.value === c.network) return `${formatIp(ip)} is the network address of ${c.text}`;
  if (c.version === 4 && ip.value === c.network + size(c) - 1n) return `${formatIp(ip)} is the broadcast address of ${c.text}`;
  return undefined;
}
