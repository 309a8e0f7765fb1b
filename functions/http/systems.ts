import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import type { RequestContext } from '../../lib/http/types.js';
import { platform } from '../../lib/platform.js';
import { auditMutation as writeMutation } from '../../lib/identity/audit-mutation.js';
import type { AttributeChange } from '../../lib/audit/audit.js';
import { identity } from '../../lib/identity/identity-platform.js';
import {
  createSystem,
  deleteSystem,
  listSystems,
  requireSystem,
  systemDn,
  systemsDn,
  toSystemView,
  updateSystem,
} from '../../lib/identity/systems/systems.js';
import * as specs from './specs/systems.js';

const auditMutation = async (ctx: RequestContext<any, any, any>, action: string, target: string, changes: AttributeChange[]) =>
  writeMutation((await platform()).db, ctx, action, target, changes);

/** Checks `system:<action>` on the system's DN (where it is or would be): 403 before 404, no existence leak. */
async function authorizeSystem(ctx: RequestContext<any, any, any>, cn: string, action: 'create' | 'read' | 'write' | 'delete') {
  const { d } = await identity('systems');
  await ctx.authorize({ action, objectType: 'system', objectDn: systemDn(d, cn) });
  return d;
}

export const listSystemsRoute = route(specs.listSystems).handler(async (ctx) => {
  const { d } = await identity('systems');
  await ctx.authorize({ action: 'read', objectType: 'system', objectDn: systemsDn(d) });
  const { data, total } = await listSystems(d, { ...ctx.query, filter: ctx.query.filter ?? [] });
  return ok(page(data, total, ctx.query));
});

export const getSystemRoute = route(specs.getSystem).handler(async (ctx) => {
  const d = await authorizeSystem(ctx, ctx.params.cn, 'read');
  return ok(toSystemView(await requireSystem(d, ctx.params.cn)));
});

export const createSystemRoute = route(specs.createSystem).handler(async (ctx) => {
  const d = await authorizeSystem(ctx, ctx.body.cn, 'create');
  const { system, changes } = await createSystem(d, ctx.body);
  await auditMutation(ctx, 'system.create', system.dn, changes);
  return created(system, `/api/v1/systems/${encodeURIComponent(system.cn)}`);
});

export const updateSystemRoute = route(specs.updateSystem).handler(async (ctx) => {
  const d = await authorizeSystem(ctx, ctx.params.cn, 'write');
  const { system, changes } = await updateSystem(d, ctx.params.cn, ctx.body);
  await auditMutation(ctx, 'system.update', system.dn, changes);
  return ok(system);
});

export const deleteSystemRoute = route(specs.deleteSystem).handler(async (ctx) => {
  const d = await authorizeSystem(ctx, ctx.params.cn, 'delete');
  const { dn, changes } = await deleteSystem(d, ctx.params.cn);
  await auditMutation(ctx, 'system.delete', dn, changes);
  return noContent();
});

export const routes = [listSystemsRoute, getSystemRoute, createSystemRoute, updateSystemRoute, deleteSystemRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
