/** Entries as the provider hands them out (plain `{dn, attrs}`), and attributes as ldapts takes them. */
import { Attribute } from 'ldapts';
import { assertAttributeName } from './escape.js';
import type { LdapAttributes, LdapEntry } from './types.js';

export function toEntry(raw: Record<string, unknown> & { dn: string }): LdapEntry {
  const attrs: Record<string, string[]> = {};
  for (const k in raw) {
    if (k === 'dn' || !Object.hasOwn(raw, k)) continue;
    const v = raw[k];
    if (typeof v === 'string') attrs[k] = [v];
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
      attrs[k] = v; // ldapts made this array: no copy
    else attrs[k] = (Array.isArray(v) ? v : [v]).map((x: unknown) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x)));
  }
  return { dn: raw.dn, attrs };
}

/** Per entry, its attributes by lower-cased name (built on the first lookup the exact name misses). */
const byLowerName = new WeakMap<Record<string, string[]>, Map<string, string[]>>();

/** Values of `name` in an entry, matched case-insensitively ([] when absent). */
export function attrValues(entry: LdapEntry, name: string): string[] {
  const direct = entry.attrs[name];
  if (direct) return direct;
  let index = byLowerName.get(entry.attrs);
  if (!index) {
    index = new Map();
    for (const k in entry.attrs) if (Object.hasOwn(entry.attrs, k)) index.set(k.toLowerCase(), entry.attrs[k]!);
    byLowerName.set(entry.attrs, index);
  }
  return index.get(name.toLowerCase()) ?? [];
}

/** First value of `name` or undefined. */
export function attrFirst(entry: LdapEntry, name: string): string | undefined {
  return attrValues(entry, name)[0];
}

export function toLdaptsAttrs(attrs: LdapAttributes): Attribute[] {
  return Object.entries(attrs).map(([type, v]) => new Attribute({ type: assertAttributeName(type), values: Array.isArray(v) ? v : [v] }));
}
