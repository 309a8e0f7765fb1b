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
import { ApiError, ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import {
  and,
  attrFirst,
  attrValues,
  eq,
  escapeDnValue,
  type LdapAttributes,
  type LdapChange,
  type LdapEntry,
} from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import {
  APEX,
  bumpSoa,
  formatSoa,
  initialSerial,
  normalizeOwnerName,
  parseRecord,
  parseRecordId,
  parseSoa,
  RECORD_ATTRIBUTE,
  RECORD_TYPES,
  recordFields,
  recordId,
  rnameFromEmail,
  SOA_ATTRIBUTE,
  type RecordInput,
  type RecordType,
} from './records.js';
import type { CreateZoneBody } from './schemas.js';

export const DEFAULT_ZONE_TTL = 3600;
const ZONE_CLASS = 'dNSZone';
const RECORD_ATTRS = RECORD_TYPES.map((t) => RECORD_ATTRIBUTE[t]);
const ENTRY_ATTRS = ['zoneName', 'relativeDomainName', 'dNSTTL', 'dNSClass', SOA_ATTRIBUTE, ...RECORD_ATTRS];

export interface ZoneView {
  dn: string;
  zoneName: string;
  soa: string;
  soaFields: {
    primary_ns: string;
    admin_email: string;
    serial: number;
    refresh: number;
    retry: number;
    expire: number;
    minimum: number;
  } | null;
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

/** Creates `ou=<ou>,<base>` unless it exists (idempotent, safe under concurrency). */
export async function ensureOu(d: IdentityDeps, ou: string): Promise<string> {
  const dn = `ou=${escapeDnValue(ou)},${d.baseDn}`;
  try {
    await d.ldap.add(dn, { objectClass: ['organizationalUnit'], ou });
  } catch (e) {
    if (!(e instanceof ConflictError && e.code === 'LDAP_ENTRY_ALREADY_EXISTS')) throw e;
  }
  return dn;
}

const ttlOf = (e: LdapEntry): number | null => {
  const v = attrFirst(e, 'dNSTTL');
  return v === undefined ? null : Number(v);
};

const recordCountOf = (entries: LdapEntry[]) =>
  entries.reduce((n, e) => n + RECORD_ATTRS.reduce((m, a) => m + attrValues(e, a).length, 0), 0);

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

/** Every dNSZone entry of a zone (apex first), or null when the zone does not exist. */
async function zoneEntries(d: IdentityDeps, zone: string): Promise<LdapEntry[] | null> {
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

async function requireZone(d: IdentityDeps, zone: string): Promise<LdapEntry[]> {
  const entries = await zoneEntries(d, zone);
  if (!entries) throw new DnsZoneNotFoundError(zone, dnsBase(d));
  return entries;
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
    await ensureOu(d, 'dns');
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
    try {
      await d.ldap.add(dn, attrs);
    } catch (e) {
      if (e instanceof ConflictError && e.code === 'LDAP_ENTRY_ALREADY_EXISTS') {
        throw new ConflictError('DNS_ZONE_EXISTS', `DNS zone '${zone}' already exists`, { zone, dn });
      }
      throw e;
    }
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

function recordsOf(zone: string, entry: LdapEntry): RecordView[] {
  const name = attrFirst(entry, 'relativeDomainName') ?? APEX;
  const out: RecordView[] = [];
  for (const type of RECORD_TYPES) {
    for (const value of attrValues(entry, RECORD_ATTRIBUTE[type])) {
      out.push({
        id: recordId(type, name, value),
        name,
        fqdn: name === APEX ? `${zone}.` : `${name}.${zone}.`,
        type,
        value,
        ttl: ttlOf(entry),
        fields: recordFields(type, value),
        dn: entry.dn,
      });
    }
  }
  return out;
}

const typeOrder = (t: RecordType) => RECORD_TYPES.indexOf(t);

/** The records of a zone (SOA apart), filtered by type and owner name, sorted by name ('@' first), type, value. */
export async function listRecords(
  d: IdentityDeps,
  zone: string,
  q: { limit: number; offset: number; type?: RecordType; name?: string },
): Promise<{ data: RecordView[]; total: number }> {
  const entries = await requireZone(d, zone);
  const wanted = q.name === undefined ? undefined : (normalizeOwnerName(q.name, zone) ?? '\0');
  const all = entries
    .flatMap((e) => recordsOf(zone, e))
    .filter((r) => (!q.type || r.type === q.type) && (wanted === undefined || r.name === wanted))
    .sort(
      (a, b) =>
        (a.name === APEX ? -1 : b.name === APEX ? 1 : a.name.localeCompare(b.name)) ||
        typeOrder(a.type) - typeOrder(b.type) ||
        a.value.localeCompare(b.value),
    );
  return { data: all.slice(q.offset, q.offset + q.limit), total: all.length };
}

/** Directory races a read-then-write can meet: read again and retry. */
const RACE_CODES = new Set(['LDAP_ENTRY_ALREADY_EXISTS', 'LDAP_NO_SUCH_OBJECT', 'LDAP_NO_SUCH_ATTRIBUTE']);

async function retrying<T>(attempt: () => Promise<T>, attempts = 25): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= attempts || !(e instanceof ApiError) || !RACE_CODES.has(e.code)) throw e;
      // A small random pause spreads out writers that collided on the same value.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(i, 10)));
    }
  }
}

