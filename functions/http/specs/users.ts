// The contract of the user routes (Heracles §3), apart from their handlers: the OpenAPI document and the
// 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import {
  CreateUserBody,
  LockView,
  PasswordBody,
  UidParams,
  UpdateUserBody,
  UserListQuery,
  UserView,
} from '../../../lib/identity/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const notFound = { description: 'USER_NOT_FOUND (details: uid, search_base)', schema: ErrorBody };

export const listUsers = routeSpec({
  method: 'GET',
  path: '/api/v1/users',
  summary: 'List users, sorted by uid; the page is cut by the directory (server side sorting + virtual list view)',
  tags: ['users'],
  permission: 'user:r',
  scoped: true,
  query: UserListQuery,
  responses: {
    200: { description: 'Users', schema: PageOf(UserView) },
    400: { description: 'VALIDATION_ERROR, INVALID_ATTRIBUTES', schema: ErrorBody },
    403: denied,
  },
});

export const getUser = routeSpec({
  method: 'GET',
  path: '/api/v1/users/{uid}',
  summary: 'A user, with POSIX fields, lock state and tabs (posix, sudo, ssh)',
  tags: ['users'],
  permission: 'user:r',
  scoped: true,
  params: UidParams,
  responses: { 200: { description: 'The user', schema: UserView }, 403: denied, 404: notFound },
});

export const createUser = routeSpec({
  method: 'POST',
  path: '/api/v1/users',
  summary: 'Create a user (inetOrgPerson, + posixAccount/shadowAccount with `posix`; null numbers are allocated)',
  tags: ['users'],
  permission: 'user:c',
  scoped: true,
  idempotent: true,
  body: CreateUserBody,
  responses: {
    201: { description: 'The user', schema: UserView },
    400: { description: 'VALIDATION_ERROR', schema: ErrorBody },
    403: denied,
    409: { description: 'USER_EXISTS', schema: ErrorBody },
    422: { description: 'PASSWORD_POLICY_VIOLATION or a schema violation naming the attribute', schema: ErrorBody },
  },
});

export const updateUser = routeSpec({
  method: 'PUT',
  path: '/api/v1/users/{uid}',
  summary: 'Change the given fields of a user; null removes an attribute; uid is read-only',
  tags: ['users'],
  permission: 'user:w',
  scoped: true,
  params: UidParams,
  body: UpdateUserBody,
  responses: {
    200: { description: 'The user', schema: UserView },
    403: denied,
    404: notFound,
    422: { description: 'ATTRIBUTE_REQUIRED (a required attribute set to null) or a schema violation', schema: ErrorBody },
  },
});

export const deleteUser = routeSpec({
  method: 'DELETE',
  path: '/api/v1/users/{uid}',
  summary: 'Delete a user and its group memberships',
  tags: ['users'],
  permission: 'user:d',
  scoped: true,
  params: UidParams,
  responses: { 204: { description: 'Deleted' }, 403: denied, 404: notFound },
});

export const changePassword = routeSpec({
  method: 'PUT',
  path: '/api/v1/users/{uid}/password',
  summary: "Change a user's password (current_password required for yourself or without write access on the user)",
  tags: ['users'],
  permission: 'user:w',
  scoped: true,
  params: UidParams,
  body: PasswordBody,
  responses: {
    200: { description: 'Changed', schema: z.object({ message: z.string() }) },
    400: { description: 'CURRENT_PASSWORD_REQUIRED', schema: ErrorBody },
    403: denied,
    404: notFound,
    422: { description: 'PASSWORD_POLICY_VIOLATION (details.rules) or INVALID_CURRENT_PASSWORD', schema: ErrorBody },
  },
});

export const lockUser = routeSpec({
  method: 'POST',
  path: '/api/v1/users/{uid}/lock',
  summary: 'Lock an account (password policy pwdAccountLockedTime): its logins fail until unlocked',
  tags: ['users'],
  permission: 'user:w',
  scoped: true,
  params: UidParams,
  responses: { 200: { description: 'Lock state', schema: LockView }, 403: denied, 404: notFound },
});

export const unlockUser = routeSpec({
  method: 'POST',
  path: '/api/v1/users/{uid}/unlock',
  summary: 'Unlock an account',
  tags: ['users'],
  permission: 'user:w',
  scoped: true,
  params: UidParams,
  responses: { 200: { description: 'Lock state', schema: LockView }, 403: denied, 404: notFound },
});
