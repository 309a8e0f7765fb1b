/**
 * Cinder (block storage API v3, microversion from the config, 3.59 by default): volumes, extend,
 * snapshots, volume types, quotas. Paths are relative to `…/v3/{project_id}`.
 */
import { path, type Query, type ServiceHttp } from './http.js';
import { byId, fetchPage, paginate, type ListOptions, type Page, type PageQuery } from './pagination.js';

export type VolumeStatus =
  | 'creating'
  | 'available'
  | 'reserved'
  | 'attaching'
  | 'detaching'
  | 'in-use'
  | 'maintenance'
  | 'deleting'
  | 'awaiting-transfer'
  | 'error'
  | 'error_deleting'
  | 'backing-up'
  | 'restoring-backup'
  | 'error_backing-up'
  | 'error_restoring'
  | 'error_extending'
  | 'downloading'
  | 'uploading'
  | 'retyping'
  | 'extending';

export interface VolumeAttachmentInfo {
  id: string;
  attachment_id: string;
  volume_id: string;
  server_id: string;
  device?: string;
  host_name?: string | null;
  attached_at?: string;
}

export interface Volume {
  id: string;
  name: string | null;
  status: VolumeStatus;
  /** GiB */
  size: number;
  volume_type: string | null;
  /** A string in the API: `"true"` / `"false"`. */
  bootable: string;
  attachments: VolumeAttachmentInfo[];
  availability_zone?: string;
  description?: string | null;
  metadata?: Record<string, string>;
  snapshot_id?: string | null;
  source_volid?: string | null;
  multiattach?: boolean;
  encrypted?: boolean;
  created_at?: string;
  updated_at?: string | null;
  'os-vol-tenant-attr:tenant_id'?: string;
}

export interface CreateVolume {
  /** GiB; may be omitted when created from a snapshot or a volume. */
  size?: number;
  name?: string;
  description?: string;
  volume_type?: string;
  imageRef?: string;
  snapshot_id?: string;
  source_volid?: string;
  availability_zone?: string;
  metadata?: Record<string, string>;
}

export type SnapshotStatus =
  'creating' | 'available' | 'backing-up' | 'deleting' | 'error' | 'deleted' | 'unmanaging' | 'restoring' | 'error_deleting';

export interface Snapshot {
  id: string;
  name: string | null;
  status: SnapshotStatus;
  volume_id: string;
  size: number;
  description?: string | null;
  created_at?: string;
  updated_at?: string | null;
  metadata?: Record<string, string>;
  progress?: string;
}

export interface CreateSnapshot {
  volume_id: string;
  name?: string;
  description?: string;
  /** Required to snapshot an `in-use` volume. */
  force?: boolean;
  metadata?: Record<string, string>;
}

export interface VolumeType {
  id: string;
  name: string;
  description?: string | null;
  is_public?: boolean;
}

export interface VolumeQuotaUsage {
  in_use: number;
  limit: number;
  reserved: number;
  allocated?: number;
}

export type VolumeQuotas = { id: string } & Record<string, VolumeQuotaUsage | string>;

export interface VolumeQuery extends Query {
  name?: string;
  status?: VolumeStatus;
  all_tenants?: boolean;
}

export interface SnapshotQuery extends Query {
  name?: string;
  status?: SnapshotStatus;
  volume_id?: string;
}

export class Cinder {
  constructor(readonly http: ServiceHttp) {}

  // Volumes ------------------------------------------------------------------------------------------------

  listVolumes(query: VolumeQuery = {}, opts?: ListOptions): AsyncGenerator<Volume, void, undefined> {
    return paginate<Volume>(this.http, '/volumes/detail', query, { key: 'volumes', markerOf: byId }, opts);
  }

  listVolumesPage(query: VolumeQuery & PageQuery = {}): Promise<Page<Volume>> {
    return fetchPage<Volume>(this.http, '/volumes/detail', query, { key: 'volumes', markerOf: byId });
  }

  async getVolume(id: string): Promise<Volume> {
    return (await this.http.get<{ volume: Volume }>(path`/volumes/${id}`)).data.volume;
  }

  /** 202: `creating` → `available` | `error`. */
  async createVolume(volume: CreateVolume): Promise<Volume> {
    return (await this.http.post<{ volume: Volume }>('/volumes', { volume })).data.volume;
  }

  async updateVolume(id: string, volume: { name?: string; description?: string; metadata?: Record<string, string> }): Promise<Volume> {
    return (await this.http.put<{ volume: Volume }>(path`/volumes/${id}`, { volume })).data.volume;
  }

  /** 202: `deleting` → 404. With `cascade`, its snapshots go too. */
  async deleteVolume(id: string, opts: { cascade?: boolean } = {}): Promise<void> {
    await this.http.delete(path`/volumes/${id}`, opts.cascade ? { cascade: true } : undefined);
  }

  /** A volume action: `{"os-extend":{…}}`, `{"os-reset_status":{…}}`… */
  async action(id: string, action: Record<string, unknown>): Promise<void> {
    await this.http.post(path`/volumes/${id}/action`, action);
  }

  /** 202: `extending` → `available` (or `in-use`: attached volumes need 3.42+). */
  extendVolume(id: string, newSize: number): Promise<void> {
    return this.action(id, { 'os-extend': { new_size: newSize } });
  }

  // Snapshots ----------------------------------------------------------------------------------------------

  listSnapshots(query: SnapshotQuery = {}, opts?: ListOptions): AsyncGenerator<Snapshot, void, undefined> {
    return paginate<Snapshot>(this.http, '/snapshots/detail', query, { key: 'snapshots', markerOf: byId }, opts);
  }

  listSnapshotsPage(query: SnapshotQuery & PageQuery = {}): Promise<Page<Snapshot>> {
    return fetchPage<Snapshot>(this.http, '/snapshots/detail', query, { key: 'snapshots', markerOf: byId });
  }

  async getSnapshot(id: string): Promise<Snapshot> {
    return (await this.http.get<{ snapshot: Snapshot }>(path`/snapshots/${id}`)).data.snapshot;
  }

  /** 202: `creating` → `available` | `error`. */
  async createSnapshot(snapshot: CreateSnapshot): Promise<Snapshot> {
    return (await this.http.post<{ snapshot: Snapshot }>('/snapshots', { snapshot })).data.snapshot;
  }

  async updateSnapshot(id: string, snapshot: { name?: string; description?: string }): Promise<Snapshot> {
    return (await this.http.put<{ snapshot: Snapshot }>(path`/snapshots/${id}`, { snapshot })).data.snapshot;
  }

  /** 202: `deleting` → 404. */
  async deleteSnapshot(id: string): Promise<void> {
    await this.http.delete(path`/snapshots/${id}`);
  }

  // Types and quotas --------------------------------------------------------------------------------------

  async listVolumeTypes(): Promise<VolumeType[]> {
    return (await this.http.get<{ volume_types: VolumeType[] }>('/types')).data.volume_types;
  }

  /** Limits with usage of the token's project, or of `projectId`. */
  async getQuotas(projectId?: string): Promise<VolumeQuotas> {
    const project = projectId ?? (await this.http.projectId());
    return (await this.http.get<{ quota_set: VolumeQuotas }>(path`/os-quota-sets/${project}`, { usage: true })).data.quota_set;
  }
}
