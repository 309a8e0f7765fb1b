// The contract of the group routes (Heracles §4), apart from their handlers: the OpenAPI document and the
// 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import { CnParams, CreateGroupBody, GroupListQuery, GroupView, MembersBody, UpdateGroupBody } from '../../../lib/identity/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const notFound = { description: 'GROUP_NOT_FOUND (details: cn, search_base)', schema: ErrorBody };
const unknownMember = { description: 'VALIDATION_ERROR or MEMBER_NOT_FOUND (details.members names them)', schema: ErrorBody };

export const listGroups = routeSpec({
  method: 'GET',
  path: '/api/v1/groups',
  summary: 'List groups with their member count, sorted by cn (page cut by the directory)',
  tags: ['groups'],
  permission: 'group:r',
  scoped: true,
  query: GroupListQuery,
  responses: { 200: { description: 'Groups', schema: PageOf(GroupView) }, 403: denied },
});

export const getGroup = routeSpec({
  method: 'GET',
  path: '/api/v1/groups/{cn}',
  summary: 'A group with its members ({uid, cn, dn})',
  tags: ['groups'],
  permission: 'group:r',
  scoped: true,
  params: CnParams,
  responses: { 200: { description: 'The group', schema: GroupView }, 403: denied, 404: notFound },
});

export const createGroup = routeSpec({
  method: 'POST',
  path: '/api/v1/groups',
  summary: 'Create a group (groupOfNames; + POSIX gidNumber/memberUid when gidNumber is given, null allocates)',
  tags: ['groups'],
  permission: 'group:c',
  scoped: true,
  idempotent: true,
  body: CreateGroupBody,
  responses: {
    201: { description: 'The group', schema: GroupView },
    400: unknownMember,
    403: denied,
    409: { description: 'GROUP_EXISTS', schema: ErrorBody },
  },
});

export const updateGroup = routeSpec({
  method: 'PUT',
  path: '/api/v1/groups/{cn}',
  summary: 'Change description, gidNumber or the whole member list of a group',
  tags: ['groups'],
  permission: 'group:w',
  scoped: true,
  params: CnParams,
  body: UpdateGroupBody,
  responses: {
    200: { description: 'The group', schema: GroupView },
    400: unknownMember,
    403: denied,
    404: notFound,
    422: { description: 'ATTRIBUTE_REQUIRED', schema: ErrorBody },
  },
});

export const deleteGroup = routeSpec({
  method: 'DELETE',
  path: '/api/v1/groups/{cn}',
  summary: 'Delete a group',
  tags: ['groups'],
  permission: 'group:d',
  scoped: true,
  params: CnParams,
  responses: { 204: { description: 'Deleted' }, 403: denied, 404: notFound },
});

export const addMembers = routeSpec({
  method: 'POST',
  path: '/api/v1/groups/{cn}/members',
  summary: 'Add members (uids or DNs) to a group',
  tags: ['groups'],
  permission: 'group:w',
  scoped: true,
  params: CnParams,
  body: MembersBody,
  responses: { 200: { description: 'The group', schema: GroupView }, 400: unknownMember, 403: denied, 404: notFound },
});

export const removeMembers = routeSpec({
  method: 'DELETE',
  path: '/api/v1/groups/{cn}/members',
  summary: 'Remove members (uids or DNs) from a group; a group left empty keeps its own DN as placeholder member',
  tags: ['groups'],
  permission: 'group:w',
  scoped: true,
  params: CnParams,
  body: MembersBody,
  responses: { 200: { description: 'The group', schema: GroupView }, 400: unknownMember, 403: denied, 404: notFound },
});
