import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import type { RequestContext } from '../../lib/http/types.js';
import { platform } from '../../lib/platform.js';
import { auditMutation as writeMutation } from '../../lib/identity/audit-mutation.js';
import type { AttributeChange } from '../../lib/audit/audit.js';
import { identity } from '../../lib/identity/identity-platform.js';
import { containerDn, scopeDn } from '../../lib/identity/departments/containers.js';
import {
  changeMembers,
  createGroup,
  deleteGroup,
  groupDetail,
  locateGroup,
  groupTargetDn,
  listGroups,
  requireGroup,
  updateGroup,
} from '../../lib/identity/groups.js';
import * as specs from './specs/groups.js';

const auditMutation = async (ctx: RequestContext<any, any, any>, action: string, target: string, changes: AttributeChange[]) =>
  writeMutation((await platform()).db, ctx, action, target, changes);

/** Checks the ACL on the group's DN (where it is, else where it would be created): 403 before 404. */
async function authorizeGroup(ctx: RequestContext<any, any, { cn: string }>, action: 'read' | 'write' | 'delete') {
  const { d } = await identity();
  const entry = await locateGroup(d, ctx.params.cn);
  await ctx.authorize({ action, objectType: 'group', objectDn: groupTargetDn(d, ctx.params.cn, entry) });
  return d;
}

/** Lists cover the base's subtree (or a department's): `group:r` is checked there, 403 before any 422. */
export const listGroupsRoute = route(specs.listGroups).handler(async (ctx) => {
  const { d } = await identity();
  await ctx.authorize({ action: 'read', objectType: 'group', objectDn: scopeDn(d, ctx.query.department_dn, 'query.department_dn') });
  const { data, total } = await listGroups(d, { ...ctx.query, filter: ctx.query.filter ?? [] });
  return ok(page(data, total, ctx.query));
});

export const getGroupRoute = route(specs.getGroup).handler(async (ctx) => {
  const d = await authorizeGroup(ctx, 'read');
  return ok(await groupDetail(d, await requireGroup(d, ctx.params.cn)));
});

export const createGroupRoute = route(specs.createGroup).handler(async (ctx) => {
  const { d } = await identity();
  const container = containerDn(d, 'groups', ctx.body.department_dn, 'body.department_dn');
  await ctx.authorize({ action: 'create', objectType: 'group', objectDn: container });
  const { group, changes } = await createGroup(d, ctx.body);
  await auditMutation(ctx, 'group.create', group.dn, changes);
  return created(group, `/api/v1/groups/${encodeURIComponent(group.cn)}`);
});

export const updateGroupRoute = route(specs.updateGroup).handler(async (ctx) => {
  const d = await authorizeGroup(ctx, 'write');
  const { group, changes } = await updateGroup(d, ctx.params.cn, ctx.body);
  await auditMutation(ctx, 'group.update', group.dn, changes);
  return ok(group);
});

export const deleteGroupRoute = route(specs.deleteGroup).handler(async (ctx) => {
  const d = await authorizeGroup(ctx, 'delete');
  const { dn, changes } = await deleteGroup(d, ctx.params.cn);
  await auditMutation(ctx, 'group.delete', dn, changes);
  return noContent();
});

export const addMembersRoute = route(specs.addMembers).handler(async (ctx) => {
  const d = await authorizeGroup(ctx, 'write');
  const { group, changes } = await changeMembers(d, ctx.params.cn, 'add', ctx.body.members);
  await auditMutation(ctx, 'group.members.add', group.dn, changes);
  return ok(group);
});

export const removeMembersRoute = route(specs.removeMembers).handler(async (ctx) => {
  const d = await authorizeGroup(ctx, 'write');
  const { group, changes } = await changeMembers(d, ctx.params.cn, 'remove', ctx.body.members);
  await auditMutation(ctx, 'group.members.remove', group.dn, changes);
  return ok(group);
});

export const routes = [
  listGroupsRoute,
  getGroupRoute,
  createGroupRoute,
  updateGroupRoute,
  deleteGroupRoute,
  addMembersRoute,
  removeMembersRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
