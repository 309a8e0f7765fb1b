// The contract of the ACL routes (Heracles §8), apart from their handlers: the OpenAPI document and the
// 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';
import { PageOf, PageQuery } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import {
  AssignmentIdParams,
  AssignmentListQuery,
  AssignmentView,
  CheckBody,
  CheckView,
  CreateAssignmentBody,
  CreateRoleBody,
  RoleIdParams,
  RoleView,
  UpdateRoleBody,
} from '../../../lib/acl-admin/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const roleNotFound = { description: 'ROLE_NOT_FOUND', schema: ErrorBody };
/** `?version=n`: delete only that version (optimistic concurrency). */
export const VersionQuery = z.object({ version: z.optional(z.coercedInt().check(z.gte(1))) });

export const listRoles = routeSpec({
  method: 'GET',
  path: '/api/v1/acl/roles',
  summary:
    'ACL roles: the six built-in ones, then the custom ones (dn cn=<id>,ou=aclroles,<base> is an identifier: roles live in the table)',
  tags: ['acl'],
  permission: 'acl:r',
  query: PageQuery,
  responses: { 200: { description: 'Roles', schema: PageOf(RoleView) }, 403: denied },
});

export const getRole = routeSpec({
  method: 'GET',
  path: '/api/v1/acl/roles/{id}',
  summary: 'An ACL role (built-in ones also by their French alias: développeur, auditeur)',
  tags: ['acl'],
  permission: 'acl:r',
  params: RoleIdParams,
  responses: { 200: { description: 'The role', schema: RoleView }, 403: denied, 404: roleNotFound },
});

export const createRole = routeSpec({
  method: 'POST',
  path: '/api/v1/acl/roles',
  summary: 'Create a custom role; every permission (objectType:letters of crwdms) is checked and each invalid one named',
  tags: ['acl'],
  permission: 'acl:c',
  idempotent: true,
  body: CreateRoleBody,
  responses: {
    201: { description: 'The role', schema: RoleView },
    400: { description: 'VALIDATION_ERROR (body.permissions.<i> for each invalid permission)', schema: ErrorBody },
    403: denied,
    409: { description: 'ROLE_EXISTS (also for the name of a built-in role)', schema: ErrorBody },
  },
});

export const updateRole = routeSpec({
  method: 'PUT',
  path: '/api/v1/acl/roles/{id}',
  summary: 'Change a custom role (description, permissions); `version` makes the update conditional',
  tags: ['acl'],
  permission: 'acl:w',
  params: RoleIdParams,
  body: UpdateRoleBody,
  responses: {
    200: { description: 'The role', schema: RoleView },
    403: denied,
    404: roleNotFound,
    409: { description: 'VERSION_CONFLICT', schema: ErrorBody },
    422: { description: 'BUILTIN_ROLE_READ_ONLY', schema: ErrorBody },
  },
});

export const deleteRole = routeSpec({
  method: 'DELETE',
  path: '/api/v1/acl/roles/{id}',
  summary: 'Delete a custom role that no assignment uses',
  tags: ['acl'],
  permission: 'acl:d',
  params: RoleIdParams,
  query: VersionQuery,
  responses: {
    204: { description: 'Deleted' },
    403: denied,
    404: roleNotFound,
    409: { description: 'ROLE_IN_USE (details.assignments) or VERSION_CONFLICT', schema: ErrorBody },
    422: { description: 'BUILTIN_ROLE_READ_ONLY', schema: ErrorBody },
  },
});

export const listAssignments = routeSpec({
  method: 'GET',
  path: '/api/v1/acl/assignments',
  summary: 'ACL assignments (built-in, then custom), filtered by role and/or subject DN',
  tags: ['acl'],
  permission: 'acl:r',
  query: AssignmentListQuery,
  responses: { 200: { description: 'Assignments', schema: PageOf(AssignmentView) }, 403: denied },
});

export const createAssignment = routeSpec({
  method: 'POST',
  path: '/api/v1/acl/assignments',
  summary:
    'Assign a role to a user or group of the directory, globally or at a DN (base or subtree), with a priority; deny wins at equal priority',
  tags: ['acl'],
  permission: 'acl:c',
  idempotent: true,
  body: CreateAssignmentBody,
  responses: {
    201: { description: 'The assignment', schema: AssignmentView },
    400: { description: 'VALIDATION_ERROR, UNKNOWN_ROLE, SUBJECT_NOT_FOUND, SUBJECT_TYPE_MISMATCH (details.field)', schema: ErrorBody },
    403: denied,
    409: { description: 'ASSIGNMENT_EXISTS', schema: ErrorBody },
  },
});

export const deleteAssignment = routeSpec({
  method: 'DELETE',
  path: '/api/v1/acl/assignments/{id}',
  summary: 'Remove a custom assignment',
  tags: ['acl'],
  permission: 'acl:d',
  params: AssignmentIdParams,
  query: VersionQuery,
  responses: {
    204: { description: 'Deleted' },
    403: denied,
    404: { description: 'ASSIGNMENT_NOT_FOUND', schema: ErrorBody },
    409: { description: 'VERSION_CONFLICT', schema: ErrorBody },
    422: { description: 'BUILTIN_ASSIGNMENT_READ_ONLY', schema: ErrorBody },
  },
});

export const checkAccess = routeSpec({
  method: 'POST',
  path: '/api/v1/acl/check',
  summary:
    'Would the caller (or, with acl:r, another subject DN) be allowed this action? The decision and reason of the engine that guards every endpoint',
  tags: ['acl'],
  body: CheckBody,
  responses: {
    200: { description: 'The decision', schema: CheckView },
    400: { description: 'VALIDATION_ERROR, SUBJECT_NOT_FOUND', schema: ErrorBody },
    403: { description: 'FORBIDDEN (another subject without acl:r)', schema: ErrorBody },
  },
});
