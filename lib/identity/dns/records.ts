/**
 * DNS records as the dNSZone schema stores them (Heracles §12), pure functions only: names, per-type
 * validation, the zone-file RDATA text each record attribute holds (what BIND's LDAP backends read), record
 * ids, SOA text and serials. No LDAP traffic here (zones.ts does it), so the unit tests cover all of it.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ValidationError, type FieldIssue } from '../../core/errors.js';

export const RECORD_TYPES = ['A', 'AAAA', 'MX', 'NS', 'CNAME', 'PTR', 'TXT', 'SRV'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** The record attribute of each type (cosine: aRecord … cNAMERecord; dnszone: aAAARecord, pTRRecord, tXTRecord, sRVRecord). */
export const RECORD_ATTRIBUTE: Readonly<Record<RecordType, string>> = Object.freeze({
  A: 'aRecord',
  AAAA: 'aAAARecord',
  MX: 'mXRecord',
  NS: 'nSRecord',
  CNAME: 'cNAMERecord',
  PTR: 'pTRRecord',
  TXT: 'tXTRecord',
  SRV: 'sRVRecord',
});

export const SOA_ATTRIBUTE = 'sOARecord';
export const APEX = '@';
export const MAX_TXT_STRING = 255;
/** A TXT record's character-strings together (an RR's RDATA is at most 65535 octets; keep it practical). */
export const MAX_TXT_TOTAL = 4000;

const invalid = (field: string, message: string, code = 'invalid_value'): never => {
  throw new ValidationError([{ field, code, message }]);
};

// ---------------------------------------------------------------------------------------------------------
// Names

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * A zone name: lower-cased, without a trailing dot, 1-63-character labels of letters, digits and hyphens
 * (digits-only labels for reverse zones), at most 253 characters. Answers null when invalid.
 */
export function normalizeZoneName(raw: string): string | null {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!name || name.length > 253) return null;
  const labels = name.split('.');
  if (!labels.every((l) => HOST_LABEL.test(l))) return null;
  // A top-level label is never all digits, except in the reverse trees (in-addr.arpa / ip6.arpa).
  if (labels.length > 1 && /^\d+$/.test(labels[labels.length - 1]!)) return null;
  return name;
}

/**
 * A record's owner name relative to its zone: `@` for the apex, else labels of letters, digits, hyphens
 * and underscores (`_sip._tcp`), `*` allowed as the first label. An absolute name inside the zone
 * (`www.example.com.`) is made relative. Answers null when invalid or outside the zone.
 */
export function normalizeOwnerName(raw: string, zone: string): string | null {
  let name = raw.trim().toLowerCase();
  if (name === '' || name === APEX) return APEX;
  if (name.endsWith('.')) {
    const abs = name.slice(0, -1);
    if (abs === zone) return APEX;
    if (!abs.endsWith(`.${zone}`)) return null;
    name = abs.slice(0, -(zone.length + 1));
  }
  if (name.length > 253 - zone.length - 1) return null;
  const labels = name.split('.');
  const ok = labels.every((l, i) => (i === 0 && l === '*') || LABEL.test(l));
  return ok ? name : null;
}

/**
 * A fully qualified host name (NS, CNAME, PTR, MX and SRV targets): at least two labels, each 1-63
 * letters, digits, hyphens (underscores too: CNAME targets such as `_dkim` names), ≤ 253 characters.
 * Answered with the trailing dot zone files need (without it BIND would append the origin). Null if invalid.
 */
export function normalizeFqdn(raw: string): string | null {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!name || name.length > 253) return null;
  const labels = name.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return null;
  return `${name}.`;
}

/** `admin@example.com` (or `admin.example.com`) → the SOA RNAME `admin.example.com.` (dots of the local part escaped). */
export function rnameFromEmail(raw: string): string | null {
  const v = raw.trim();
  const at = v.indexOf('@');
  if (at < 0) return normalizeFqdn(v);
  const local = v.slice(0, at);
  const domain = normalizeFqdn(v.slice(at + 1));
  if (!domain || !/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,63}$/.test(local) || local.startsWith('.') || local.endsWith('.')) return null;
  return `${local.replace(/\./g, '\\.')}.${domain}`;
}

/** The SOA RNAME back to an address: `admin.example.com.` → `admin@example.com`. */
export function emailFromRname(rname: string): string {
  const m = /^((?:[^.\\]|\\.)+)\.(.+?)\.?$/.exec(rname);
  return m ? `${m[1]!.replace(/\\\./g, '.')}@${m[2]}` : rname;
}

