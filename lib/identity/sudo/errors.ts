import { ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';

export class SudoRuleNotFoundError extends NotFoundError {
  constructor(cn: string, searchBase: string) {
    super('SUDO_RULE_NOT_FOUND', `Sudo rule with cn '${cn}' not found`, { cn, search_base: searchBase });
    this.name = 'SudoRuleNotFoundError';
  }
}

export class SudoRuleExistsError extends ConflictError {
  constructor(cn: string, dn: string) {
    super('SUDO_RULE_EXISTS', `Sudo rule with cn '${cn}' already exists`, { cn, dn });
    this.name = 'SudoRuleExistsError';
  }
}

/** The validity window would end before it starts (one bound given, the other stored). */
export class SudoIntervalError extends UnprocessableError {
  constructor(notBefore: string, notAfter: string) {
    super('INVALID_VALIDITY_INTERVAL', 'sudoNotAfter must be after sudoNotBefore', {
      field: 'sudoNotAfter',
      sudoNotBefore: notBefore,
      sudoNotAfter: notAfter,
    });
    this.name = 'SudoIntervalError';
  }
}
