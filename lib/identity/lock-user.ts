import type { AttributeChange } from '../audit/audit.js';
import { attrFirst } from '../providers/ldap/index.js';
import { generalizedTime, isoFromGeneralizedTime, withDirectory, type IdentityDeps } from './deps.js';
import { requireUser } from './read-users.js';

export interface LockState {
  uid: string;
  locked: boolean;
  locked_at: string | null;
}

/**
 * Locks or unlocks with the password policy's `pwdAccountLockedTime` (the default policy applies to every
 * entry: olcPPolicyDefault). With `pwdLockoutDuration: 0` a lock holds until it is removed; a locked
 * account's binds (logins) fail. Locking a locked account keeps its original time.
 */
export async function setLocked(
  d: IdentityDeps,
  uid: string,
  locked: boolean,
): Promise<{ state: LockState; dn: string; changes: AttributeChange[] }> {
  const { entry, current, value } = await withDirectory(d, async (d) => {
    const entry = await requireUser(d, uid);
    const current = attrFirst(entry, 'pwdAccountLockedTime');
    let value = current;
    if (locked && !current) {
      value = generalizedTime(d.now());
      await d.ldap.modify(entry.dn, { operation: 'replace', attribute: 'pwdAccountLockedTime', values: [value] });
    } else if (!locked && current) {
      value = undefined;
      await d.ldap.modify(entry.dn, { operation: 'delete', attribute: 'pwdAccountLockedTime' });
    }
    return { entry, current, value };
  });
  const changes: AttributeChange[] =
    value === current ? [] : [{ attribute: 'pwdAccountLockedTime', old: current ?? null, new: value ?? null }];
  return { state: { uid, locked, locked_at: value ? isoFromGeneralizedTime(value) : null }, dn: entry.dn, changes };
}
