import { ConflictError, NotFoundError, UnprocessableError } from '../../core/errors.js';

export class SystemNotFoundError extends NotFoundError {
  constructor(cn: string, searchBase: string) {
    super('SYSTEM_NOT_FOUND', `System with cn '${cn}' not found`, { cn, search_base: searchBase });
    this.name = 'SystemNotFoundError';
  }
}

export class SystemExistsError extends ConflictError {
  constructor(cn: string, dn: string) {
    super('SYSTEM_EXISTS', `System with cn '${cn}' already exists`, { cn, dn });
    this.name = 'SystemExistsError';
  }
}

/** The type is the entry's structural class, which LDAP cannot change in place: delete and create again. */
export class SystemTypeImmutableError extends UnprocessableError {
  constructor(cn: string, current: string, requested: string) {
    super('SYSTEM_TYPE_IMMUTABLE', `The type of system '${cn}' is '${current}' and cannot be changed to '${requested}'`, {
      field: 'type',
      type: current,
      requested,
    });
    this.name = 'SystemTypeImmutableError';
  }
}
