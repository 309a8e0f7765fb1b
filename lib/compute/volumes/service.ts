/**
 * Volumes (Cinder): the synchronous half of every endpoint. Requests are resolved and checked here (the
 * volume type and the target instance exist, quotas allow it, the volume's status allows the action) so a
 * bad request is a 4xx at once; the long work runs in the state machines (steps.ts).
 */
import { ConflictError, UnprocessableError } from '../../core/errors.js';
import type { RequestContext } from '../../http/types.js';
import type { Platform } from '../../platform.js';
import type { OpenStackClient, Server, Volume } from '../../providers/openstack/index.js';
import type { Db } from '../../store/dynamo.js';
import { assertWithinQuota, quotas, unknownField } from '../catalog.js';
import { authorizeRecord } from '../cloud.js';
import { findRecord, listRecords, type CloudRecord } from '../records.js';
import { serverOf } from '../instances/service.js';
import type { CreateVolumeBody, VolumeView } from './schemas.js';
import { byCloudId, liveObject, recordFields } from '../views.js';

/** What a volume record keeps of its request and of the API's last changes. */
export interface VolumeSpec {
  size: number;
  volume_type?: string;
  description?: string;
  metadata?: Record<string, string>;
  /** The instance (ours) and its server the volume was last attached to through the API. */
  instance_id?: string;
  server_id?: string;
  /** Set by DELETE ?cascade=true: Cinder deletes the volume's snapshots with it. */
  delete_cascade?: boolean;
}

export const specOf = (r: CloudRecord) => r.spec as unknown as VolumeSpec;

/** Statuses in which Cinder deletes a volume. */
export const DELETABLE = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];
/** Statuses of a volume that is, or is becoming, attached. */
const ATTACHED = ['in-use', 'attaching', 'detaching', 'reserved'];

const userMetadata = (m: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => !k.startsWith('apibibind_')));

/** `instances`: our instance ids by server id, for the attachments (else only the API's own attachment is named). */
export function volumeView(r: CloudRecord, v: Volume | null | undefined, instances?: Map<string, string>): VolumeView {
  const spec = specOf(r);
  let status: string;
  if (r.state === 'error') status = 'error';
  else if (r.state === 'deleted') status = 'deleted';
  else if (v) status = v.status;
  else if (r.state === 'deleting') status = 'deleting';
  else if (v === null) status = r.cloud_id ? 'deleted' : 'creating';
  else status = r.cloud_id ? 'unknown' : 'creating';
  const ours = (serverId: string) => instances?.get(serverId) ?? (serverId === spec.server_id ? spec.instance_id : undefined) ?? null;
  return {
    id: r.id,
    name: v?.name || r.name,
    status,
    size: v?.size ?? spec.size,
    volume_type: v?.volume_type ?? spec.volume_type ?? null,
    bootable: v?.bootable === 'true',
    attachments: (v?.attachments ?? []).map((a) => ({
      instance_id: ours(a.server_id),
      openstack_server_id: a.server_id,
      device: a.device ?? null,
    })),
    openstack_id: r.cloud_id ?? null,
    description: v?.description ?? spec.description ?? null,
    metadata: userMetadata(v?.metadata ?? spec.metadata),
    ...recordFields(r),
  };
}

/** The volume behind a record: null when the cloud answers 404, undefined when there is none (yet). */
export const volumeOf = (os: OpenStackClient, r: CloudRecord): Promise<Volume | null | undefined> =>
  liveObject(r, (id) => os.cinder.getVolume(id));

/** Every volume of the project by id (one paged list): the live half of `GET /volumes`. */
export const volumesById = (os: OpenStackClient): Promise<Map<string, Volume>> => byCloudId(os.cinder.listVolumes());

/** Our instance ids by server id. */
export async function instanceIdsByServer(db: Db): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of await listRecords(db, 'instance')) if (r.cloud_id) out.set(r.cloud_id, r.id);
  return out;
}

/**
 * Why Cinder put a resource in ERROR: the newest of its user messages (`GET /messages`, microversion 3.3+),
 * undefined when there is none or the cloud has no messages API.
 */
export async function cinderMessage(os: OpenStackClient, resourceId: string): Promise<string | undefined> {
  try {
    const res = await os.cinder.http.get<{ messages?: { user_message?: string; created_at?: string }[] }>('/messages', {
      resource_uuid: resourceId,
    });
    const newest = [...(res.data.messages ?? [])].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0];
    return newest?.user_message || undefined;
  } catch {
    return undefined;
  }
}

type Ctx = RequestContext<any, any, any>;

/**
 * The instance a volume is to be attached to: one of ours (400 naming the field otherwise; 403 first for a
 * caller not allowed on the whole base), that the caller may change, whose server is ACTIVE or SHUTOFF and
 * idle (409 otherwise).
 */