/** Advances the zone's SOA serial atomically (delete the value read, add the next one; retried on a race). */
async function bumpSerial(d: IdentityDeps, zone: string): Promise<AttributeChange> {
  return retrying(async () => {
    const apex = await d.ldap.get(zoneDn(d, zone), [SOA_ATTRIBUTE]);
    if (!apex) throw new DnsZoneNotFoundError(zone, dnsBase(d));
    const old = attrFirst(apex, SOA_ATTRIBUTE);
    if (!old) return { attribute: SOA_ATTRIBUTE, old: null, new: null };
    const next = bumpSoa(old, d.now());
    await d.ldap.modify(apex.dn, [
      { operation: 'delete', attribute: SOA_ATTRIBUTE, values: [old] },
      { operation: 'add', attribute: SOA_ATTRIBUTE, values: [next] },
    ]);
    return { attribute: SOA_ATTRIBUTE, old, new: next };
  });
}

const hasAnyRecord = (e: LdapEntry) => RECORD_ATTRS.some((a) => attrValues(e, a).length > 0);

/**
 * Adds a record (validated by parseRecord: 400 naming the field): 404 DNS_ZONE_NOT_FOUND, 409
 * DNS_RECORD_EXISTS (same type, name and value), 409 DNS_CNAME_CONFLICT (a CNAME shares its name with no
 * other record, and never sits at the apex), 422 DNS_TTL_CONFLICT. The SOA serial is advanced.
 */
