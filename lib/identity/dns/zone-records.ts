/**
 * DNS record use cases: list, add and delete the records of a zone. The records of one owner name are the
 * values of one entry (one attribute per type), which goes with its last record; they share its dNSTTL
 * (a different ttl for a name that already has records is 422 DNS_TTL_CONFLICT). Every change advances
 * the SOA serial (soa-serial.ts).
 */
import type { AttributeChange } from '../../audit/audit.js';
import { ApiError, ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';
import { attrFirst, attrValues, type LdapChange, type LdapEntry } from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import {
  APEX,
  normalizeOwnerName,
  parseRecord,
  parseRecordId,
  RECORD_ATTRIBUTE,
  RECORD_TYPES,
  recordFields,
  recordId,
  type RecordInput,
  type RecordType,
} from './records.js';
import { retryOnRace } from '../directory-writes.js';
import { bumpSerial, ZONE_RACE } from './soa-serial.js';
import {
  DEFAULT_ZONE_TTL,
  dnsBase,
  DnsRecordNotFoundError,
  DnsZoneNotFoundError,
  ENTRY_ATTRS,
  hasAnyRecord,
  ownerDn,
  requireZone,
  ttlOf,
  ZONE_CLASS,
  zoneDn,
  type RecordView,
} from './zone-store.js';

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
    const written = await retryOnRace(async () => {
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
    }, ZONE_RACE);
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
    const removed = await retryOnRace(async () => {
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
    }, ZONE_RACE);
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
