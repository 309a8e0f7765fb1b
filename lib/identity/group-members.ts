/**
 * Group membership. Groups are groupOfNames (+ the project's AUXILIARY apibibindPosixGroup for gidNumber and
 * memberUid). groupOfNames requires at least one `member`: a group with no members holds its own DN as
 * the only value (a placeholder the API never shows, never counts, and drops as soon as a member is added).
 */
import { attrFirst, attrValues, dnEquals, eq, or, type LdapChange, type LdapEntry } from '../providers/ldap/index.js';
import type { IdentityDeps } from './deps.js';
import { UnknownMemberError } from './errors.js';
import { findUser } from './read-users.js';

export const POSIX_GROUP_CLASS = 'apibibindPosixGroup';

export interface ResolvedMember {
  dn: string;
  uid?: string;
}

/** Members given as uids or DNs → entries of the directory; every unknown one is named in one 400. */
export async function resolveMembers(d: IdentityDeps, members: string[]): Promise<ResolvedMember[]> {
  const out: ResolvedMember[] = [];
  const unknown: string[] = [];
  for (const m of [...new Set(members)]) {
    const entry = m.includes('=') ? await d.ldap.get(m, ['uid']).catch(() => null) : await findUser(d, m);
    if (!entry) unknown.push(m);
    else if (!out.some((o) => dnEquals(o.dn, entry.dn))) out.push({ dn: entry.dn, uid: attrFirst(entry, 'uid') });
  }
  if (unknown.length) throw new UnknownMemberError(unknown);
  return out;
}

/** The real members of a group (its own DN, the empty-group placeholder, left out). */
export const realMembers = (group: LdapEntry): string[] => attrValues(group, 'member').filter((m) => !dnEquals(m, group.dn));

const isPosix = (group: LdapEntry) => attrValues(group, 'objectClass').some((c) => c.toLowerCase() === POSIX_GROUP_CLASS.toLowerCase());

/** Modifications that add `add` and remove `remove` (DNs), keeping `member` non-empty and memberUid in step. */
export function membershipChanges(group: LdapEntry, add: ResolvedMember[], remove: ResolvedMember[]): LdapChange[] {
  const groupOfNames = attrValues(group, 'objectClass').some((c) => c.toLowerCase() === 'groupofnames');
  const current = realMembers(group);
  const hasPlaceholder = attrValues(group, 'member').some((m) => dnEquals(m, group.dn));
  const toAdd = add.filter((a) => !current.some((c) => dnEquals(c, a.dn)));
  const toRemove = current.filter((c) => remove.some((r) => dnEquals(c, r.dn)));
  const remaining = current.length + toAdd.length - toRemove.length;
  const changes: LdapChange[] = [];
  if (toAdd.length) changes.push({ operation: 'add', attribute: 'member', values: toAdd.map((a) => a.dn) });
  if (toRemove.length) changes.push({ operation: 'delete', attribute: 'member', values: toRemove });
  if (remaining > 0 && hasPlaceholder) changes.push({ operation: 'delete', attribute: 'member', values: [group.dn] });
  if (groupOfNames && remaining === 0 && !hasPlaceholder && toRemove.length)
    changes.push({ operation: 'add', attribute: 'member', values: [group.dn] });
  if (isPosix(group)) {
    const uids = attrValues(group, 'memberUid');
    const addUids = [...new Set(toAdd.map((a) => a.uid).filter((u): u is string => !!u && !uids.includes(u)))];
    const delUids = [...new Set(remove.map((r) => r.uid).filter((u): u is string => !!u && uids.includes(u)))];
    if (addUids.length) changes.push({ operation: 'add', attribute: 'memberUid', values: addUids });
    if (delUids.length) changes.push({ operation: 'delete', attribute: 'memberUid', values: delUids });
  }
  return changes;
}

/**
 * Removes a deleted user from every group: groupOfNames `member`, groupOfUniqueNames `uniqueMember`,
 * posixGroup / apibibindPosixGroup `memberUid`. Answers the DNs of the groups changed.
 */
export async function removeFromAllGroups(d: IdentityDeps, dn: string, uid: string): Promise<string[]> {
  const groups = await d.ldap.search(d.baseDn, {
    scope: 'sub',
    filter: or(eq('member', dn), eq('uniqueMember', dn), eq('memberUid', uid)),
    attributes: ['objectClass', 'member', 'uniqueMember', 'memberUid'],
  });
  for (const g of groups) {
    const changes = membershipChanges(g, [], [{ dn, uid }]);
    // Non-API groups: posixGroup (memberUid only) and groupOfUniqueNames.
    if (!isPosix(g) && attrValues(g, 'memberUid').includes(uid))
      changes.push({ operation: 'delete', attribute: 'memberUid', values: [uid] });
    const unique = attrValues(g, 'uniqueMember');
    if (unique.some((m) => dnEquals(m, dn))) {
      const rest = unique.filter((m) => !dnEquals(m, dn));
      changes.push({ operation: 'replace', attribute: 'uniqueMember', values: rest.length ? rest : [g.dn] });
    }
    if (changes.length) await d.ldap.modify(g.dn, changes);
  }
  return groups.map((g) => g.dn);
}
