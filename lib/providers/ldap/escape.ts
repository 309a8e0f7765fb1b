/**
 * Escaping of LDAP filter values (RFC 4515) and DN attribute values (RFC 4514), and a tiny filter builder
 * whose only way to put a value into a filter is through `escapeFilterValue`.
 */
import { BadRequestError } from '../../core/errors.js';

const ATTR_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;

const hex = (b: number) => `\\${b.toString(16).padStart(2, '0')}`;

/**
 * RFC 4515 value escaping: `*`, `(`, `)`, `\`, NUL and every non-ASCII byte (of the UTF-8 encoding) become
 * `\XX`. The result is pure printable ASCII (other control characters are escaped too).
 */
export function escapeFilterValue(value: string | Buffer): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  let out = '';
  for (const b of bytes) {
    if (b === 0x2a || b === 0x28 || b === 0x29 || b === 0x5c || b < 0x20 || b >= 0x7f) out += hex(b);
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * RFC 4514 attribute-value escaping for a DN: `,` `+` `"` `\` `<` `>` `;` `=` are backslash-escaped, a leading
 * space or `#` and a trailing space are escaped, NUL becomes `\00`. Other characters (UTF-8 included) pass as-is.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\0') out += '\\00';
    else if (',+"\\<>;='.includes(c)) out += `\\${c}`;
    else if (i === 0 && (c === ' ' || c === '#')) out += `\\${c}`;
    else if (i === value.length - 1 && c === ' ') out += '\\ ';
    else out += c;
  }
  return out;
}

/** Throws BadRequestError unless `name` is a plain LDAP attribute name (/^[A-Za-z][A-Za-z0-9-]*$/). */
export function assertAttributeName(name: string): string {
  if (typeof name !== 'string' || !ATTR_NAME.test(name)) {
    throw new BadRequestError('INVALID_LDAP_ATTRIBUTE', `Invalid LDAP attribute name: ${JSON.stringify(String(name)).slice(0, 80)}`, {
      attribute: String(name).slice(0, 80),
    });
  }
  return name;
}

export const isAttributeName = (name: string): boolean => ATTR_NAME.test(name);

/** A filter string produced by this module (branded so callers can require built filters). */
export type LdapFilter = string & { readonly __ldapFilter?: true };

/** `(attr=value)` */
export function eq(attr: string, value: string | Buffer): LdapFilter {
  return `(${assertAttributeName(attr)}=${escapeFilterValue(value)})`;
}

/** `(attr=*)` */
export function present(attr: string): LdapFilter {
  return `(${assertAttributeName(attr)}=*)`;
}

/** `(attr>=value)` */
export function gte(attr: string, value: string): LdapFilter {
  return `(${assertAttributeName(attr)}>=${escapeFilterValue(value)})`;
}

/** `(attr<=value)` */
export function lte(attr: string, value: string): LdapFilter {
  return `(${assertAttributeName(attr)}<=${escapeFilterValue(value)})`;
}

/** `(attr=initial*any1*any2*final)`; at least one part must be non-empty. */
export function substr(attr: string, parts: { initial?: string; any?: string[]; final?: string }): LdapFilter {
  const any = (parts.any ?? []).filter((s) => s !== '');
  if (!parts.initial && !parts.final && any.length === 0) {
    throw new BadRequestError('INVALID_LDAP_FILTER', 'A substring filter needs at least one non-empty part');
  }
  const middle = any.map((s) => `${escapeFilterValue(s)}*`).join('');
  return `(${assertAttributeName(attr)}=${parts.initial ? escapeFilterValue(parts.initial) : ''}*${middle}${
    parts.final ? escapeFilterValue(parts.final) : ''
  })`;
}

function assertBuilt(filters: readonly string[]): void {
  for (const f of filters) {
    if (typeof f !== 'string' || !f.startsWith('(') || !f.endsWith(')')) {
      throw new BadRequestError('INVALID_LDAP_FILTER', 'Filter combinators take filters built with eq/present/substr/and/or/not');
    }
  }
}

/** `(&f1f2…)`; with no operand: the absolute true filter `(&)`. One operand is returned as-is. */
export function and(...filters: LdapFilter[]): LdapFilter {
  assertBuilt(filters);
  if (filters.length === 1) return filters[0] as LdapFilter;
  return `(&${filters.join('')})`;
}

/** `(|f1f2…)`; with no operand: the absolute false filter `(|)`. One operand is returned as-is. */
export function or(...filters: LdapFilter[]): LdapFilter {
  assertBuilt(filters);
  if (filters.length === 1) return filters[0] as LdapFilter;
  return `(|${filters.join('')})`;
}

/** `(!f)` */
export function not(filter: LdapFilter): LdapFilter {
  assertBuilt([filter]);
  return `(!${filter})`;
}

/** Reverses escapeDnValue (and the `\XX` hex escapes servers emit, e.g. slapd's `\2C`). */
export function unescapeDnValue(value: string): string {
  const raw = Buffer.from(value, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b !== 0x5c || i === raw.length - 1) {
      out.push(b);
      continue;
    }
    const pair = String.fromCharCode(raw[i + 1] as number, raw[i + 2] ?? 0);
    if (/^[0-9A-Fa-f]{2}$/.test(pair)) {
      out.push(Number.parseInt(pair, 16));
      i += 2;
    } else {
      out.push(raw[i + 1] as number);
      i += 1;
    }
  }
  return Buffer.from(out).toString('utf8');
}

/**
 * DN parsing and comparison live in lib/core/dn.ts (one RFC 4514 implementation for the whole code base: escapes,
 * hex pairs, multi-valued RDNs, case-insensitive types and values); re-exported here under the historical names.
 */
export { dnEquals, normalizeDn, parseDn } from '../../core/dn.js';
