import { diffChanges, type AttributeChange } from '../audit/audit.js';
import type { LdapChange } from '../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from './deps.js';
import { fieldChange } from './directory-writes.js';
import { assertPosixFieldsAllowed, POSIX_USER_FIELDS } from './posix-plugin.js';
import { RequiredAttributeError } from './errors.js';
import { requireUser, userView } from './read-users.js';
import type { UpdateUserBody } from './schemas.js';
import { auditState, hasClass, type UserView } from './user-mapper.js';

const ALWAYS_REQUIRED = ['cn', 'sn'];
const POSIX_REQUIRED = ['uidNumber', 'gidNumber', 'homeDirectory'];

/**
 * Changes only the fields given; `null` removes an attribute (refused, 422, for the attributes the entry's
 * object classes require). `uid` is the RDN and stays as created (the body schema refuses it). The LDAP
 * operations share one connection.
 */
export async function updateUser(
  d: IdentityDeps,
  uid: string,
  body: UpdateUserBody,
): Promise<{ user: UserView; changes: AttributeChange[] }> {
  await assertPosixFieldsAllowed(d.db, body, POSIX_USER_FIELDS);
  return withDirectory(d, (d) => updateUserOn(d, uid, body));
}

async function updateUserOn(d: IdentityDeps, uid: string, body: UpdateUserBody): Promise<{ user: UserView; changes: AttributeChange[] }> {
  const entry = await requireUser(d, uid);
  const before = await userView(d, entry);
  const required = [...ALWAYS_REQUIRED, ...(hasClass(entry, 'posixAccount') ? POSIX_REQUIRED : [])];
  const mods: LdapChange[] = [];
  for (const [attribute, value] of Object.entries(body)) {
    if (attribute === 'uid') continue;
    if (value === null && required.includes(attribute)) throw new RequiredAttributeError(attribute);
    const change = fieldChange(attribute, value === null || value === undefined ? value : String(value), before[attribute] !== undefined);
    if (change) mods.push(change);
  }
  if (mods.length) await d.ldap.modify(entry.dn, mods);
  const user = await userView(d, await requireUser(d, uid));
  return { user, changes: diffChanges(auditState(before), auditState(user)) };
}
