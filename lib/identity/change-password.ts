import { InvalidCredentialsError } from '../core/errors.js';
import { withDirectory, type IdentityDeps } from './deps.js';
import { CurrentPasswordError, PasswordPolicyError } from './errors.js';
import { passwordPolicy, passwordViolations } from './password-rules.js';
import { requireUser } from './read-users.js';
import { setPassword } from './set-password.js';

/**
 * Sets a user's password. With `requireCurrent` (self-service, or a caller without write access on the
 * user) the current password is verified by a bind as the user first. The new one goes through the API's
 * complexity rules, then is written as configured (set-password.ts: Password Modify or an {ARGON2} value).
 * The service-bound operations share one connection; the bind as the user has its own.
 */
export async function changePassword(
  d: IdentityDeps,
  uid: string,
  input: { current_password?: string; new_password: string },
  opts: { requireCurrent: boolean },
): Promise<{ dn: string }> {
  return withDirectory(d, async (d) => {
    const entry = await requireUser(d, uid);
    const broken = passwordViolations(input.new_password, uid, await passwordPolicy(d.db));
    if (broken.length) throw new PasswordPolicyError('new_password', broken);
    if (opts.requireCurrent) {
      if (!input.current_password) throw new CurrentPasswordError('CURRENT_PASSWORD_REQUIRED');
      try {
        await d.ldap.bind(entry.dn, input.current_password);
      } catch (e) {
        if (e instanceof InvalidCredentialsError) throw new CurrentPasswordError('INVALID_CURRENT_PASSWORD');
        throw e;
      }
    }
    await setPassword(d, entry.dn, input.new_password);
    return { dn: entry.dn };
  });
}
