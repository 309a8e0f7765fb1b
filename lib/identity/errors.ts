import { ApiError, BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../core/errors.js';

export class UserNotFoundError extends NotFoundError {
  constructor(uid: string, searchBase: string) {
    super('USER_NOT_FOUND', `User with uid '${uid}' not found`, { uid, search_base: searchBase });
    this.name = 'UserNotFoundError';
  }
}

export class UserExistsError extends ConflictError {
  constructor(uid: string, dn: string) {
    super('USER_EXISTS', `User with uid '${uid}' already exists`, { uid, dn });
    this.name = 'UserExistsError';
  }
}

/** Several entries below the base carry the uid (made by other tools: the API keeps uids unique). */
export class UserAmbiguousError extends ConflictError {
  constructor(uid: string, dns: string[]) {
    super('USER_AMBIGUOUS', `Several entries have the uid '${uid}'`, { uid, dns });
    this.name = 'UserAmbiguousError';
  }
}

export class GroupNotFoundError extends NotFoundError {
  constructor(cn: string, searchBase: string) {
    super('GROUP_NOT_FOUND', `Group with cn '${cn}' not found`, { cn, search_base: searchBase });
    this.name = 'GroupNotFoundError';
  }
}

export class GroupExistsError extends ConflictError {
  constructor(cn: string, dn: string) {
    super('GROUP_EXISTS', `Group with cn '${cn}' already exists`, { cn, dn });
    this.name = 'GroupExistsError';
  }
}

/** Several groups below the base carry the cn (made by other tools: the API keeps group names unique). */
export class GroupAmbiguousError extends ConflictError {
  constructor(cn: string, dns: string[]) {
    super('GROUP_AMBIGUOUS', `Several groups have the cn '${cn}'`, { cn, dns });
    this.name = 'GroupAmbiguousError';
  }
}

/** `department_dn` names no department of the directory. */
export class InvalidDepartmentError extends UnprocessableError {
  constructor(departmentDn: string) {
    super('INVALID_DEPARTMENT', `'${departmentDn}' is not a department`, { field: 'department_dn', department_dn: departmentDn });
    this.name = 'InvalidDepartmentError';
  }
}

/** A member given by uid or DN that names no entry of the directory. */
export class UnknownMemberError extends BadRequestError {
  constructor(members: string[]) {
    super('MEMBER_NOT_FOUND', `Unknown member(s): ${members.join(', ')}`, { field: 'members', members });
    this.name = 'UnknownMemberError';
  }
}

/** `null` on an attribute the object classes require. */
export class RequiredAttributeError extends UnprocessableError {
  constructor(field: string) {
    super('ATTRIBUTE_REQUIRED', `The attribute '${field}' is required and cannot be removed`, { field });
    this.name = 'RequiredAttributeError';
  }
}

export class PasswordPolicyError extends UnprocessableError {
  constructor(field: string, rules: string[]) {
    super('PASSWORD_POLICY_VIOLATION', `The password does not meet the policy: ${rules.join(', ')}`, { field, rules });
    this.name = 'PasswordPolicyError';
  }
}

export class CurrentPasswordError extends ApiError {
  constructor(code: 'CURRENT_PASSWORD_REQUIRED' | 'INVALID_CURRENT_PASSWORD') {
    super(
      code,
      code === 'CURRENT_PASSWORD_REQUIRED' ? 400 : 422,
      code === 'CURRENT_PASSWORD_REQUIRED' ? 'current_password is required' : 'current_password is wrong',
      {
        details: { field: 'current_password' },
      },
    );
    this.name = 'CurrentPasswordError';
  }
}

export class NumberPoolExhaustedError extends ApiError {
  constructor(kind: string) {
    super('NUMBER_POOL_EXHAUSTED', 503, `Could not allocate a free ${kind}`, { details: { attribute: kind } });
    this.name = 'NumberPoolExhaustedError';
  }
}

export class SshKeyExistsError extends ConflictError {
  constructor(uid: string, fingerprint: string) {
    super('SSH_KEY_EXISTS', `User '${uid}' already has the SSH key ${fingerprint}`, { uid, fingerprint });
    this.name = 'SshKeyExistsError';
  }
}

export class SshKeyNotFoundError extends NotFoundError {
  constructor(uid: string, id: string) {
    super('SSH_KEY_NOT_FOUND', `User '${uid}' has no SSH key ${id}`, { uid, id });
    this.name = 'SshKeyNotFoundError';
  }
}
