/**
 * Distinguished names (RFC 4514): parsing, normalisation and comparison. The one DN implementation of the
 * code base, shared by the LDAP provider (lib/providers/ldap/escape.ts) and the ACL engine (lib/acl/engine.ts).
 *
 * Attribute types are compared case-insensitively (OIDs and long names of the well-known types map to their
 * short names), values with caseIgnoreMatch-style folding (NFKC, case, insignificant spaces), multi-valued
 * RDNs order-independently. Escapes (`\,`, `\XX` hex pairs forming UTF-8), quoted values and `#hex` BER
 * values are understood.
 */
import { Buffer } from 'node:buffer';

/** `base`: the entry itself; `subtree`: the entry and everything below it. */
export type DnScope = 'base' | 'subtree';

export interface Ava {
  /** Lower-case attribute type (short name when a well-known OID or long name was used). */
  type: string;
  /** Unescaped value, as written (not yet case-folded). A `#hex` BER value keeps its `#`. */
  value: string;
}
/** One RDN: one or more attribute-value assertions joined by `+`. */
export type Rdn = Ava[];

export class DnSyntaxError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`Invalid DN "${input}": ${message}`);
    this.name = 'DnSyntaxError';
    this.input = input;
  }
}

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'cn',
  commonname: 'cn',
  '2.5.4.4': 'sn',
  surname: 'sn',
  '2.5.4.6': 'c',
  countryname: 'c',
  '2.5.4.7': 'l',
  localityname: 'l',
  '2.5.4.8': 'st',
  stateorprovincename: 'st',
  '2.5.4.9': 'street',
  streetaddress: 'street',
  '2.5.4.10': 'o',
  organizationname: 'o',
  '2.5.4.11': 'ou',
  organizationalunitname: 'ou',
  '0.9.2342.19200300.100.1.1': 'uid',
  userid: 'uid',
  '0.9.2342.19200300.100.1.25': 'dc',
  domaincomponent: 'dc',
};

const DESCR = /^[a-z][a-z0-9-]*$/i;
const NUMERICOID = /^\d+(\.\d+)*$/;
const HEX2 = /^[0-9a-f]{2}$/i;

function normaliseType(raw: string, input: string): string {
  let t = raw.trim();
  if (/^oid\./i.test(t)) t = t.slice(4);
  if (!DESCR.test(t) && !NUMERICOID.test(t)) throw new DnSyntaxError(input, `bad attribute type "${raw}"`);
  const lower = t.toLowerCase();
  return TYPE_ALIASES[lower] ?? lower;
}

/**
 * Parses a DN string into RDNs (leaf first). Accepts RFC 4514 (and RFC 2253 leniencies: `;` separators,
 * quoted values, spaces around `,` `+` `=`). The empty string is the root DN (no RDNs). Throws DnSyntaxError.
 */
export function parseDn(dn: string): Rdn[] {
  if (typeof dn !== 'string') throw new DnSyntaxError(String(dn), 'not a string');
  const rdns: Rdn[] = [];
  if (dn.trim() === '') return rdns;
  let i = 0;
  const n = dn.length;
  let current: Rdn = [];
  for (;;) {
    // attribute type
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw new DnSyntaxError(dn, 'missing "="');
    const type = normaliseType(dn.slice(i, eq), dn);
    i = eq + 1;
    while (i < n && dn[i] === ' ') i++;
    // value
    let value: string;
    if (dn[i] === '#') {
      let j = i + 1;
      while (j < n && /[0-9a-f]/i.test(dn[j] ?? '')) j++;
      const hex = dn.slice(i + 1, j);
      if (hex.length === 0 || hex.length % 2 !== 0) throw new DnSyntaxError(dn, 'bad #hex value');
      value = '#' + hex.toLowerCase();
      i = j;
      while (i < n && dn[i] === ' ') i++;
    } else if (dn[i] === '"') {
      const bytes: number[] = [];
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const ch = dn[j] as string;
        if (ch === '\\') {
          j = readEscape(dn, j, bytes);
          continue;
        }
        if (ch === '"') {
          closed = true;
          j++;
          break;
        }
        pushChar(dn, j, bytes);
        j += charLen(dn, j);
      }
      if (!closed) throw new DnSyntaxError(dn, 'unterminated quoted value');
      value = decodeUtf8(bytes, dn);
      i = j;
      while (i < n && dn[i] === ' ') i++;
    } else {
      const bytes: number[] = [];
      let significantLen = 0; // bytes up to the last non-space or escaped character
      let j = i;
      while (j < n) {
        const ch = dn[j] as string;
        if (ch === ',' || ch === ';' || ch === '+') break;
        if (ch === '\\') {
          j = readEscape(dn, j, bytes);
          significantLen = bytes.length;
          continue;
        }
        pushChar(dn, j, bytes);
        if (ch !== ' ') significantLen = bytes.length;
        j += charLen(dn, j);
      }
      value = decodeUtf8(bytes.slice(0, significantLen), dn);
      i = j;
    }
    current.push({ type, value });
    if (i >= n) {
      rdns.push(current);
      break;
    }
    const sep = dn[i];
    i++;
    if (sep === '+') continue;
    if (sep === ',' || sep === ';') {
      rdns.push(current);
      current = [];
      if (dn.slice(i).trim() === '') throw new DnSyntaxError(dn, 'trailing separator');
      continue;
    }
    throw new DnSyntaxError(dn, `unexpected "${sep ?? ''}" after value`);
  }
  return rdns;
}

