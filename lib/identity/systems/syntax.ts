/**
 * System types and the value syntaxes of systems (Heracles §5), as pure functions. Pure: no I/O.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** API type → the STRUCTURAL class of local/slapd/schema/40-systems.ldif. */
export const SYSTEM_CLASSES = {
  server: 'hrcServer',
  workstation: 'hrcWorkstation',
  terminal: 'hrcTerminal',
  printer: 'hrcPrinter',
  component: 'hrcComponent',
  phone: 'hrcPhone',
  mobile: 'hrcMobile',
} as const;
export type SystemType = keyof typeof SYSTEM_CLASSES;
export const SYSTEM_TYPES = Object.keys(SYSTEM_CLASSES) as SystemType[];

/** The type of an entry from its object classes (case-insensitive), or null when it is no system. */
export function systemTypeOf(objectClasses: string[]): SystemType | null {
  const lower = new Set(objectClasses.map((c) => c.toLowerCase()));
  return SYSTEM_TYPES.find((t) => lower.has(SYSTEM_CLASSES[t].toLowerCase())) ?? null;
}

/** A system's cn: a host name label or FQDN-ish name (letters, digits, `-`, `.`, `_`). */
export const SYSTEM_CN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * An IPv4 address (dotted quad, no leading zeros: `010` would be read as octal by some resolvers) or an IPv6
 * address (no zone id) → its canonical text (RFC 5952 for IPv6: lower case, longest zero run compressed);
 * null when it is neither.
 */
export function normalizeIp(input: string): string | null {
  const v = input.trim();
  if (/^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(v)) return isIPv4(v) ? v : null;
  if (v.includes('%') || !isIPv6(v)) return null;
  return new URL(`http://[${v}]/`).hostname.slice(1, -1);
}

/**
 * A 48-bit MAC address as `00:11:22:33:44:55`, `00-11-22-33-44-55`, `0011.2233.4455` (Cisco) or
 * `001122334455`, any case → `00:11:22:33:44:55` (RFC 2307 macAddress: lower case, colon separated, two
 * digits per byte); null otherwise.
 */
export function normalizeMac(input: string): string | null {
  const v = input.trim();
  const forms = [
    /^([0-9A-Fa-f]{2})([:-])([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})$/,
    /^([0-9A-Fa-f]{4})\.([0-9A-Fa-f]{4})\.([0-9A-Fa-f]{4})$/,
    /^([0-9A-Fa-f]{12})$/,
  ];
  if (!forms.some((f) => f.test(v))) return null;
  const hex = v.replace(/[:.-]/g, '').toLowerCase();
  return hex.match(/../g)!.join(':');
}
