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
import { findRecord, type CloudRecord } from '../../lib/compute/records.js';
import { startCloudTask } from '../../lib/compute/workflow.js';
import {
  assertDeletable,
  assertVolumeStatus,
  attachableInstance,
  instanceIdsByServer,
  prepareCreate as prepareVolume,
  prepareExtend,
  specOf,
  volumeOf,
  volumesById,
  volumeView,
} from '../../lib/compute/volumes/service.js';
import {
  prepareCreate as prepareSnapshot,
  snapshotOf,
  snapshotsById,
  snapshotTarget,
  snapshotView,
} from '../../lib/compute/snapshots/service.js';
import { idleLiveObject, liveIn } from '../../lib/compute/views.js';
import * as specs from './specs/volumes.js';

/** The live volume of an idle record, or 409 (busy: RESOURCE_BUSY; no cloud volume: VOLUME_STATE_CONFLICT). */
const liveVolume = (r: CloudRecord) => idleLiveObject(r, 'Volume', 'VOLUME_STATE_CONFLICT', (x) => volumeOf(cloud(), x));

export const createVolumeRoute = route(specs.createVolume).handler(async (ctx) => {
  const p = await platform();
  const actor = ctx.actor!;
  const department = requestedDepartment(ctx.body.department_dn, actor, p.cfg.LDAP_BASE_DN);
  await ctx.authorize({ action: 'create', objectType: 'volume', objectDn: department, ownerDn: actor.dn });
  const os = cloud();
  const target = ctx.body.instance_id ? await attachableInstance(p, ctx, os, ctx.body.instance_id) : undefined;
  const spec = await prepareVolume(os, ctx.body, target);
  const { record, task } = await startCloudCreate(
    p,
    ctx,
    'volume',
    { name: ctx.body.name, department, request: { ...ctx.body }, spec: { ...spec } },
    'volume-create',
  );
  await auditCloud(p, ctx, 'volume.create', record, changesOf({}, { ...ctx.body, department }), { task_id: task.id });
  return acceptedWith(volumeView(record, undefined), task);
});

export const listVolumesRoute = route(specs.listVolumes).handler(async (ctx) => {
  const p = await platform();
  const [records, volumes, instances] = await Promise.all([
    readableRecords(p, ctx, 'volume'),
    volumesById(cloud()),
    instanceIdsByServer(p.db),
  ]);
  const views = records.map((r) => volumeView(r, liveIn(r, volumes), instances));
  return ok(pageOf(views, ctx.query));
});

export const getVolumeRoute = route(specs.getVolume).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'volume', ctx.params.id, 'read');
  const v = await volumeOf(cloud(), r);
  return ok(volumeView(r, v, v?.attachments.length ? await instanceIdsByServer(p.db) : undefined));
});

export const extendVolumeRoute = route(specs.extendVolume).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'volume', ctx.params.id, 'write');
  const v = await liveVolume(r);
  await prepareExtend(cloud(), v, ctx.body.new_size);
  const task = await startCloudTask(p, {
    record: r,
    op: 'extend',
    stateMachine: 'cloud-action',
    actor: ctx.actor!.dn,
    input: { ...ctx.body },
  });
  await auditCloud(p, ctx, 'volume.extend', r, [{ attribute: 'size', old: v.size, new: ctx.body.new_size }], { task_id: task.id });
  return acceptedWith(volumeView({ ...r, busy_task: task.id }, v), task);
});

export const attachVolumeRoute = route(specs.attachVolume).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'volume', ctx.params.id, 'write');
  const v = await liveVolume(r);
  assertVolumeStatus(v, ['available'], 'attach');
  const { record: instance, server } = await attachableInstance(p, ctx, cloud(), ctx.body.instance_id);
  const task = await startCloudTask(p, {
    record: r,
    op: 'attach',
    stateMachine: 'cloud-action',
    actor: ctx.actor!.dn,
    input: { instance_id: instance.id, server_id: server.id },
  });
  await auditCloud(p, ctx, 'volume.attach', r, [{ attribute: 'instance_id', old: null, new: instance.id }], { task_id: task.id });
  return acceptedWith(volumeView({ ...r, busy_task: task.id }, v), task);
});