function charLen(s: string, i: number): number {
  const code = s.codePointAt(i) ?? 0;
  return code > 0xffff ? 2 : 1;
}

function pushChar(s: string, i: number, bytes: number[]): void {
  const cp = s.codePointAt(i) ?? 0;
  for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
}

/** Reads `\XX` or `\<char>` at s[i] === '\\'; returns the index after it. */
function readEscape(s: string, i: number, bytes: number[]): number {
  const next2 = s.slice(i + 1, i + 3);
  if (HEX2.test(next2)) {
    bytes.push(parseInt(next2, 16));
    return i + 3;
  }
  if (i + 1 >= s.length) throw new DnSyntaxError(s, 'dangling escape');
  pushChar(s, i + 1, bytes);
  return i + 1 + charLen(s, i + 1);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function decodeUtf8(bytes: number[], input: string): string {
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new DnSyntaxError(input, 'value is not valid UTF-8');
  }
}

/** caseIgnoreMatch-style folding: NFKC, case-folded, runs of whitespace collapsed, trimmed. */
function foldValue(v: string): string {
  if (v.startsWith('#')) return v.toLowerCase();
  return v.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

function escapeValue(v: string): string {
  let out = v.replace(/[\\"+,;<>=\u0000]/g, (c) => (c === '\u0000' ? '\\00' : '\\' + c));
  if (out.startsWith('#') || out.startsWith(' ')) out = '\\' + out;
  if (out.endsWith(' ')) out = out.slice(0, -1) + '\\ ';
  return out;
}

function canonicalRdn(rdn: Rdn): string {
  return rdn
    .map((a) => `${a.type}=${a.value.startsWith('#') ? a.value : escapeValue(foldValue(a.value))}`)
    .sort()
    .join('+');
}

const DN_CACHE_LIMIT = 2048;
const dnCache = new Map<string, readonly string[] | null>();

/** Canonical RDN strings, leaf first; null when the DN does not parse. Memoised (pure). */
export function canonicalRdns(dn: string): readonly string[] | null {
  const hit = dnCache.get(dn);
  if (hit !== undefined) return hit;
  let result: readonly string[] | null;
  try {
    result = Object.freeze(parseDn(dn).map(canonicalRdn));
  } catch {
    result = null;
  }
  if (dnCache.size >= DN_CACHE_LIMIT) dnCache.clear();
  dnCache.set(dn, result);
  return result;
}

/**
 * Canonical form of a DN for comparison: `uid=A, ou=People,DC=example,dc=com` →
 * `uid=a,ou=people,dc=example,dc=com`. Throws DnSyntaxError when it does not parse.
 */
export function normalizeDn(dn: string): string {
  const rdns = canonicalRdns(dn);
  if (rdns === null) parseDn(dn); // rethrows the syntax error
  return (rdns ?? []).join(',');
}

/** Are two DNs the same entry? False when either does not parse. */
export function dnEquals(a: string, b: string): boolean {
  const ra = canonicalRdns(a);
  const rb = canonicalRdns(b);
  return ra !== null && rb !== null && ra.length === rb.length && ra.every((r, i) => r === rb[i]);
}

/**
 * Is `dn` within `baseDn` for the given scope? `base`: the same entry; `subtree`: the same entry or a
 * descendant (whole-RDN suffix match). False when either does not parse.
 */
export function isDnWithin(dn: string, baseDn: string, scope: DnScope): boolean {
  const r = canonicalRdns(dn);
  const b = canonicalRdns(baseDn);
  if (r === null || b === null) return false;
  if (scope === 'base') return r.length === b.length && r.every((x, i) => x === b[i]);
  if (r.length < b.length) return false;
  const offset = r.length - b.length;
  return b.every((x, i) => x === r[offset + i]);
}
