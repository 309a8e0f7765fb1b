/** The SOA serial (YYYYMMDDnn) every record change advances, atomically and retried on directory races. */
import type { AttributeChange } from '../../audit/audit.js';
import { ApiError } from '../../core/errors.js';
import { attrFirst } from '../../providers/ldap/index.js';
import type { IdentityDeps } from '../deps.js';
import { bumpSoa, SOA_ATTRIBUTE } from './records.js';
import { dnsBase, DnsZoneNotFoundError, zoneDn } from './zone-store.js';

/** Directory races a read-then-write can meet: read again and retry. */
const RACE_CODES = new Set(['LDAP_ENTRY_ALREADY_EXISTS', 'LDAP_NO_SUCH_OBJECT', 'LDAP_NO_SUCH_ATTRIBUTE']);

export async function retrying<T>(attempt: () => Promise<T>, attempts = 25): Promise<T> {
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
export async function bumpSerial(d: IdentityDeps, zone: string): Promise<AttributeChange> {
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
