/**
 * Networks and floating IPs (Neutron), in one function to keep the stack's resource count low. Every
 * operation here is synchronous (Neutron answers each call with its result): see lib/compute/networks/create.ts.
 */
import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { NotFoundError } from '../../lib/core/errors.js';
import { platform, type Platform } from '../../lib/platform.js';
import type { RequestContext } from '../../lib/http/types.js';
import { cloud, requestedDepartment } from '../../lib/compute/cloud.js';
import { auditCloud, authorizedRecord, changesOf, pageOf, readableRecords } from '../../lib/compute/access.js';
import { resolveExternalNetwork, unknownField } from '../../lib/compute/catalog.js';
import { newRecord, putRecord } from '../../lib/compute/records.js';
import { syncHolder } from '../../lib/compute/record-lock.js';
import { createNetwork, prepareNetwork } from '../../lib/compute/networks/create.js';
import { deleteNetwork } from '../../lib/compute/networks/delete.js';
import { listWhere, liveNetwork, liveNetworks, networkView } from '../../lib/compute/networks/view.js';
import {
  allocateFloatingIp,
  associateFloatingIp,
  disassociateFloatingIp,
  releaseFloatingIp,
  targetPort,
} from '../../lib/compute/floating-ips/service.js';
import { floatingIpView, instanceIdsByServer, liveFloatingIp, type FloatingIpSpec } from '../../lib/compute/floating-ips/view.js';
import { writeAudit } from '../../lib/audit/audit.js';
import { liveIn } from '../../lib/compute/views.js';
import * as specs from './specs/networks.js';

/** A create that failed (and was undone) is audited too: the cloud saw objects come and go. */
async function audited<T>(p: Platform, ctx: RequestContext<any, any, any>, action: string, target: string, fn: () => Promise<T>) {
  try {
    return await fn();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    await writeAudit(p.db, {
      category: 'mutation',
      action,
      actor: ctx.actor!.dn,
      target,
      changes: [],
      result: 'failure',
      source_ip: ctx.sourceIp,
      request_id: ctx.requestId,
      details: { code: err.code ?? 'INTERNAL_ERROR', message: String(err.message ?? '').slice(0, 500) },
    }).catch(() => undefined);
    throw e;
  }
}

export const createNetworkRoute = route(specs.createNetwork).handler(async (ctx) => {
  const p = await platform();
  const actor = ctx.actor!;
  const department = requestedDepartment(ctx.body.department_dn, actor, p.cfg.LDAP_BASE_DN);
  await ctx.authorize({ action: 'create', objectType: 'network', objectDn: department, ownerDn: actor.dn });
  const os = cloud();
  const spec = await prepareNetwork(os, ctx.body);
  const record = newRecord('network', {
    name: ctx.body.name,
    owner: actor.dn,
    department,
    request: { ...ctx.body },
    spec: { ...spec },
    busy_task: syncHolder(),
  });
  await putRecord(p.db, record);
  const view = await audited(p, ctx, 'network.create', `network:${record.id}`, () => createNetwork(p.db, os, record));
  await auditCloud(p, ctx, 'network.create', record, changesOf({}, { ...ctx.body, cidr: spec.cidr, openstack_id: view.openstack_id }), {
    subnet_id: view.subnet.id,
    ...(view.router && { router_id: view.router.id }),
  });
  return created(view, `/api/v1/network/${record.id}`);
});

export const listNetworksRoute = route(specs.listNetworks).handler(async (ctx) => {
  const p = await platform();
  const records = await readableRecords(p, ctx, 'network');
  const live = await liveNetworks(cloud(), records);
  return ok(
    pageOf(
      records.map((r) => networkView(r, live.get(r.id) ?? {})),
      ctx.query,
    ),
  );
});

export const getNetworkRoute = route(specs.getNetwork).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'network', ctx.params.id, 'read');
  return ok(networkView(r, await liveNetwork(cloud(), r)));
});

export const deleteNetworkRoute = route(specs.deleteNetwork).handler(async (ctx) => {
  const p = await platform();
  await authorizedRecord(p, ctx, 'network', ctx.params.id, 'delete');
  const out = await deleteNetwork(p.db, cloud(), ctx.params.id, ctx.actor!.dn);
  // `gone`: a concurrent delete did it (and audited it).
  if (out !== 'gone') {
    await auditCloud(p, ctx, 'network.delete', out.before, [{ attribute: 'state', old: out.before.state, new: 'deleted' }], {
      openstack_id: out.before.cloud_id,
    });
  }
  return noContent();
});

/** The instance a floating IP is for: one the caller may change (403), else 400 naming the field. */
async function instanceFor(p: Platform, ctx: RequestContext<any, any, any>, id: string) {
  try {
    return await authorizedRecord(p, ctx, 'instance', id, 'write');
  } catch (e) {
    if (e instanceof NotFoundError) throw unknownField('body.instance_id', 'unknown_instance', `No instance with id ${id}`);
    throw e;
  }
}

