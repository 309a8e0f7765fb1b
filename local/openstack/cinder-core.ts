/** Cinder's model rules shared with Nova (boot from volume): volume creation, quotas, views, and the status jobs. */
import type { OsRequest } from './http.js';
import { wrappedFault as fault, type Microversion } from './microversion.js';
import { quotaOf, type Snapshot, type Token, type Volume } from './model.js';
import type { Sim } from './sim.js';

export const VOLUME_TYPES = [
  { id: '4d2b2a1e-7f8e-4b0a-9a33-8c0c6c1d0f01', name: 'lvmdriver-1', description: null },
  { id: '4d2b2a1e-7f8e-4b0a-9a33-8c0c6c1d0f00', name: '__DEFAULT__', description: 'Default Volume Type' },
];

export interface VolumeUsage {
  volumes: number;
  gigabytes: number;
  snapshots: number;
}

export function volumeUsage(sim: Sim, projectId: string): VolumeUsage {
  const vols = Object.values(sim.state.volumes).filter((v) => v.projectId === projectId);
  const snaps = Object.values(sim.state.snapshots).filter((s) => s.projectId === projectId);
  return {
    volumes: vols.length,
    snapshots: snaps.length,
    gigabytes: vols.reduce((a, v) => a + v.size, 0) + snaps.reduce((a, s) => a + s.size, 0),
  };
}

/** Cinder's 413s: VolumeLimitExceeded, SnapshotLimitExceeded, VolumeSizeExceedsAvailableQuota. */
export function checkVolumeQuota(sim: Sim, projectId: string, delta: Partial<VolumeUsage>): void {
  const q = quotaOf(sim.state, projectId, 'volume');
  const used = volumeUsage(sim, projectId);
  const over = (k: keyof VolumeUsage) => (delta[k] ?? 0) > 0 && (q[k] ?? -1) >= 0 && used[k] + (delta[k] ?? 0) > q[k]!;
  if (over('volumes')) throw fault(413, `Maximum number of volumes allowed (${q.volumes}) exceeded for quota 'volumes'.`);
  if (over('snapshots')) throw fault(413, `Maximum number of snapshots allowed (${q.snapshots}) exceeded`);
  if (over('gigabytes'))
    throw fault(
      413,
      `Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${delta.gigabytes}G, quota is ${q.gigabytes}G and ${used.gigabytes}G has been consumed.`,
    );
}

export interface NewVolume {
  size: number;
  name: string | null;
  description?: string | null;
  imageId?: string | null;
  snapshotId?: string | null;
  volumeType?: string;
  metadata?: Record<string, string>;
  /** Boot-from-volume: Nova's build job finishes the volume. */
  noJob?: boolean;
}

export function newVolume(sim: Sim, t: Token, o: NewVolume): Volume {
  const now = sim.iso();
  const v: Volume = {
    id: sim.ids.uuid(),
    seq: sim.nextSeq(),
    projectId: t.projectId ?? '',
    userId: t.userId,
    name: o.name,
    description: o.description ?? null,
    size: o.size,
    status: 'creating',
    volumeType: o.volumeType ?? 'lvmdriver-1',
    imageId: o.imageId ?? null,
    snapshotId: o.snapshotId ?? null,
    bootable: !!o.imageId,
    metadata: o.metadata ?? {},
    created: now.replace('Z', '.000000'),
    updated: null,
    attachments: [],
  };
  sim.state.volumes[v.id] = v;
  if (!o.noJob) sim.later('cinder.volume.ready', v.id, 1, sim.drawBuildError('volume') ? 'error' : undefined);
  return v;
}

export function findVolume(sim: Sim, t: Token, id: string): Volume {
  const v = sim.state.volumes[id];
  if (!v || v.projectId !== t.projectId) throw fault(404, `Volume ${id} could not be found.`);
  return v;
}

export function findSnapshot(sim: Sim, t: Token, id: string): Snapshot {
  const s = sim.state.snapshots[id];
  if (!s || s.projectId !== t.projectId) throw fault(404, `Snapshot ${id} could not be found.`);
  return s;
}

const links = (req: OsRequest, pid: string, kind: string, id: string) => [
  { rel: 'self', href: `${req.serviceUrl}/v3/${pid}/${kind}/${id}` },
  { rel: 'bookmark', href: `${req.serviceUrl}/${pid}/${kind}/${id}` },
];

/**
 * A volume as Cinder renders it; `extended` adds the attributes of its API extensions (host, tenant,
 * migration), which show and detail lists carry but the answers of create and update do not.
 */
