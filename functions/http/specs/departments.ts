// The contract of the department routes (Heracles §14), apart from their handlers. `{dn}` is the department's
// DN, URL-encoded (`ou%3DIT%2Cdc%3Dexample%2Cdc%3Dcom`).
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import {
  CreateDepartmentBody,
  DeleteDepartmentQuery,
  DepartmentDnParams,
  DepartmentListQuery,
  DepartmentTree,
  DepartmentView,
  UpdateDepartmentBody,
} from '../../../lib/identity/departments/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const notFound = { description: 'DEPARTMENT_NOT_FOUND (details: dn)', schema: ErrorBody };
const badDn = { description: 'VALIDATION_ERROR: path.dn not a DN of an ou under the base', schema: ErrorBody };

export const listDepartments = routeSpec({
  method: 'GET',
  path: '/api/v1/departments',
  summary: 'List departments (every depth), sorted by ou; the page is cut by the directory',
  tags: ['departments'],
  permission: 'department:r',
  scoped: true,
  query: DepartmentListQuery,
  responses: { 200: { description: 'Departments', schema: PageOf(DepartmentView) }, 400: badDn, 403: denied },
});

export const departmentTree = routeSpec({
  method: 'GET',
  path: '/api/v1/departments/tree',
  summary: 'The departments as a tree: roots directly under the base, children nested and sorted by ou',
  tags: ['departments'],
  permission: 'department:r',
  scoped: true,
  responses: { 200: { description: 'The tree', schema: DepartmentTree }, 403: denied },
});

export const getDepartment = routeSpec({
  method: 'GET',
  path: '/api/v1/departments/{dn}',
  summary: 'A department by its DN (URL-encoded)',
  tags: ['departments'],
  permission: 'department:r',
  scoped: true,
  params: DepartmentDnParams,
  responses: { 200: { description: 'The department', schema: DepartmentView }, 400: badDn, 403: denied, 404: notFound },
});

export const createDepartment = routeSpec({
  method: 'POST',
  path: '/api/v1/departments',
  summary:
    'Create a department (organizationalUnit + apibibindDepartment) under the base or under parent_dn, with its own ou=people and ou=groups',
  tags: ['departments'],
  permission: 'department:c',
  scoped: true,
  idempotent: true,
  body: CreateDepartmentBody,
  responses: {
    201: { description: 'The department', schema: DepartmentView },
    400: { description: 'VALIDATION_ERROR', schema: ErrorBody },
    403: denied,
    409: { description: 'DEPARTMENT_EXISTS', schema: ErrorBody },
    422: { description: 'INVALID_PARENT (parent_dn neither the base nor a department), MANAGER_NOT_FOUND', schema: ErrorBody },
  },
});

export const updateDepartment = routeSpec({
  method: 'PUT',
  path: '/api/v1/departments/{dn}',
  summary:
    'Change description, manager, code (null removes); `ou` renames and `parent_dn` moves it with its subtree (needs department:m, and department:c on the new parent)',
  tags: ['departments'],
  permission: 'department:w',
  scoped: true,
  params: DepartmentDnParams,
  body: UpdateDepartmentBody,
  responses: {
    200: { description: 'The department', schema: DepartmentView },
    400: badDn,
    403: denied,
    404: notFound,
    409: { description: 'DEPARTMENT_EXISTS (rename/move target)', schema: ErrorBody },
    422: { description: 'INVALID_PARENT, MANAGER_NOT_FOUND', schema: ErrorBody },
  },
});

export const deleteDepartment = routeSpec({
  method: 'DELETE',
  path: '/api/v1/departments/{dn}',
  summary: 'Delete a department; with entries below it (besides its empty containers) 409 unless ?recursive=true (deepest first)',
  tags: ['departments'],
  permission: 'department:d',
  scoped: true,
  params: DepartmentDnParams,
  query: DeleteDepartmentQuery,
  responses: {
    204: { description: 'Deleted' },
    400: badDn,
    403: denied,
    404: notFound,
    409: { description: 'DEPARTMENT_NOT_EMPTY (details: children, sample)', schema: ErrorBody },
  },
});