export async function addRecord(
  d: IdentityDeps,
  zone: string,
  input: RecordInput,
): Promise<{ record: RecordView; dn: string; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const parsed = parseRecord(input, zone);
    const attribute = RECORD_ATTRIBUTE[parsed.type];
    const dn = ownerDn(d, zone, parsed.name);
    const written = await retrying(async () => {
      const apex = await d.ldap.get(zoneDn(d, zone), ENTRY_ATTRS);
      if (!apex) throw new DnsZoneNotFoundError(zone, dnsBase(d));
      const entry = parsed.name === APEX ? apex : await d.ldap.get(dn, ENTRY_ATTRS);
      const details = { zone, name: parsed.name, type: parsed.type };
      if (parsed.type === 'CNAME' && parsed.name === APEX) {
        throw new ConflictError('DNS_CNAME_CONFLICT', 'A CNAME cannot be at the zone apex (it holds the SOA)', details);
      }
      if (entry) {
        const existing = attrValues(entry, attribute);
        if (existing.some((v) => v.toLowerCase() === parsed.value.toLowerCase())) {
          throw new ConflictError('DNS_RECORD_EXISTS', `The ${parsed.type} record ${parsed.value} already exists at ${parsed.name}`, {
            ...details,
            value: parsed.value,
          });
        }
        const cname = attrValues(entry, RECORD_ATTRIBUTE.CNAME).length > 0;
        if ((parsed.type === 'CNAME' && hasAnyRecord(entry)) || (parsed.type !== 'CNAME' && cname)) {
          throw new ConflictError('DNS_CNAME_CONFLICT', `A CNAME cannot share the name '${parsed.name}' with other records`, details);
        }
        const ttl = ttlOf(entry);
        if (input.ttl !== undefined && ttl !== null && ttl !== input.ttl && (hasAnyRecord(entry) || parsed.name === APEX)) {
          throw new UnprocessableError(
            'DNS_TTL_CONFLICT',
            `The records of '${parsed.name}' have the TTL ${ttl}; records of one name share their TTL (dNSTTL)`,
            { field: 'ttl', attribute: 'dNSTTL', ttl },
          );
        }
        const mods: LdapChange[] = [{ operation: 'add', attribute, values: [parsed.value] }];
        if (input.ttl !== undefined && ttl !== input.ttl)
          mods.push({ operation: 'replace', attribute: 'dNSTTL', values: [String(input.ttl)] });
        try {
          await d.ldap.modify(entry.dn, mods);
        } catch (e) {
          if (e instanceof ApiError && e.code === 'LDAP_VALUE_EXISTS') {
            throw new ConflictError('DNS_RECORD_EXISTS', `The ${parsed.type} record already exists at ${parsed.name}`, {
              ...details,
              value: parsed.value,
            });
          }
          throw e;
        }
        return { ttl: input.ttl ?? ttl, created: false };
      }
      const ttl = input.ttl ?? ttlOf(apex) ?? DEFAULT_ZONE_TTL;
      await d.ldap.add(dn, {
        objectClass: [ZONE_CLASS],
        zoneName: zone,
        relativeDomainName: parsed.name,
        dNSClass: 'IN',
        dNSTTL: String(ttl),
        [attribute]: parsed.value,
      });
      return { ttl, created: true };
    });
    const serial = await bumpSerial(d, zone);
    const record: RecordView = {
      id: recordId(parsed.type, parsed.name, parsed.value),
      name: parsed.name,
      fqdn: parsed.name === APEX ? `${zone}.` : `${parsed.name}.${zone}.`,
      type: parsed.type,
      value: parsed.value,
      ttl: written.ttl,
      fields: parsed.fields,
      dn,
    };
    const changes: AttributeChange[] = [{ attribute, old: null, new: parsed.value }];
    if (written.created || input.ttl !== undefined) changes.push({ attribute: 'dNSTTL', old: null, new: written.ttl });
    changes.push(serial);
    return { record, dn, changes };
  });
}

/** Deletes a record by id: 404 DNS_ZONE_NOT_FOUND / DNS_RECORD_NOT_FOUND; the owner entry goes with its last record. */
export async function deleteRecord(
  d: IdentityDeps,
  zone: string,
  id: string,
): Promise<{ record: RecordView; dn: string; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const ref = parseRecordId(id);
    const removed = await retrying(async () => {
      const apex = await d.ldap.get(zoneDn(d, zone), ENTRY_ATTRS);
      if (!apex) throw new DnsZoneNotFoundError(zone, dnsBase(d));
      if (!ref) throw new DnsRecordNotFoundError(zone, id);
      const entry = ref.name === APEX ? apex : await d.ldap.get(ownerDn(d, zone, ref.name), ENTRY_ATTRS);
      const attribute = RECORD_ATTRIBUTE[ref.type];
      const value = entry && attrValues(entry, attribute).find((v) => v.toLowerCase() === ref.value.toLowerCase());
      if (!entry || !value) throw new DnsRecordNotFoundError(zone, id);
      const record = recordsOf(zone, entry).find((r) => r.type === ref.type && r.value === value)!;
      await d.ldap.modify(entry.dn, { operation: 'delete', attribute, values: [value] });
      return { record, attribute };
    });
    if (ref!.name !== APEX) {
      // The owner entry goes with its last record (read again: another record may have arrived meanwhile).
      const entry = await d.ldap.get(removed.record.dn, ENTRY_ATTRS);
      if (entry && !hasAnyRecord(entry)) {
        await d.ldap.del(entry.dn).catch((e: unknown) => {
          if (!(e instanceof NotFoundError)) throw e;
        });
      }
    }
    const serial = await bumpSerial(d, zone);
    const changes: AttributeChange[] = [{ attribute: removed.attribute, old: removed.record.value, new: null }, serial];
    return { record: removed.record, dn: removed.record.dn, changes };
  });
}
