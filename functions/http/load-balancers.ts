import { route, httpFunction } from '../../lib/http/http-function.js';
import { ok } from '../../lib/http/respond.js';
import { platform } from '../../lib/platform.js';
import { cloud, requestedDepartment } from '../../lib/compute/cloud.js';
import {
  acceptedWith,
  auditCloud,
  authorizedRecord,
  changesOf,
  pageOf,
  readableRecords,
  startCloudCreate,
  startCloudDelete,
} from '../../lib/compute/access.js';
import { liveTree, loadBalancersById, loadBalancerView, prepareCreate } from '../../lib/compute/load-balancers/service.js';
import { liveIn } from '../../lib/compute/views.js';
import * as specs from './specs/load-balancers.js';

export const createLoadBalancerRoute = route(specs.createLoadBalancer).handler(async (ctx) => {
  const p = await platform();
  const actor = ctx.actor!;
  const department = requestedDepartment(ctx.body.department_dn, actor, p.cfg.LDAP_BASE_DN);
  await ctx.authorize({ action: 'create', objectType: 'load-balancer', objectDn: department, ownerDn: actor.dn });
  const { spec, request } = await prepareCreate(p, actor, cloud(), ctx.body);
  const { record, task } = await startCloudCreate(
    p,
    ctx,
    'load-balancer',
    { name: ctx.body.name, department, request, spec: spec as unknown as Record<string, unknown> },
    'load-balancer-create',
  );
  await auditCloud(
    p,
    ctx,
    'load-balancer.create',
    record,
    changesOf({}, { ...ctx.body, subnet_id: spec.subnet_id, members: spec.members }),
    { task_id: task.id },
  );
  return acceptedWith(loadBalancerView(record, undefined), task);
});

export const listLoadBalancersRoute = route(specs.listLoadBalancers).handler(async (ctx) => {
  const p = await platform();
  const [records, live] = await Promise.all([readableRecords(p, ctx, 'load-balancer'), loadBalancersById(cloud())]);
  const views = records.map((r) => {
    const lb = liveIn(r, live);
    return loadBalancerView(r, lb ? { lb } : lb);
  });
  return ok(pageOf(views, ctx.query));
});

export const getLoadBalancerRoute = route(specs.getLoadBalancer).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'load-balancer', ctx.params.id, 'read');
  return ok(loadBalancerView(r, await liveTree(cloud(), r)));
});

export const deleteLoadBalancerRoute = route(specs.deleteLoadBalancer).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'load-balancer', ctx.params.id, 'delete');
  return startCloudDelete(p, ctx, r, (x) => loadBalancerView(x, undefined));
});

export const routes = [createLoadBalancerRoute, listLoadBalancersRoute, getLoadBalancerRoute, deleteLoadBalancerRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