export const detachVolumeRoute = route(specs.detachVolume).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'volume', ctx.params.id, 'write');
  const v = await liveVolume(r);
  assertVolumeStatus(v, ['in-use'], 'detach');
  // Taking a disk from one of our instances is a change to that instance too.
  const instances = await instanceIdsByServer(p.db);
  const from = v.attachments.map((a) => instances.get(a.server_id) ?? a.server_id);
  for (const a of v.attachments) {
    const instance = instances.has(a.server_id) ? await findRecord(p.db, 'instance', instances.get(a.server_id)!) : undefined;
    if (instance) await authorizeRecord(ctx, 'write', 'instance', instance);
  }
  const task = await startCloudTask(p, { record: r, op: 'detach', stateMachine: 'cloud-action', actor: ctx.actor!.dn });
  await auditCloud(p, ctx, 'volume.detach', r, [{ attribute: 'attachments', old: from, new: [] }], { task_id: task.id });
  return acceptedWith(volumeView({ ...r, busy_task: task.id }, v, instances), task);
});

export const deleteVolumeRoute = route(specs.deleteVolume).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'volume', ctx.params.id, 'delete');
  if (!(r.state === 'deleting' && r.busy_task)) await assertDeletable(p.db, cloud(), r, await volumeOf(cloud(), r), ctx.query.cascade);
  // Always written: a failed cascade delete must not make a later plain delete cascade.
  const patch = { spec: { ...specOf(r), delete_cascade: ctx.query.cascade } };
  return startCloudDelete(p, ctx, r, (x) => volumeView(x, undefined), patch);
});

export const createSnapshotRoute = route(specs.createSnapshot).handler(async (ctx) => {
  const p = await platform();
  const actor = ctx.actor!;
  const os = cloud();
  const volume = await snapshotTarget(p, ctx, ctx.body.volume_id);
  // A backup belongs with its volume unless a department is named.
  const department = ctx.body.department_dn ? requestedDepartment(ctx.body.department_dn, actor, p.cfg.LDAP_BASE_DN) : volume.department;
  await ctx.authorize({ action: 'create', objectType: 'snapshot', objectDn: department, ownerDn: actor.dn });
  const spec = await prepareSnapshot(os, volume, ctx.body);
  const { record, task } = await startCloudCreate(
    p,
    ctx,
    'snapshot',
    { name: ctx.body.name, department, request: { ...ctx.body }, spec: { ...spec } },
    'snapshot-create',
  );
  await auditCloud(p, ctx, 'snapshot.create', record, changesOf({}, { ...ctx.body, department }), { task_id: task.id });
  return acceptedWith(snapshotView(record, undefined), task);
});

export const listSnapshotsRoute = route(specs.listSnapshots).handler(async (ctx) => {
  const p = await platform();
  const [records, snapshots] = await Promise.all([readableRecords(p, ctx, 'snapshot'), snapshotsById(cloud())]);
  const views = records.map((r) => snapshotView(r, liveIn(r, snapshots)));
  return ok(pageOf(views, ctx.query));
});

export const getSnapshotRoute = route(specs.getSnapshot).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'snapshot', ctx.params.id, 'read');
  return ok(snapshotView(r, await snapshotOf(cloud(), r)));
});

export const deleteSnapshotRoute = route(specs.deleteSnapshot).handler(async (ctx) => {
  const p = await platform();
  const r = await authorizedRecord(p, ctx, 'snapshot', ctx.params.id, 'delete');
  return startCloudDelete(p, ctx, r, (x) => snapshotView(x, undefined), {});
});

export const routes = [
  createVolumeRoute,
  listVolumesRoute,
  getVolumeRoute,
  extendVolumeRoute,
  attachVolumeRoute,
  detachVolumeRoute,
  deleteVolumeRoute,
  createSnapshotRoute,
  listSnapshotsRoute,
  getSnapshotRoute,
  deleteSnapshotRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
