/**
 * Snapshots (Cinder): the synchronous half of every endpoint. The volume is ours, the caller may change it,
 * its status allows a snapshot (an attached one only with `force`, as in Cinder), quotas allow it.
 */
import { ConflictError } from '../../core/errors.js';
import type { RequestContext } from '../../http/types.js';
import type { Platform } from '../../platform.js';
import type { OpenStackClient, Snapshot } from '../../providers/openstack/index.js';
import { unknownField } from '../catalog.js';
import { authorizeRecord } from '../cloud.js';
import { findRecord, type CloudRecord } from '../records.js';
import { assertVolumeQuota, volumeOf } from '../volumes/service.js';
import type { CreateSnapshotBody, SnapshotView } from './schemas.js';
import { byCloudId, liveObject, recordFields } from '../views.js';

export interface SnapshotSpec {
  /** Our volume, and its Cinder id. */
  volume_id: string;
  volume_cloud_id: string;
  size: number;
  force?: boolean;
  description?: string;
  metadata?: Record<string, string>;
}

export const snapshotSpecOf = (r: CloudRecord) => r.spec as unknown as SnapshotSpec;

/** Cinder shows the progress as an extended attribute (show and detail list only). */
export const progressOf = (s: Snapshot): string | undefined =>
  (s as Snapshot & { 'os-extended-snapshot-attributes:progress'?: string })['os-extended-snapshot-attributes:progress'] ?? s.progress;

export function snapshotView(r: CloudRecord, snap: Snapshot | null | undefined): SnapshotView {
  const spec = snapshotSpecOf(r);
  let status: string;
  if (r.state === 'error') status = 'error';
  else if (r.state === 'deleted') status = 'deleted';
  else if (snap) status = snap.status;
  else if (r.state === 'deleting') status = 'deleting';
  else status = r.cloud_id ? (snap === null ? 'deleted' : 'unknown') : 'creating';
  return {
    id: r.id,
    name: snap?.name || r.name,
    status,
    size: snap?.size ?? spec.size,
    progress: (snap && progressOf(snap)) ?? null,
    volume_id: spec.volume_id,
    openstack_volume_id: snap?.volume_id ?? spec.volume_cloud_id ?? null,
    openstack_id: r.cloud_id ?? null,
    description: snap?.description ?? spec.description ?? null,
    metadata: Object.fromEntries(Object.entries(snap?.metadata ?? spec.metadata ?? {}).filter(([k]) => !k.startsWith('apibibind_'))),
    ...recordFields(r),
  };
}

/** The snapshot behind a record: null when the cloud answers 404, undefined when there is none (yet). */
export const snapshotOf = (os: OpenStackClient, r: CloudRecord): Promise<Snapshot | null | undefined> =>
  liveObject(r, (id) => os.cinder.getSnapshot(id));

/** Every snapshot of the project by id (one paged list): the live half of `GET /snapshots`. */
export const snapshotsById = (os: OpenStackClient): Promise<Map<string, Snapshot>> => byCloudId(os.cinder.listSnapshots());

/**
 * The volume to snapshot: one of ours (400 naming `volume_id` otherwise; 403 first for a caller not allowed on
 * the whole base) that the caller may change (403).
 */
export async function snapshotTarget(p: Pick<Platform, 'db' | 'cfg'>, ctx: RequestContext<any, any, any>, volumeId: string) {
  const volume = await findRecord(p.db, 'volume', volumeId);
  if (!volume || volume.state === 'deleted') {
    await ctx.authorize({ action: 'write', objectType: 'volume', objectDn: p.cfg.LDAP_BASE_DN });
    throw unknownField('body.volume_id', 'unknown_volume', `No volume ${volumeId}`);
  }
  await authorizeRecord(ctx, 'write', 'volume', volume);
  return volume;
}

/** A create, resolved: the volume's status (409; `in-use` without `force` is a 409 naming `force`), the quota (422). */
export async function prepareCreate(os: OpenStackClient, volume: CloudRecord, body: CreateSnapshotBody): Promise<SnapshotSpec> {
  const v = volume.state === 'active' ? await volumeOf(os, volume) : undefined;
  if (!v) {
    throw new ConflictError(
      'VOLUME_STATE_CONFLICT',
      `Volume ${volume.id} has no volume in the cloud (${volume.state === 'active' ? 'deleted outside the API' : volume.state})`,
      { field: 'body.volume_id', state: volume.state },
    );
  }
  if (v.status === 'in-use' && body.force !== true) {
    throw new ConflictError('VOLUME_IN_USE', `Volume ${volume.id} is attached (in-use): set force to true to snapshot it anyway`, {
      field: 'body.force',
      status: v.status,
    });
  }
  if (v.status !== 'available' && v.status !== 'in-use') {
    throw new ConflictError('VOLUME_STATE_CONFLICT', `Cannot snapshot a volume that is ${v.status}`, {
      field: 'body.volume_id',
      status: v.status,
      allowed_from: ['available', 'in-use'],
    });
  }
  await assertVolumeQuota(os, { snapshots: 1, gigabytes: v.size }, v.volume_type ?? undefined);
  return {
    volume_id: volume.id,
    volume_cloud_id: v.id,
    size: v.size,
    ...(body.force !== undefined && { force: body.force }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.metadata && { metadata: body.metadata }),
  };
}