export async function attachableInstance(
  p: Pick<Platform, 'db' | 'cfg'>,
  ctx: Ctx,
  os: OpenStackClient,
  instanceId: string,
  field = 'body.instance_id',
): Promise<{ record: CloudRecord; server: Server }> {
  const r = await findRecord(p.db, 'instance', instanceId);
  if (!r || r.state === 'deleted') {
    await ctx.authorize({ action: 'write', objectType: 'instance', objectDn: p.cfg.LDAP_BASE_DN });
    throw unknownField(field, 'unknown_instance', `No instance ${instanceId}`);
  }
  await authorizeRecord(ctx, 'write', 'instance', r);
  const conflict = (message: string, details: Record<string, unknown> = {}) =>
    new ConflictError('INSTANCE_STATE_CONFLICT', message, { field, instance_id: r.id, ...details });
  if (r.busy_task) throw conflict(`Instance ${r.id} is being changed by task ${r.busy_task}`, { task: `/api/v1/tasks/${r.busy_task}` });
  const server = r.state === 'active' ? await serverOf(os, r) : undefined;
  if (!server)
    throw conflict(`Instance ${r.id} has no server in the cloud (${r.state === 'active' ? 'deleted outside the API' : r.state})`);
  if (!['ACTIVE', 'SHUTOFF'].includes(server.status) || server['OS-EXT-STS:task_state']) {
    throw conflict(`A volume can be attached to an ACTIVE or SHUTOFF instance; this one is ${server.status}`, {
      status: server.status,
      task_state: server['OS-EXT-STS:task_state'] ?? null,
    });
  }
  return { record: r, server };
}

/** Cinder's limits (`volumes`, `snapshots`, `gigabytes`), and their per-type twins when a type is named: 422 QUOTA_EXCEEDED. */
export async function assertVolumeQuota(
  os: OpenStackClient,
  needs: { volumes?: number; snapshots?: number; gigabytes: number },
  type?: string,
) {
  const q = (await quotas(os)).volume;
  const perType = type ? Object.fromEntries(Object.entries(needs).map(([k, n]) => [`${k}_${type}`, n])) : {};
  assertWithinQuota('volume', q, { ...needs, ...perType });
}

/** A create, resolved: 400 naming `volume_type` when the cloud has no such type, 422 over quota. */
export async function prepareCreate(
  os: OpenStackClient,
  body: CreateVolumeBody,
  target?: { record: CloudRecord; server: Server },
): Promise<VolumeSpec> {
  let volumeType: string | undefined;
  if (body.volume_type !== undefined) {
    const t = (await os.cinder.listVolumeTypes()).find((x) => x.id === body.volume_type || x.name === body.volume_type);
    if (!t) throw unknownField('body.volume_type', 'unknown_volume_type', `No volume type named or with id "${body.volume_type}"`);
    volumeType = t.name;
  }
  await assertVolumeQuota(os, { volumes: 1, gigabytes: body.size }, volumeType);
  return {
    size: body.size,
    ...(volumeType && { volume_type: volumeType }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.metadata && { metadata: body.metadata }),
    ...(target && { instance_id: target.record.id, server_id: target.server.id }),
  };
}

/** 409 VOLUME_STATE_CONFLICT unless the volume's status is one of `allowed`. */
export function assertVolumeStatus(v: Volume, allowed: string[], action: string): void {
  if (!allowed.includes(v.status)) {
    throw new ConflictError('VOLUME_STATE_CONFLICT', `Cannot ${action} a volume that is ${v.status}`, {
      status: v.status,
      allowed_from: allowed,
    });
  }
}

/** Extend: available or in-use (Cinder 3.42+), strictly larger (422 naming `new_size`), within quota. */
export async function prepareExtend(os: OpenStackClient, v: Volume, newSize: number): Promise<void> {
  assertVolumeStatus(v, ['available', 'in-use'], 'extend');
  if (newSize <= v.size) {
    throw new UnprocessableError('NEW_SIZE_TOO_SMALL', `A volume can only grow: new_size must be larger than its ${v.size} GiB`, {
      field: 'body.new_size',
      current: v.size,
    });
  }
  await assertVolumeQuota(os, { gigabytes: newSize - v.size }, v.volume_type ?? undefined);
}

/**
 * Delete: refused while attached (409 VOLUME_IN_USE: detach first) and, as Cinder does, while it has
 * snapshots (409 VOLUME_HAS_SNAPSHOTS) unless `cascade`; with `cascade` every snapshot must be settled
 * (available or error) and none of ours busy with a task.
 */
export async function assertDeletable(db: Db, os: OpenStackClient, r: CloudRecord, v: Volume | null | undefined, cascade: boolean) {
  if (v && (v.attachments.length > 0 || ATTACHED.includes(v.status))) {
    throw new ConflictError('VOLUME_IN_USE', `Volume ${r.id} is ${v.status}: detach it first`, {
      status: v.status,
      attachments: v.attachments.map((a) => a.server_id),
    });
  }
  const records = (await listRecords(db, 'snapshot')).filter((x) => (x.spec as { volume_id?: string }).volume_id === r.id);
  const busy = records.find((x) => x.busy_task);
  if (busy) {
    throw new ConflictError('RESOURCE_BUSY', `Snapshot ${busy.id} of this volume is being changed by task ${busy.busy_task}`, {
      snapshot_id: busy.id,
      task: `/api/v1/tasks/${busy.busy_task}`,
    });
  }
  if (!v) return;
  const snapshots = [];
  for await (const s of os.cinder.listSnapshots({ volume_id: v.id })) snapshots.push(s);
  const oursById = new Map(records.map((x) => [x.cloud_id, x.id]));
  const named = snapshots.map((s) => oursById.get(s.id) ?? s.id);
  if (snapshots.length > 0 && !cascade) {
    throw new ConflictError(
      'VOLUME_HAS_SNAPSHOTS',
      `Volume ${r.id} has ${snapshots.length} snapshot(s): delete them, or ask cascade=true`,
      {
        snapshots: named,
      },
    );
  }
  const unsettled = snapshots.find((s) => s.status !== 'available' && s.status !== 'error');
  if (unsettled) {
    throw new ConflictError('VOLUME_HAS_SNAPSHOTS', `Snapshot ${oursById.get(unsettled.id) ?? unsettled.id} is ${unsettled.status}`, {
      snapshots: named,
    });
  }
}
