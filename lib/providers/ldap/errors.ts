/**
 * Mapping of ldapts errors to ApiErrors, and the password-policy errors of a bind.
 */
import { ResultCodeError } from 'ldapts';
import {
  ApiError,
  BadRequestError,
  ConflictError,
  DependencyUnavailableError,
  ForbiddenError,
  InternalError,
  InvalidCredentialsError,
  NotFoundError,
  UnprocessableError,
} from '../../core/errors.js';

/** The credentials may be right but the account is locked by the password policy (pwdAccountLockedTime). */
export class AccountLockedError extends ApiError {
  constructor() {
    super('ACCOUNT_LOCKED', 403, 'This account is locked');
    this.name = 'AccountLockedError';
  }
}

/** The password has expired under the password policy. */
export class PasswordExpiredError extends ApiError {
  constructor() {
    super('PASSWORD_EXPIRED', 403, 'The password has expired');
    this.name = 'PasswordExpiredError';
  }
}

function attributeFromMessage(message: string): string | undefined {
  const patterns = [
    /attribute '([A-Za-z][\w-]*)'/i,
    /attribute type '([A-Za-z][\w-]*)'/i,
    /^([A-Za-z][\w-]*): /,
    /\b([A-Za-z][\w-]*): value #\d+/,
  ];
  for (const p of patterns) {
    const m = p.exec(message);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

const UNPROCESSABLE: Record<number, string> = {
  16: 'LDAP_NO_SUCH_ATTRIBUTE',
  17: 'LDAP_UNDEFINED_ATTRIBUTE_TYPE',
  18: 'LDAP_INAPPROPRIATE_MATCHING',
  19: 'LDAP_CONSTRAINT_VIOLATION',
  21: 'LDAP_INVALID_ATTRIBUTE_SYNTAX',
  64: 'LDAP_NAMING_VIOLATION',
  65: 'LDAP_OBJECT_CLASS_VIOLATION',
  67: 'LDAP_NOT_ALLOWED_ON_RDN',
  69: 'LDAP_OBJECT_CLASS_MODS_PROHIBITED',
  53: 'LDAP_UNWILLING_TO_PERFORM',
  4: 'LDAP_SIZE_LIMIT_EXCEEDED',
};

/**
 * Maps any error thrown by ldapts to an ApiError. `dn` is added to details when known. Never includes the
 * request's values (a password could be one of them), only the server's diagnostic message.
 */
export function mapLdapError(e: unknown, ctx: { dn?: string; op?: string } = {}): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof ResultCodeError) {
    const diag = (e.message ?? '').slice(0, 300);
    const details: Record<string, unknown> = { ldap_code: e.code };
    if (ctx.dn) details.dn = ctx.dn;
    switch (e.code) {
      case 49:
        return new InvalidCredentialsError();
      case 32:
        return new NotFoundError('LDAP_NO_SUCH_OBJECT', 'No such LDAP entry', details);
      case 68:
        return new ConflictError('LDAP_ENTRY_ALREADY_EXISTS', 'The LDAP entry already exists', details);
      case 20: {
        const attribute = attributeFromMessage(diag);
        return new ConflictError('LDAP_VALUE_EXISTS', attribute ? `Value already present in ${attribute}` : 'Value already present', {
          ...details,
          ...(attribute ? { attribute } : {}),
        });
      }
      case 66:
        return new ConflictError('LDAP_NOT_ALLOWED_ON_NON_LEAF', 'The LDAP entry has children', details);
      case 50:
        return new ForbiddenError('The directory refused this operation (insufficient access rights)', details);
      case 34:
        return new BadRequestError('LDAP_INVALID_DN', 'Invalid DN', details);
      case 51:
      case 52:
      case 80:
        return new DependencyUnavailableError('ldap', e);
      default: {
        const code = UNPROCESSABLE[e.code];
        if (code) {
          const attribute = attributeFromMessage(diag);
          return new UnprocessableError(code, attribute ? `${diag || code} (attribute ${attribute})` : diag || code, {
            ...details,
            ...(attribute ? { attribute } : {}),
          });
        }
        return new ApiError('LDAP_ERROR', 502, `LDAP ${ctx.op ?? 'operation'} failed with result code ${e.code}`, {
          details,
          cause: e,
        });
      }
    }
  }
  if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) {
    return new InternalError('LDAP client error', e);
  }
  // Anything else comes from the transport (refused, reset, timeout, TLS): the directory is unusable.
  return new DependencyUnavailableError('ldap', e);
}
