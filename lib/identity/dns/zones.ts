/**
 * DNS zones and records on LDAP (Heracles §12), in the dNSZone layout BIND's LDAP backends read:
 *
 * - `ou=dns,<base>` holds the zones (created on first use);
 * - a zone is its apex entry `zoneName=<zone>,ou=dns,<base>` (`relativeDomainName: @`, `sOARecord`,
 *   `dNSTTL`, `dNSClass: IN`); records at the apex (NS, MX, TXT of the zone) are values on that entry;
 * - the records of another owner name are the values of one entry
 *   `relativeDomainName=<name>,zoneName=<zone>,ou=dns,<base>` (one attribute per type, one value per record),
 *   deleted with its last record.
 *
 * Every record change advances the SOA serial (YYYYMMDDnn) with an atomic delete-old/add-new of sOARecord,
 * retried when another change moved it first. The TTL is the entry's dNSTTL: the records of one owner name
 * share it (a different ttl for a name that already has records is 422 DNS_TTL_CONFLICT).
 */
import { diffChanges, type AttributeChange } from '../../audit/audit.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { and, attrFirst, eq, type LdapAttributes, type LdapEntry } from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import { addEntry, ensureContainer } from '../directory-writes.js';
import { APEX, formatSoa, initialSerial, parseSoa, rnameFromEmail, SOA_ATTRIBUTE } from './records.js';
import type { CreateZoneBody } from './schemas.js';
import {
  DEFAULT_ZONE_TTL,
  dnsBase,
  ENTRY_ATTRS,
  recordCountOf,
  requireZone,
  ttlOf,
  ZONE_CLASS,
  zoneDn,
  zoneEntries,
  type ZoneView,
} from './zone-store.js';

export {
  DEFAULT_ZONE_TTL,
  DnsRecordNotFoundError,
  DnsZoneNotFoundError,
  dnsBase,
  ownerDn,
  zoneDn,
  type RecordView,
  type ZoneView,
} from './zone-store.js';
export { addRecord, deleteRecord, listRecords } from './zone-records.js';

function toZoneView(apex: LdapEntry, recordCount: number): ZoneView {
  const soa = attrFirst(apex, SOA_ATTRIBUTE) ?? '';
  const parsed = parseSoa(soa);
  return {
    dn: apex.dn,
    zoneName: attrFirst(apex, 'zoneName') ?? '',
    soa,
    soaFields: parsed
      ? {
          primary_ns: parsed.primary_ns,
          admin_email: parsed.admin_email,
          serial: parsed.serial,
          refresh: parsed.refresh,
          retry: parsed.retry,
          expire: parsed.expire,
          minimum: parsed.minimum,
        }
      : null,
    ttl: ttlOf(apex),
    recordCount,
  };
}

/** The zones, sorted by name, one page; record counts for that page only. */
export async function listZones(d: IdentityDeps, q: { limit: number; offset: number }): Promise<{ data: ZoneView[]; total: number }> {
  return withDirectory(d, async (d) => {
    let apexes: LdapEntry[];
    try {
      apexes = await d.ldap.search(dnsBase(d), {
        scope: 'one',
        filter: and(eq('objectClass', ZONE_CLASS), eq('relativeDomainName', APEX)),
        attributes: ENTRY_ATTRS,
      });
    } catch (e) {
      if (e instanceof NotFoundError) return { data: [], total: 0 };
      throw e;
    }
    apexes.sort((a, b) => (attrFirst(a, 'zoneName') ?? '').localeCompare(attrFirst(b, 'zoneName') ?? ''));
    const data: ZoneView[] = [];
    for (const apex of apexes.slice(q.offset, q.offset + q.limit)) {
      const entries = (await zoneEntries(d, attrFirst(apex, 'zoneName') ?? '')) ?? [apex];
      data.push(toZoneView(apex, recordCountOf(entries)));
    }
    return { data, total: apexes.length };
  });
}

export async function getZone(d: IdentityDeps, zone: string): Promise<ZoneView> {
  const entries = await requireZone(d, zone);
  return toZoneView(entries[0]!, recordCountOf(entries));
}

/** Creates the zone apex (SOA serial YYYYMMDD01 unless given, ttl 3600 unless given): 409 DNS_ZONE_EXISTS. */
export async function createZone(
  d: IdentityDeps,
  zone: string,
  body: CreateZoneBody,
): Promise<{ zone: ZoneView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    await ensureContainer(d, 'dns');
    const dn = zoneDn(d, zone);
    const soa = formatSoa({
      ...body.soa,
      rname: rnameFromEmail(body.soa.admin_email) ?? undefined,
      serial: body.soa.serial ?? initialSerial(d.now()),
    });
    const attrs: LdapAttributes = {
      objectClass: [ZONE_CLASS],
      zoneName: zone,
      relativeDomainName: APEX,
      dNSClass: 'IN',
      dNSTTL: String(body.ttl ?? DEFAULT_ZONE_TTL),
      [SOA_ATTRIBUTE]: soa,
    };
    await addEntry(d, dn, attrs, () => new ConflictError('DNS_ZONE_EXISTS', `DNS zone '${zone}' already exists`, { zone, dn }));
    return { zone: await getZone(d, zone), changes: diffChanges(undefined, attrs) };
  });
}

/** Deletes a zone: 409 DNS_ZONE_NOT_EMPTY while it has records, unless `recursive` (then with them). */
export async function deleteZone(d: IdentityDeps, zone: string, recursive: boolean): Promise<{ dn: string; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const entries = await requireZone(d, zone);
    const count = recordCountOf(entries);
    const apex = entries[0]!;
    if (count > 0 && !recursive) {
      throw new ConflictError('DNS_ZONE_NOT_EMPTY', `DNS zone '${zone}' has ${count} record(s); delete them or use recursive=true`, {
        zone,
        recordCount: count,
      });
    }
    // Children first (deepest DNs first), then the apex.
    const children = entries.slice(1).sort((a, b) => b.dn.length - a.dn.length);
    for (const e of children) await d.ldap.del(e.dn);
    await d.ldap.del(apex.dn);
    const before: Record<string, unknown> = {
      zoneName: zone,
      [SOA_ATTRIBUTE]: attrFirst(apex, SOA_ATTRIBUTE) ?? null,
      dNSTTL: attrFirst(apex, 'dNSTTL') ?? null,
      recordCount: count,
    };
    return { dn: apex.dn, changes: diffChanges(before, undefined) };
  });
}
