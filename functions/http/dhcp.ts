import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import { validate } from '../../lib/http/validate.js';
import { auditMutation as writeMutation } from '../../lib/identity/audit-mutation.js';
import type { RequestContext } from '../../lib/http/types.js';
import type { AttributeChange } from '../../lib/audit/audit.js';
import { platform } from '../../lib/platform.js';
import { identity } from '../../lib/identity/identity-platform.js';
import { CREATE_BODIES, UPDATE_BODIES } from '../../lib/identity/dhcp/schemas.js';
import { typeOfPlural, DHCP_TYPE_SPECS, type DhcpType } from '../../lib/identity/dhcp/types.js';
import {
  createObject,
  deleteObject,
  findObjects,
  listObjects,
  scopeOf,
  single,
  targetDn,
  toView,
  updateObject,
} from '../../lib/identity/dhcp/objects.js';
import * as specs from './specs/dhcp.js';

const auditMutation = async (ctx: RequestContext<any, any, any>, action: string, target: string, changes: AttributeChange[]) =>
  writeMutation((await platform()).db, ctx, action, target, changes);

type ListQuery = { limit: number; offset: number; parent?: string; service?: string };

const list = (type: DhcpType) => async (ctx: RequestContext<unknown, ListQuery, unknown>) => {
  const { d } = await identity('dhcp');
  await ctx.authorize({ action: 'read', objectType: 'dhcp', objectDn: scopeOf(d, type, ctx.query) });
  const { data, total } = await listObjects(d, type, ctx.query);
  return ok(page(data, total, ctx.query));
};

/** Checks `dhcp:create` where the object would go (no directory read: 403 before any 404/422), then creates. */
async function create(ctx: RequestContext<any, any, any>, type: DhcpType, body: Record<string, unknown> & { cn: string }) {
  const { d } = await identity('dhcp');
  await ctx.authorize({ action: 'create', objectType: 'dhcp', objectDn: targetDn(d, type, body) });
  const { object, changes } = await createObject(d, type, body);
  await auditMutation(ctx, `dhcp.${type}.create`, object.dn, changes);
  return created(object, `/api/v1/dhcp/${DHCP_TYPE_SPECS[type].plural}/${encodeURIComponent(object.cn)}`);
}

const typeOf = (plural: string): DhcpType => typeOfPlural(plural)!;

/** Finds the object, checks the ACL on it (or on the search scope when it is missing or ambiguous), then 404/409. */
async function authorizeObject(
  ctx: RequestContext<any, { parent?: string; service?: string }, { type: string; cn: string }>,
  action: 'read' | 'write' | 'delete',
) {
  const { d } = await identity('dhcp');
  const type = typeOf(ctx.params.type);
  const found = await findObjects(d, type, ctx.params.cn, ctx.query);
  const base = scopeOf(d, type, ctx.query);
  await ctx.authorize({ action, objectType: 'dhcp', objectDn: found.length === 1 ? found[0]!.dn : base });
  return { d, type, entry: single(type, ctx.params.cn, base, found) };
}

export const listServicesRoute = route(specs.listServices).handler(list('service'));
export const createServiceRoute = route(specs.createService).handler((ctx) => create(ctx, 'service', ctx.body));
export const listSubnetsRoute = route(specs.listSubnets).handler(list('subnet'));
export const createSubnetRoute = route(specs.createSubnet).handler((ctx) => create(ctx, 'subnet', ctx.body));
export const listHostsRoute = route(specs.listHosts).handler(list('host'));
export const createHostRoute = route(specs.createHost).handler((ctx) => create(ctx, 'host', ctx.body));

export const listObjectsRoute = route(specs.listObjects).handler((ctx) => list(typeOf(ctx.params.type))(ctx));

export const createObjectRoute = route(specs.createObject).handler(async (ctx) => {
  await identity('dhcp'); // disabled: 404 before the body is looked at
  const type = typeOf(ctx.params.type);
  const body = validate(CREATE_BODIES[type], ctx.body, 'body') as Record<string, unknown> & { cn: string };
  return create(ctx, type, body);
});

export const getObjectRoute = route(specs.getObject).handler(async (ctx) => {
  const { d, type, entry } = await authorizeObject(ctx, 'read');
  return ok(toView(d, type, entry));
});

export const updateObjectRoute = route(specs.updateObject).handler(async (ctx) => {
  await identity('dhcp'); // disabled: 404 before the body is looked at
  const type = typeOf(ctx.params.type);
  const body = validate(UPDATE_BODIES[type], ctx.body, 'body') as Record<string, unknown>;
  const { d, entry } = await authorizeObject(ctx, 'write');
  const { object, changes } = await updateObject(d, type, entry, body);
  await auditMutation(ctx, `dhcp.${type}.update`, object.dn, changes);
  return ok(object);
});

export const deleteObjectRoute = route(specs.deleteObject).handler(async (ctx) => {
  const { d, type, entry } = await authorizeObject(ctx, 'delete');
  const { dn, changes } = await deleteObject(d, type, entry, ctx.query.recursive);
  await auditMutation(ctx, `dhcp.${type}.delete`, dn, changes);
  return noContent();
});

export const routes = [
  listServicesRoute,
  createServiceRoute,
  listSubnetsRoute,
  createSubnetRoute,
  listHostsRoute,
  createHostRoute,
  listObjectsRoute,
  createObjectRoute,
  getObjectRoute,
  updateObjectRoute,
  deleteObjectRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
