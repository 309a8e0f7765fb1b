import type { AttributeChange } from '../audit/audit.js';
import { diffChanges } from '../audit/audit.js';
import { ConflictError } from '../core/errors.js';
import { withDirectory, type IdentityDeps } from './deps.js';
import { PasswordPolicyError, UserExistsError } from './errors.js';
import { allocateNumber } from './numbers.js';
import { passwordViolations } from './password-rules.js';
import { findUser, requireUser, userView } from './read-users.js';
import type { CreateUserBody } from './schemas.js';
import { auditState, newUserAttributes, userDn, type UserView } from './user-mapper.js';

/**
 * Creates an inetOrgPerson (+ posixAccount + shadowAccount with `posix`). `uidNumber`/`gidNumber: null` are
 * allocated from the table's counters. The password is set afterwards with the Password Modify extended
 * operation, so slapd hashes it ({SSHA512}) and applies its password policy; if that fails the entry is
 * removed again (no half-created user). The LDAP operations share one connection.
 */
export async function createUser(d: IdentityDeps, body: CreateUserBody): Promise<{ user: UserView; changes: AttributeChange[] }> {
  if (body.userPassword !== undefined) {
    const broken = passwordViolations(body.userPassword, body.uid);
    if (broken.length) throw new PasswordPolicyError('userPassword', broken);
  }
  return withDirectory(d, (d) => createUserOn(d, body));
}

async function createUserOn(d: IdentityDeps, body: CreateUserBody): Promise<{ user: UserView; changes: AttributeChange[] }> {
  const dn = userDn(body.uid, d.peopleDn);
  const existing = await findUser(d, body.uid);
  if (existing) throw new UserExistsError(body.uid, existing.dn);
  let numbers: { uidNumber: number; gidNumber: number } | undefined;
  if (body.posix) {
    numbers = {
      uidNumber: body.posix.uidNumber ?? (await allocateNumber(d, 'uidNumber')),
      gidNumber: body.posix.gidNumber ?? (await allocateNumber(d, 'gidNumber')),
    };
  }
  try {
    await d.ldap.add(dn, newUserAttributes(body, numbers));
  } catch (e) {
    if (e instanceof ConflictError && e.code === 'LDAP_ENTRY_ALREADY_EXISTS') throw new UserExistsError(body.uid, dn);
    throw e;
  }
  if (body.userPassword !== undefined) {
    try {
      await d.ldap.passwordModify(dn, body.userPassword);
    } catch (e) {
      await d.ldap.del(dn).catch(() => undefined);
      throw e;
    }
  }
  const user = await userView(d, await requireUser(d, body.uid));
  const changes = diffChanges(undefined, auditState(user));
  if (body.userPassword !== undefined) changes.push({ attribute: 'userPassword', old: null, new: '[REDACTED]' });
  return { user, changes };
}
