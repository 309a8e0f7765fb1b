import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import { auditMutation } from '../../lib/identity/audit-mutation.js';
import type { RequestContext } from '../../lib/http/types.js';
import { platform } from '../../lib/platform.js';
import { identity } from '../../lib/identity/identity-platform.js';
import {
  assertUnderBase,
  createDepartment,
  creationParent,
  deleteDepartment,
  departmentTree,
  isMove,
  listDepartments,
  requireDepartment,
  toDepartmentView,
  updateDepartment,
} from '../../lib/identity/departments/departments.js';
import * as specs from './specs/departments.js';

/** The directory, once the departments plugin is known to be enabled (404 PLUGIN_DISABLED otherwise). */
const departments = () => identity('departments');

/** The department DN of the path, checked under the base (400 `path.dn`), then the ACL on it: 403 before 404. */
async function authorizeDepartment(ctx: RequestContext<any, any, { dn: string }>, action: 'read' | 'write' | 'delete' | 'move') {
  const { p, d } = await departments();
  const dn = assertUnderBase(d, ctx.params.dn, 'path.dn');
  await ctx.authorize({ action, objectType: 'department', objectDn: dn });
  return { p, d, dn };
}

export const listDepartmentsRoute = route(specs.listDepartments).handler(async (ctx) => {
  const { d } = await departments();
  await ctx.authorize({ action: 'read', objectType: 'department', objectDn: d.baseDn });
  const { data, total } = await listDepartments(d, { ...ctx.query, filter: ctx.query.filter ?? [] });
  return ok(page(data, total, ctx.query));
});

export const departmentTreeRoute = route(specs.departmentTree).handler(async (ctx) => {
  const { d } = await departments();
  await ctx.authorize({ action: 'read', objectType: 'department', objectDn: d.baseDn });
  return ok({ data: await departmentTree(d) });
});

export const getDepartmentRoute = route(specs.getDepartment).handler(async (ctx) => {
  const { d, dn } = await authorizeDepartment(ctx, 'read');
  return ok(toDepartmentView(await requireDepartment(d, dn)));
});

export const createDepartmentRoute = route(specs.createDepartment).handler(async (ctx) => {
  const { p, d } = await departments();
  await ctx.authorize({ action: 'create', objectType: 'department', objectDn: creationParent(d, ctx.body.parent_dn) });
  const { department, changes } = await createDepartment(d, ctx.body);
  await auditMutation(p.db, ctx, 'department.create', department.dn, changes);
  return created(department, `/api/v1/departments/${encodeURIComponent(department.dn)}`);
});

export const updateDepartmentRoute = route(specs.updateDepartment).handler(async (ctx) => {
  const { p, d, dn } = await authorizeDepartment(ctx, 'write');
  if (isMove(ctx.body)) {
    await ctx.authorize({ action: 'move', objectType: 'department', objectDn: dn });
    if (ctx.body.parent_dn !== undefined)
      await ctx.authorize({ action: 'create', objectType: 'department', objectDn: creationParent(d, ctx.body.parent_dn) });
  }
  const { department, changes, moved } = await updateDepartment(d, dn, ctx.body);
  await auditMutation(p.db, ctx, moved ? 'department.move' : 'department.update', moved?.from ?? department.dn, changes);
  return ok(department);
});

export const deleteDepartmentRoute = route(specs.deleteDepartment).handler(async (ctx) => {
  const { p, d, dn } = await authorizeDepartment(ctx, 'delete');
  const { dn: deletedDn, changes, deleted } = await deleteDepartment(d, dn, ctx.query.recursive);
  await auditMutation(
    p.db,
    ctx,
    ctx.query.recursive && deleted.length ? 'department.delete_recursive' : 'department.delete',
    deletedDn,
    changes,
  );
  return noContent();
});

// `/departments/tree` before `/departments/{dn}`: the first matching route wins.
export const routes = [
  listDepartmentsRoute,
  departmentTreeRoute,
  getDepartmentRoute,
  createDepartmentRoute,
  updateDepartmentRoute,
  deleteDepartmentRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
