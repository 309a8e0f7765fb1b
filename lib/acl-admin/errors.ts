import { BadRequestError, ConflictError, NotFoundError, UnprocessableError } from '../core/errors.js';

export class RoleNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('ROLE_NOT_FOUND', `ACL role '${id}' not found`, { id });
    this.name = 'RoleNotFoundError';
  }
}

export class RoleExistsError extends ConflictError {
  constructor(id: string, builtin: boolean) {
    super('ROLE_EXISTS', builtin ? `'${id}' is the name of a built-in role` : `ACL role '${id}' already exists`, { id, builtin });
    this.name = 'RoleExistsError';
  }
}

/** Built-in roles and assignments ship with the code: they cannot be changed or removed. */
export class BuiltinReadOnlyError extends UnprocessableError {
  constructor(kind: 'role' | 'assignment', id: string) {
    super(kind === 'role' ? 'BUILTIN_ROLE_READ_ONLY' : 'BUILTIN_ASSIGNMENT_READ_ONLY', `The built-in ${kind} '${id}' is read-only`, {
      id,
    });
    this.name = 'BuiltinReadOnlyError';
  }
}

export class RoleInUseError extends ConflictError {
  constructor(id: string, assignments: { id: string; subject: { type: string; dn: string } }[]) {
    super('ROLE_IN_USE', `ACL role '${id}' is still assigned (${assignments.length} assignment(s))`, { id, assignments });
    this.name = 'RoleInUseError';
  }
}

export class VersionConflictError extends ConflictError {
  constructor(id: string, expected: number | undefined, current: number | undefined) {
    super('VERSION_CONFLICT', `'${id}' was changed by someone else; read it again and retry`, { id, expected, current });
    this.name = 'VersionConflictError';
  }
}

export class AssignmentNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('ASSIGNMENT_NOT_FOUND', `ACL assignment '${id}' not found`, { id });
    this.name = 'AssignmentNotFoundError';
  }
}

export class AssignmentExistsError extends ConflictError {
  constructor(id: string) {
    super('ASSIGNMENT_EXISTS', `The same assignment already exists ('${id}')`, { id });
    this.name = 'AssignmentExistsError';
  }
}

/** A reference in a request body (role, subject) that names nothing: 400 naming the field. */
export class UnknownReferenceError extends BadRequestError {
  constructor(code: 'UNKNOWN_ROLE' | 'SUBJECT_NOT_FOUND' | 'SUBJECT_TYPE_MISMATCH', field: string, value: string, message: string) {
    super(code, message, { field, value });
    this.name = 'UnknownReferenceError';
  }
}