export function volumeView(
  sim: Sim,
  req: OsRequest,
  mv: Microversion,
  v: Volume,
  detail: boolean,
  extended = detail,
): Record<string, unknown> {
  const base = { id: v.id, name: v.name, links: links(req, v.projectId, 'volumes', v.id) };
  if (!detail) return base;
  const type = VOLUME_TYPES.find((t) => t.name === v.volumeType);
  const image = v.imageId ? sim.state.images[v.imageId] : undefined;
  const out: Record<string, unknown> = {
    ...base,
    status: v.status,
    size: v.size,
    availability_zone: 'nova',
    created_at: v.created,
    updated_at: v.updated,
    description: v.description,
    volume_type: v.volumeType,
    snapshot_id: v.snapshotId,
    source_volid: null,
    metadata: v.metadata,
    user_id: v.userId,
    bootable: String(v.bootable),
    encrypted: false,
    replication_status: null,
    consistencygroup_id: null,
    multiattach: false,
    migration_status: null,
    attachments: v.attachments.map((a) => ({
      server_id: a.serverId,
      attachment_id: a.attachmentId,
      attached_at: a.attachedAt.replace('Z', '.000000'),
      host_name: null,
      volume_id: v.id,
      device: a.device,
      id: v.id,
    })),
  };
  if (extended)
    Object.assign(out, {
      'os-vol-tenant-attr:tenant_id': v.projectId,
      'os-vol-host-attr:host': 'simulator@lvmdriver-1#lvmdriver-1',
      'os-vol-mig-status-attr:migstat': null,
      'os-vol-mig-status-attr:name_id': null,
    });
  if (image)
    out.volume_image_metadata = {
      image_id: image.id,
      image_name: image.name,
      disk_format: image.disk_format,
      container_format: image.container_format,
      min_disk: String(image.min_disk),
      min_ram: String(image.min_ram),
      size: String(image.size),
      checksum: image.checksum,
    };
  if (mv.minor >= 13) out.group_id = null;
  if (mv.minor >= 21) out.provider_id = null;
  if (mv.minor >= 48) Object.assign(out, { service_uuid: '2f2c6a4e-9bd3-4a0e-8e58-0b6f6c35c1aa', shared_targets: false });
  if (mv.minor >= 61) out.cluster_name = null;
  if (mv.minor >= 63) out.volume_type_id = type?.id ?? null;
  if (mv.minor >= 65) out.consumes_quota = true;
  return out;
}

/**
 * A snapshot as Cinder renders it: the summary list has the base fields only; `detail` adds the
 * microversioned ones, and `extended` the `os-extended-snapshot-attributes:*` (show and detail list, not create).
 */
export function snapshotView(mv: Microversion, s: Snapshot, detail: boolean, extended = detail): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id,
    name: s.name,
    description: s.description,
    status: s.status,
    size: s.size,
    volume_id: s.volumeId,
    created_at: s.created,
    updated_at: s.updated,
    metadata: s.metadata,
  };
  if (!detail) return out;
  if (extended)
    Object.assign(out, {
      'os-extended-snapshot-attributes:progress': s.progress,
      'os-extended-snapshot-attributes:project_id': s.projectId,
    });
  if (mv.minor >= 14) out.group_snapshot_id = null;
  if (mv.minor >= 41) out.user_id = s.userId;
  if (mv.minor >= 65) out.consumes_quota = true;
  return out;
}

export function registerCinderJobs(sim: Sim): void {
  const st = () => sim.state;
  sim.handle('cinder.volume.ready', (id, arg) => {
    const v = st().volumes[id];
    if (v?.status === 'creating') Object.assign(v, { status: arg === 'error' ? 'error' : 'available', updated: sim.iso() });
  });
  sim.handle('cinder.volume.extended', (id, back) => {
    const v = st().volumes[id];
    if (v?.status !== 'extending') return;
    Object.assign(v, { status: back ?? 'available', size: v.extendTo ?? v.size, extendTo: undefined, updated: sim.iso() });
  });
  sim.handle('cinder.volume.delete', (id) => {
    delete st().volumes[id];
  });
  sim.handle('cinder.snapshot.progress', (id) => {
    const s = st().snapshots[id];
    if (s?.status === 'creating') s.progress = '50%';
  });
  sim.handle('cinder.snapshot.ready', (id, arg) => {
    const s = st().snapshots[id];
    if (s?.status === 'creating')
      Object.assign(s, { status: arg === 'error' ? 'error' : 'available', progress: arg === 'error' ? '0%' : '100%', updated: sim.iso() });
  });
  sim.handle('cinder.snapshot.delete', (id) => {
    delete st().snapshots[id];
  });
}
