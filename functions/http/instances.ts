import { route, httpFunction } from '../../lib/http/http-function.js';
import { ok } from '../../lib/http/respond.js';
import { platform } from '../../lib/platform.js';
import { authorizeRecord, cloud, requestedDepartment } from '../../lib/compute/cloud.js';
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
import { getRecord, patchRecord, type CloudRecord } from '../../lib/compute/records.js';
import { startCloudTask } from '../../lib/compute/workflow.js';
import { dropUserData, stashUserData } from '../../lib/compute/user-data.js';
import {
  assertActionAllowed,
  instanceView,
  prepareCreate,
  prepareUpdate,
  serverOf,
  serversById,
} from '../../lib/compute/instances/service.js';
import { idleLiveObject, liveIn } from '../../lib/compute/views.js';
import * as specs from './specs/instances.js';

/** The live instance of an idle record, or 409 (busy: RESOURCE_BUSY; no cloud instance: INSTANCE_STATE_CONFLICT). */
const liveServer = (r: CloudRecord) => idleLiveObject(r, 'Instance', 'INSTANCE_STATE_CONFLICT', (x) => serverOf(cloud(), x));

export const createInstanceRoute = route(specs.createInstance).handler(async (ctx) => {
  const p = await platform();
  const actor = ctx.actor!;
  const department = requestedDepartment(ctx.body.department_dn, actor, p.cfg.LDAP_BASE_DN);
  await ctx.authorize({ action: 'create', objectType: 'instance', objectDn: department, ownerDn: actor.dn });
  const { spec, request, userData, networkRecord } = await prepareCreate(cloud(), p.db, ctx.body);
  // One of our networks: the caller must be allowed to see it.
  if (networkRecord) await authorizeRecord(ctx, 'read', 'network', networkRecord);
  const { record, task } = await startCloudCreate(
    p,
    ctx,
    'instance',
    { name: ctx.body.name, department, request, spec },
    'instance-create',
    {
      beforeStart: async (r) => {
        if (userData !== undefined) await stashUserData(p.db, r.id, userData);
      },
      onStartFailure: (r) => dropUserData(p.db, r.id),
    },
  );
  const { user_data: _secret, ssh_authorized_keys: _keys, ...shown } = ctx.body;
  await auditCloud(p, ctx, 'instance.create', record, changesOf({}, { ...shown, flavor_id: spec.flavor_id, image_id: spec.image_id }), {
    task_id: task.id,
  });
  return acceptedWith(instanceView(record, undefined), task);
});

export const listInstancesRoute = route(specs.listInstances).handler(async (ctx) => {
  const p = await platform();
  const [records, servers] = await Promise.all([readableRecords(p, ctx, 'instance'), serversById(cloud())]);
  const views = records.map((r) => instanceView(r, liveIn(r, servers)));
  return ok(pageOf(views, ctx.query));
});

export const getInstanceRoute = route(specs.getInstance).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'instance', ctx.params.id, 'read');
  return ok(instanceView(r, await serverOf(cloud(), r)));
});

export const updateInstanceRoute = route(specs.updateInstance).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'instance', ctx.params.id, 'write');
  const os = cloud();
  const srv = await liveServer(r);
  const { flavor, volumeSize } = await prepareUpdate(os, r, srv, ctx.body);
  let current = r;
  if (ctx.body.name !== undefined && ctx.body.name !== srv.name) {
    await os.nova.updateServer(srv.id, { name: ctx.body.name });
    await patchRecord(p.db, 'instance', r.id, { name: ctx.body.name });
    await auditCloud(p, ctx, 'instance.rename', r, [{ attribute: 'name', old: srv.name, new: ctx.body.name }]);
    current = await getRecord(p.db, 'instance', r.id);
    srv.name = ctx.body.name;
  }
  if (!flavor && volumeSize === undefined) return ok(instanceView(current, srv));
  const task = await startCloudTask(p, {
    record: current,
    op: 'resize',
    stateMachine: 'instance-resize',
    actor: ctx.actor!.dn,
    input: { ...(flavor && { flavor }), ...(volumeSize !== undefined && { volume_size: volumeSize }) },
  });
  const spec = current.spec as Record<string, unknown>;
  await auditCloud(
    p,
    ctx,
    'instance.resize',
    r,
    [
      ...(flavor ? [{ attribute: 'flavor', old: spec.flavor_name ?? null, new: flavor.name }] : []),
      ...(volumeSize !== undefined ? [{ attribute: 'volume_size', old: spec.volume_size ?? null, new: volumeSize }] : []),
    ],
    { task_id: task.id },
  );
  return acceptedWith(instanceView({ ...current, busy_task: task.id }, srv), task);
});

export const deleteInstanceRoute = route(specs.deleteInstance).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'instance', ctx.params.id, 'delete');
  return startCloudDelete(p, ctx, r, (x) => instanceView(x, undefined));
});

export const instanceActionRoute = route(specs.instanceAction).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'instance', ctx.params.id, 'write');
  const srv = await liveServer(r);
  assertActionAllowed(srv, ctx.body.action);
  const task = await startCloudTask(p, {
    record: r,
    op: ctx.body.action,
    stateMachine: 'cloud-action',
    actor: ctx.actor!.dn,
    input: { ...(ctx.body.type && { type: ctx.body.type }) },
  });
  await auditCloud(p, ctx, `instance.${ctx.body.action}`, r, [{ attribute: 'status', old: srv.status, new: ctx.body.action }], {
    task_id: task.id,
  });
  return acceptedWith(instanceView({ ...r, busy_task: task.id }, srv), task);
});

export const routes = [
  createInstanceRoute,
  listInstancesRoute,
  getInstanceRoute,
  updateInstanceRoute,
  deleteInstanceRoute,
  instanceActionRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