// ---------------------------------------------------------------------------------------------------------
// Addresses

/** Dotted-quad IPv4 without leading zeros (`010.0.0.1` is octal to some parsers). */
export const isStrictIPv4 = (v: string): boolean => isIPv4(v) && v.split('.').every((o) => o === '0' || !o.startsWith('0'));

/** The RFC 5952 text of an IPv6 address (lower case, longest zero run compressed), or null. */
export function canonicalIPv6(v: string): string | null {
  if (!isIPv6(v) || v.includes('%')) return null;
  try {
    return new URL(`http://[${v}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Records

/** What the API accepts for a record: `value` (zone-file RDATA text) or the fields of its type. */
export interface RecordInput {
  name: string;
  type: RecordType;
  value?: string;
  ttl?: number;
  preference?: number;
  host?: string;
  priority?: number;
  weight?: number;
  port?: number;
  target?: string;
  strings?: string[];
}

export interface ParsedRecord {
  name: string;
  type: RecordType;
  /** The attribute value as stored (zone-file RDATA text). */
  value: string;
  fields: Record<string, unknown>;
}

const u16 = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;

function quoteTxt(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `"a b" "c\"d"` → ['a b', 'c"d']; an unquoted value is one string per word, as in a zone file. */
export function parseTxt(value: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(value); m; m = re.exec(value)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** The fields of a stored value of `type` (for views): MX preference/host, SRV priority/weight/port/target, TXT strings. */
export function recordFields(type: RecordType, value: string): Record<string, unknown> {
  const parts = value.trim().split(/\s+/);
  switch (type) {
    case 'MX':
      return { preference: Number(parts[0]), host: parts[1] ?? '' };
    case 'SRV':
      return { priority: Number(parts[0]), weight: Number(parts[1]), port: Number(parts[2]), target: parts[3] ?? '' };
    case 'TXT':
      return { strings: parseTxt(value) };
    default:
      return {};
  }
}

/**
 * Validates a record for `zone` and answers its owner name and stored value, or throws a 400 naming the
 * field (`body.name`, `body.value`, `body.preference`, …). A: dotted-quad IPv4; AAAA: IPv6 (stored in RFC
 * 5952 form); MX: preference (0-65535) + host FQDN; NS/CNAME/PTR: FQDN; TXT: printable ASCII strings of
 * ≤ 255 characters each, stored quoted; SRV: owner `_service._proto[.name]`, priority weight port target.
 */
export function parseRecord(input: RecordInput, zone: string): ParsedRecord {
  const issues: FieldIssue[] = [];
  const bad = (field: string, message: string, code = 'invalid_value') => issues.push({ field: `body.${field}`, code, message });
  const name = normalizeOwnerName(input.name, zone);
  if (name === null) bad('name', `name must be @, a relative name or an absolute name inside ${zone}`);
  const type = input.type;
  const raw = input.value?.trim();
  let value = '';
  const fqdn = (v: string | undefined, field: string): string => {
    const n = v === undefined ? null : normalizeFqdn(v);
    if (n === null) bad(field, `${field} must be a fully qualified domain name`);
    return n ?? '';
  };
  const wordsOf = (n: number): string[] | null => {
    if (raw === undefined) return null;
    const w = raw.split(/\s+/);
    if (w.length !== n) {
      bad('value', `a ${type} value has ${n} fields`);
      return null;
    }
    return w;
  };
  const num = (v: unknown, field: string): number => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (!u16(n)) bad(field, `${field} must be an integer from 0 to 65535`);
    return u16(n) ? n : 0;
  };
  switch (type) {
    case 'A':
      if (raw === undefined || !isStrictIPv4(raw)) bad('value', 'value must be an IPv4 address (dotted quad)');
      value = raw ?? '';
      break;
    case 'AAAA': {
      const v = raw === undefined ? null : canonicalIPv6(raw);
      if (v === null) bad('value', 'value must be an IPv6 address');
      value = v ?? '';
      break;
    }
    case 'NS':
    case 'CNAME':
    case 'PTR':
      value = fqdn(raw, 'value');
      break;
    case 'MX': {
      const w = wordsOf(2);
      if (raw !== undefined && !w) break;
      const preference = num(w ? w[0] : input.preference, w ? 'value' : 'preference');
      const host = fqdn(w ? w[1] : input.host, w ? 'value' : 'host');
      value = `${preference} ${host}`;
      break;
    }
    case 'SRV': {
      const w = wordsOf(4);
      if (raw !== undefined && !w) break;
      const at = (i: number, f: 'priority' | 'weight' | 'port') => num(w ? w[i] : input[f], w ? 'value' : f);
      const [priority, weight, port] = [at(0, 'priority'), at(1, 'weight'), at(2, 'port')];
      const target = w?.[3] === '.' || (!w && input.target === '.') ? '.' : fqdn(w ? w[3] : input.target, w ? 'value' : 'target');
      value = `${priority} ${weight} ${port} ${target}`;
      if (name !== null && !/^_[a-z0-9-]+\._(tcp|udp|tls|sctp)(\.|$)/.test(name)) {
        bad('name', 'an SRV owner name starts with _service._proto (e.g. _sip._tcp)');
      }
      break;
    }
    case 'TXT': {
      const strings = input.strings ?? (raw === undefined ? undefined : raw.startsWith('"') ? parseTxt(raw) : [raw]);
      const field = input.strings ? 'strings' : 'value';
      if (!strings || strings.length === 0) bad(field, 'a TXT record needs at least one string');
      else {
        strings.forEach((s, i) => {
          if (s.length > MAX_TXT_STRING)
            bad(`${field}${input.strings ? `.${i}` : ''}`, `each TXT string is at most ${MAX_TXT_STRING} characters`);
          if (!PRINTABLE.test(s)) bad(`${field}${input.strings ? `.${i}` : ''}`, 'TXT strings are printable ASCII (tXTRecord is IA5)');
        });
        value = strings.map(quoteTxt).join(' ');
        if (value.length > MAX_TXT_TOTAL) bad(field, `a TXT record is at most ${MAX_TXT_TOTAL} characters`);
      }
      break;
    }
    default:
      bad('type', `type must be one of ${RECORD_TYPES.join(', ')}`);
  }
  if (issues.length) throw new ValidationError(issues);
  return { name: name!, type, value, fields: recordFields(type, value) };
}

// ---------------------------------------------------------------------------------------------------------
// Ids

/** A record's stable id: base64url of `TYPE:name:value` (the value as stored). */
export const recordId = (type: RecordType, name: string, value: string): string =>
  Buffer.from(`${type}:${name}:${value}`, 'utf8').toString('base64url');

/** The `{type, name, value}` an id names, or null when it names nothing well-formed. */
export function parseRecordId(id: string): { type: RecordType; name: string; value: string } | null {
  if (!/^[A-Za-z0-9_-]{1,8000}$/.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const m = /^([A-Z]+):([^:]*):([\s\S]+)$/.exec(text);
  if (!m || !(RECORD_TYPES as readonly string[]).includes(m[1]!)) return null;
  return { type: m[1] as RecordType, name: m[2]!, value: m[3]! };
}

// ---------------------------------------------------------------------------------------------------------
// SOA

export interface SoaFields {
  primary_ns: string;
  admin_email: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** `YYYYMMDD01` for `now` (UTC). */
export const initialSerial = (now: Date): number => Number(now.toISOString().slice(0, 10).replace(/-/g, '')) * 100 + 1;

/** The serial after a change: today's first (`YYYYMMDD01`) when the current one is older, else current + 1 (mod 2^32). */
export function nextSerial(current: number, now: Date): number {
  const today = initialSerial(now);
  return current < today ? today : (current + 1) % 4294967296;
}

export function formatSoa(s: SoaFields & { rname?: string }): string {
  const rname = s.rname ?? rnameFromEmail(s.admin_email) ?? s.admin_email;
  const mname = normalizeFqdn(s.primary_ns) ?? s.primary_ns;
  return `${mname} ${rname} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
}

export function parseSoa(value: string): (SoaFields & { rname: string }) | null {
  const p = value.trim().split(/\s+/);
  if (p.length !== 7) return null;
  const nums = p.slice(2).map(Number);
  if (!nums.every((n) => Number.isInteger(n) && n >= 0)) return null;
  const [serial, refresh, retry, expire, minimum] = nums as [number, number, number, number, number];
  return { primary_ns: p[0]!, rname: p[1]!, admin_email: emailFromRname(p[1]!), serial, refresh, retry, expire, minimum };
}

/** The SOA text with its serial advanced (nextSerial); an unparsable SOA is returned as it is. */
export function bumpSoa(value: string, now: Date): string {
  const s = parseSoa(value);
  return s ? formatSoa({ ...s, serial: nextSerial(s.serial, now) }) : value;
}

/** A validation issue helper for the zone payload (400 naming the field). */
export const zoneFieldError = (field: string, message: string): never => invalid(`body.${field}`, message);
