/** Entries as the provider hands them out (plain `{dn, attrs}`), and attributes as ldapts takes them. */
import { Attribute } from 'ldapts';
import { assertAttributeName } from './escape.js';
import type { LdapAttributes, LdapEntry } from './types.js';

export function toEntry(raw: Record<string, unknown> & { dn: string }): LdapEntry {
  const attrs: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'dn') continue;
    const list = Array.isArray(v) ? v : [v];
    attrs[k] = list.map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x)));
  }
  return { dn: raw.dn, attrs };
}

/** Values of `name` in an entry, matched case-insensitively ([] when absent). */
export function attrValues(entry: LdapEntry, name: string): string[] {
  const direct = entry.attrs[name];
  if (direct) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(entry.attrs)) if (k.toLowerCase() === lower) return v;
  return [];
}

/** First value of `name` or undefined. */
export function attrFirst(entry: LdapEntry, name: string): string | undefined {
  return attrValues(entry, name)[0];
}

export function toLdaptsAttrs(attrs: LdapAttributes): Attribute[] {
  return Object.entries(attrs).map(([type, v]) => new Attribute({ type: assertAttributeName(type), values: Array.isArray(v) ? v : [v] }));
}
