import type { AttributeChange } from '../audit/audit.js';
import { diffChanges } from '../audit/audit.js';
import { withDirectory, type IdentityDeps } from './deps.js';
import { departmentContainer } from './departments/containers.js';
import { addEntry } from './directory-writes.js';
import { PasswordPolicyError, UserExistsError } from './errors.js';
import { allocateNumber } from './numbers.js';
import { passwordPolicy, passwordViolations } from './password-rules.js';
import { assertPosixFieldsAllowed, POSIX_USER_FIELDS } from './posix-plugin.js';
import { findUser, requireUser, userView } from './read-users.js';
import { setPassword } from './set-password.js';
import type { CreateUserBody } from './schemas.js';
import { auditState, newUserAttributes, userDn, type UserView } from './user-mapper.js';

/**
 * Creates an inetOrgPerson (+ posixAccount + shadowAccount with `posix`) in `ou=people` of the base or, with
 * `department_dn`, of that department (422 INVALID_DEPARTMENT when it is none); the uid is unique below the
 * whole base (409 USER_EXISTS wherever the other one is). `uidNumber`/`gidNumber: null` are
 * allocated from the table's counters. The password is set afterwards as configured (set-password.ts:
 * Password Modify so that slapd hashes it and applies its policy, or an {ARGON2} value); if that fails the
 * entry is removed again (no half-created user). The LDAP operations share one connection.
 */
export async function createUser(d: IdentityDeps, body: CreateUserBody): Promise<{ user: UserView; changes: AttributeChange[] }> {
  await assertPosixFieldsAllowed(d.db, body, POSIX_USER_FIELDS);
  if (body.userPassword !== undefined) {
    const broken = passwordViolations(body.userPassword, body.uid, await passwordPolicy(d.db));
    if (broken.length) throw new PasswordPolicyError('userPassword', broken);
  }
  return withDirectory(d, (d) => createUserOn(d, body));
}

async function createUserOn(d: IdentityDeps, body: CreateUserBody): Promise<{ user: UserView; changes: AttributeChange[] }> {
  const container = await departmentContainer(d, 'people', body.department_dn);
  const dn = userDn(body.uid, container);
  const existing = await findUser(d, body.uid);
  if (existing) throw new UserExistsError(body.uid, existing.dn);
  let numbers: { uidNumber: number; gidNumber: number } | undefined;
  if (body.posix) {
    numbers = {
      uidNumber: body.posix.uidNumber ?? (await allocateNumber(d, 'uidNumber')),
      gidNumber: body.posix.gidNumber ?? (await allocateNumber(d, 'gidNumber')),
    };
  }
  await addEntry(d, dn, newUserAttributes(body, numbers), () => new UserExistsError(body.uid, dn));
  if (body.userPassword !== undefined) {
    try {
      await setPassword(d, dn, body.userPassword);
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
