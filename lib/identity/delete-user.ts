import { diffChanges, type AttributeChange } from '../audit/audit.js';
import { withDirectory, type IdentityDeps } from './deps.js';
import { removeFromAllGroups } from './group-members.js';
import { requireUser, userView } from './read-users.js';
import { auditState } from './user-mapper.js';

/** Deletes the user and its memberships (member / uniqueMember / memberUid in every group), on one connection. */
export async function deleteUser(d: IdentityDeps, uid: string): Promise<{ dn: string; changes: AttributeChange[]; groups: string[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireUser(d, uid);
    const before = await userView(d, entry);
    const groups = await removeFromAllGroups(d, entry.dn, uid);
    await d.ldap.del(entry.dn);
    return { dn: entry.dn, changes: diffChanges(auditState(before), undefined), groups };
  });
}
