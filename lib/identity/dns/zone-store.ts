/**
 * The dNSZone layout on LDAP shared by the zone and record use cases: `ou=dns,<base>` holds the zones, a
 * zone is its apex entry `zoneName=<zone>,ou=dns,<base>`, the records of another owner name are the values
 * of `relativeDomainName=<name>,zoneName=<zone>,ou=dns,<base>`. Views, errors, DNs and zone reads.
 */
import { NotFoundError } from '../../core/errors.js';
import { attrFirst, attrValues, eq, escapeDnValue, type LdapEntry } from '../../providers/ldap/index.js';
import type { IdentityDeps } from '../deps.js';
import { APEX, RECORD_ATTRIBUTE, RECORD_TYPES, SOA_ATTRIBUTE, type RecordType, type SoaFields } from './records.js';

export const DEFAULT_ZONE_TTL = 3600;
export const ZONE_CLASS = 'dNSZone';
export const RECORD_ATTRS = RECORD_TYPES.map((t) => RECORD_ATTRIBUTE[t]);
export const ENTRY_ATTRS = ['zoneName', 'relativeDomainName', 'dNSTTL', 'dNSClass', SOA_ATTRIBUTE, ...RECORD_ATTRS];

export interface ZoneView {
  dn: string;
  zoneName: string;
  soa: string;
  soaFields: SoaFields | null;
  ttl: number | null;
  recordCount: number;
}

export interface RecordView {
  id: string;
  name: string;
  fqdn: string;
  type: RecordType;
  value: string;
  ttl: number | null;
  fields: Record<string, unknown>;
  dn: string;
}

export class DnsZoneNotFoundError extends NotFoundError {
  constructor(zone: string, searchBase: string) {
    super('DNS_ZONE_NOT_FOUND', `DNS zone '${zone}' not found`, { zone, search_base: searchBase });
    this.name = 'DnsZoneNotFoundError';
  }
}

export class DnsRecordNotFoundError extends NotFoundError {
  constructor(zone: string, id: string) {
    super('DNS_RECORD_NOT_FOUND', `DNS zone '${zone}' has no record ${id}`, { zone, id });
    this.name = 'DnsRecordNotFoundError';
  }
}

export const dnsBase = (d: IdentityDeps) => `ou=dns,${d.baseDn}`;
export const zoneDn = (d: IdentityDeps, zone: string) => `zoneName=${escapeDnValue(zone)},${dnsBase(d)}`;
export const ownerDn = (d: IdentityDeps, zone: string, name: string) =>
  name === APEX ? zoneDn(d, zone) : `relativeDomainName=${escapeDnValue(name)},${zoneDn(d, zone)}`;

export const ttlOf = (e: LdapEntry): number | null => {
  const v = attrFirst(e, 'dNSTTL');
  return v === undefined ? null : Number(v);
};

export const recordCountOf = (entries: LdapEntry[]) =>
  entries.reduce((n, e) => n + RECORD_ATTRS.reduce((m, a) => m + attrValues(e, a).length, 0), 0);

/** Every dNSZone entry of a zone (apex first), or null when the zone does not exist. */
export async function zoneEntries(d: IdentityDeps, zone: string): Promise<LdapEntry[] | null> {
  try {
    const entries = await d.ldap.search(zoneDn(d, zone), { scope: 'sub', filter: eq('objectClass', ZONE_CLASS), attributes: ENTRY_ATTRS });
    const apexDn = zoneDn(d, zone).toLowerCase();
    const apex = entries.find((e) => e.dn.toLowerCase() === apexDn);
    if (!apex) return null;
    return [apex, ...entries.filter((e) => e !== apex)];
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

export async function requireZone(d: IdentityDeps, zone: string): Promise<LdapEntry[]> {
  const entries = await zoneEntries(d, zone);
  if (!entries) throw new DnsZoneNotFoundError(zone, dnsBase(d));
  return entries;
}

export const hasAnyRecord = (e: LdapEntry) => RECORD_ATTRS.some((a) => attrValues(e, a).length > 0);
