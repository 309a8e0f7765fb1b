/** The SOA serial (YYYYMMDDnn) every record change advances, atomically and retried on directory races. */
import type { AttributeChange } from '../../audit/audit.js';
import { attrFirst } from '../../providers/ldap/index.js';
import type { IdentityDeps } from '../deps.js';
import { retryOnRace, type RetryOptions } from '../directory-writes.js';
import { bumpSoa, SOA_ATTRIBUTE } from './records.js';
import { dnsBase, DnsZoneNotFoundError, zoneDn } from './zone-store.js';

/**
 * Directory races a read-then-write of a zone can meet (read again and retry): many writers advance the one
 * SOA value, so up to 25 attempts, with a small random pause that spreads out writers that collided.
 */
export const ZONE_RACE: RetryOptions = {
  codes: new Set(['LDAP_ENTRY_ALREADY_EXISTS', 'LDAP_NO_SUCH_OBJECT', 'LDAP_NO_SUCH_ATTRIBUTE']),
  attempts: 25,
  pauseMs: (i) => Math.random() * 5 * Math.min(i, 10),
};

/** Advances the zone's SOA serial atomically (delete the value read, add the next one; retried on a race). */
export async function bumpSerial(d: IdentityDeps, zone: string): Promise<AttributeChange> {
  return retryOnRace(async () => {
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
  }, ZONE_RACE);
}
