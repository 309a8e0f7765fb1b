/**
 * Where DHCP objects live and how they map to entries: the ISC DHCP LDAP layout (services at the top of
 * `ou=dhcp,<base>`, every other object `cn=<cn>,<parent DN>`), and the API fields ↔ LDAP attributes of each type.
 */
import { isDnWithin, parseDn } from '../../core/dn.js';
import { attrFirst, attrValues, escapeDnValue, type LdapEntry } from '../../providers/ldap/index.js';
import type { IdentityDeps } from '../deps.js';
import { FIXED_ADDRESS } from './net.js';
import { DHCP_TYPE_SPECS, type DhcpType } from './types.js';

export type DhcpFields = Record<string, unknown>;
export type DhcpView = Record<string, unknown> & { dn: string; type: DhcpType; cn: string; parent: string; service: string | null };

export const dhcpBase = (d: IdentityDeps) => `ou=dhcp,${d.baseDn}`;
export const serviceDn = (d: IdentityDeps, cn: string) => `cn=${escapeDnValue(cn)},${dhcpBase(d)}`;
export const childDn = (cn: string, parentDn: string) => `cn=${escapeDnValue(cn)},${parentDn}`;

const rdnString = (rdn: ReturnType<typeof parseDn>[number]) => rdn.map((a) => `${a.type}=${escapeDnValue(a.value)}`).join('+');
const joinRdns = (rdns: ReturnType<typeof parseDn>) => rdns.map(rdnString).join(',');

export const parentOf = (dn: string): string => joinRdns(parseDn(dn).slice(1));

/** The cn of the service an object under ou=dhcp belongs to (null for anything else). */
export function serviceCnOf(d: IdentityDeps, dn: string): string | null {
  const base = parseDn(dhcpBase(d)).length;
  const rdns = parseDn(dn);
  if (rdns.length <= base || !isDnWithin(dn, dhcpBase(d), 'subtree')) return null;
  return rdns[rdns.length - base - 1]![0]!.value;
}

export const serviceDnOf = (d: IdentityDeps, dn: string): string | null => {
  const cn = serviceCnOf(d, dn);
  return cn === null ? null : serviceDn(d, cn);
};

export const ENTRY_ATTRS = [
  'objectClass',
  'cn',
  ...new Set(Object.values(DHCP_TYPE_SPECS).flatMap((s) => s.fields.map((f) => f.attribute))),
];

// ---------------------------------------------------------------------------------------------------------
// Fields ↔ attributes

/** The API fields of an entry (the secret included: views drop it). */
export function fieldsOf(type: DhcpType, entry: LdapEntry): DhcpFields {
  const out: DhcpFields = {};
  for (const f of DHCP_TYPE_SPECS[type].fields) {
    const values = attrValues(entry, f.attribute);
    if (!values.length) continue;
    if (f.kind === 'strings') out[f.key] = values;
    else if (f.kind === 'int') out[f.key] = Number(values[0]);
    else out[f.key] = values[0];
  }
  if (type === 'host' && Array.isArray(out.statements)) {
    const all = out.statements as string[];
    const fixed = all.find((s) => FIXED_ADDRESS.test(s));
    if (fixed) out.fixed_address = FIXED_ADDRESS.exec(fixed)![1];
    const rest = all.filter((s) => s !== fixed);
    if (rest.length) out.statements = rest;
    else delete out.statements;
  }
  return out;
}

/** Attribute values of the fields (every attribute of the type, [] when absent): what is written and audited. */
export function attributesOf(type: DhcpType, fields: DhcpFields): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of DHCP_TYPE_SPECS[type].fields) {
    const v = fields[f.key];
    if (v === undefined || v === null) out[f.attribute] = [];
    else if (Array.isArray(v)) out[f.attribute] = v.map(String);
    else out[f.attribute] = [String(v)];
  }
  if (type === 'host' && typeof fields.fixed_address === 'string') {
    out.dhcpStatements = [`fixed-address ${fields.fixed_address}`, ...(out.dhcpStatements ?? [])];
  }
  return out;
}

export function toView(d: IdentityDeps, type: DhcpType, entry: LdapEntry): DhcpView {
  const { secret: _secret, ...fields } = fieldsOf(type, entry);
  return {
    dn: entry.dn,
    type,
    cn: attrFirst(entry, 'cn') ?? '',
    parent: parentOf(entry.dn),
    service: serviceCnOf(d, entry.dn),
    ...fields,
  };
}

export const auditState = (attrs: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(attrs).flatMap(([k, v]) => (v.length ? [[k, v.length === 1 ? v[0] : v]] : [])));