export const createFloatingIpRoute = route(specs.createFloatingIp).handler(async (ctx) => {
  const p = await platform();
  const actor = ctx.actor!;
  const os = cloud();
  const instance = await instanceFor(p, ctx, ctx.body.instance_id);
  const department =
    ctx.body.department_dn === undefined ? instance.department : requestedDepartment(ctx.body.department_dn, actor, p.cfg.LDAP_BASE_DN);
  await ctx.authorize({ action: 'create', objectType: 'floating-ip', objectDn: department, ownerDn: actor.dn });
  const pool = await resolveExternalNetwork(os, ctx.body.pool);
  const target = await targetPort(os, instance);
  const spec: FloatingIpSpec = { pool_id: pool.id, pool_name: pool.name };
  const record = newRecord('floating-ip', {
    name: `floating IP for ${instance.name}`.slice(0, 255),
    owner: actor.dn,
    department,
    request: { ...ctx.body },
    spec: { ...spec },
    busy_task: syncHolder(),
  });
  await putRecord(p.db, record);
  const view = await audited(p, ctx, 'floating-ip.create', `floating-ip:${record.id}`, () =>
    allocateFloatingIp(p.db, os, record, pool, target),
  );
  await auditCloud(
    p,
    ctx,
    'floating-ip.create',
    record,
    changesOf({}, { address: view.address, pool: pool.name, instance_id: instance.id }),
    {
      openstack_id: view.openstack_id,
      port_id: view.port_id,
    },
  );
  return created(view, `/api/v1/floating-ip/${record.id}`);
});

export const listFloatingIpsRoute = route(specs.listFloatingIps).handler(async (ctx) => {
  const p = await platform();
  const os = cloud();
  const [records, byServer] = await Promise.all([readableRecords(p, ctx, 'floating-ip'), instanceIdsByServer(p.db)]);
  const ids = records.filter((r) => r.cloud_id).map((r) => r.cloud_id!);
  const live = new Map((await listWhere((q) => os.neutron.floatingIps.list(q), 'id', ids)).map((f) => [f.id, f]));
  const views = records.map((r) => floatingIpView(r, liveIn(r, live), byServer));
  return ok(pageOf(views, ctx.query));
});

export const getFloatingIpRoute = route(specs.getFloatingIp).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'floating-ip', ctx.params.id, 'read');
  const [live, byServer] = await Promise.all([liveFloatingIp(cloud(), r), instanceIdsByServer(p.db)]);
  return ok(floatingIpView(r, live, byServer));
});

export const associateFloatingIpRoute = route(specs.associateFloatingIp).handler(async (ctx) => {
  const p = await platform();
  const os = cloud();
  await authorizedRecord(p, ctx, 'floating-ip', ctx.params.id, 'write');
  const target = await targetPort(os, await instanceFor(p, ctx, ctx.body.instance_id));
  const { before, view } = await associateFloatingIp(p.db, os, ctx.params.id, target);
  const was = (before.spec as Record<string, unknown>).instance_id ?? null;
  await auditCloud(p, ctx, 'floating-ip.associate', before, [{ attribute: 'instance_id', old: was, new: view.instance_id }], {
    port_id: view.port_id,
  });
  return ok(view);
});

export const disassociateFloatingIpRoute = route(specs.disassociateFloatingIp).handler(async (ctx) => {
  const p = await platform();
  await authorizedRecord(p, ctx, 'floating-ip', ctx.params.id, 'write');
  const { before, view } = await disassociateFloatingIp(p.db, cloud(), ctx.params.id);
  const was = (before.spec as Record<string, unknown>).instance_id ?? null;
  await auditCloud(p, ctx, 'floating-ip.disassociate', before, [{ attribute: 'instance_id', old: was, new: null }]);
  return ok(view);
});

export const deleteFloatingIpRoute = route(specs.deleteFloatingIp).handler(async (ctx) => {
  const p = await platform();
  await authorizedRecord(p, ctx, 'floating-ip', ctx.params.id, 'delete');
  const out = await releaseFloatingIp(p.db, cloud(), ctx.params.id, ctx.actor!.dn);
  if (out !== 'gone') {
    await auditCloud(p, ctx, 'floating-ip.delete', out.before, [{ attribute: 'state', old: out.before.state, new: 'deleted' }], {
      openstack_id: out.before.cloud_id,
      address: (out.before.spec as Record<string, unknown>).address,
    });
  }
  return noContent();
});

export const routes = [
  createNetworkRoute,
  listNetworksRoute,
  getNetworkRoute,
  deleteNetworkRoute,
  createFloatingIpRoute,
  listFloatingIpsRoute,
  getFloatingIpRoute,
  associateFloatingIpRoute,
  disassociateFloatingIpRoute,
  deleteFloatingIpRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
