/**
 * Nova (compute API v2.1, microversion from the config, 2.79 by default): servers and their actions,
 * volume attachments, flavors, keypairs, quotas. Paths are relative to the catalog's `…/v2.1` root.
 */
import { path, type Query, type ServiceHttp } from './http.js';
import { byId, fetchPage, paginate, type ListOptions, type Page, type PageQuery } from './pagination.js';

export type ServerStatus =
  | 'ACTIVE'
  | 'BUILD'
  | 'DELETED'
  | 'ERROR'
  | 'HARD_REBOOT'
  | 'MIGRATING'
  | 'PASSWORD'
  | 'PAUSED'
  | 'REBOOT'
  | 'REBUILD'
  | 'RESCUE'
  | 'RESIZE'
  | 'REVERT_RESIZE'
  | 'SHELVED'
  | 'SHELVED_OFFLOADED'
  | 'SHUTOFF'
  | 'SOFT_DELETED'
  | 'SUSPENDED'
  | 'UNKNOWN'
  | 'VERIFY_RESIZE';

export interface ServerAddress {
  addr: string;
  version: 4 | 6;
  'OS-EXT-IPS:type'?: 'fixed' | 'floating';
  'OS-EXT-IPS-MAC:mac_addr'?: string;
}

/** Since 2.47 the flavor is embedded (no id); before, `{id, links}`. */
export interface ServerFlavor {
  id?: string;
  original_name?: string;
  vcpus?: number;
  ram?: number;
  disk?: number;
  ephemeral?: number;
  swap?: number;
  extra_specs?: Record<string, string>;
}

export interface Server {
  id: string;
  name: string;
  status: ServerStatus;
  tenant_id?: string;
  user_id?: string;
  created?: string;
  updated?: string;
  flavor: ServerFlavor;
  /** `""` when the server boots from a volume. */
  image: { id: string } | '';
  key_name?: string | null;
  metadata?: Record<string, string>;
  /** By network name. */
  addresses: Record<string, ServerAddress[]>;
  fault?: { code: number; message: string; created?: string; details?: string };
  'OS-EXT-STS:task_state'?: string | null;
  'OS-EXT-STS:vm_state'?: string;
  'OS-EXT-STS:power_state'?: number;
  'OS-EXT-AZ:availability_zone'?: string;
  security_groups?: { name: string }[];
  locked?: boolean;
}

export type ServerNetworks = 'auto' | 'none' | ({ uuid: string; fixed_ip?: string; tag?: string } | { port: string; tag?: string })[];

export interface BlockDeviceMapping {
  boot_index?: number | null;
  uuid?: string;
  source_type: 'image' | 'volume' | 'snapshot' | 'blank';
  destination_type?: 'volume' | 'local';
  volume_size?: number;
  delete_on_termination?: boolean;
  volume_type?: string;
}

export interface CreateServer {
  name: string;
  flavorRef: string;
  /** Omit when booting from a volume. */
  imageRef?: string;
  /** Required since 2.37. */
  networks: ServerNetworks;
  key_name?: string;
  /** Base64, at most 65 535 bytes. */
  user_data?: string;
  metadata?: Record<string, string>;
  security_groups?: { name: string }[];
  block_device_mapping_v2?: BlockDeviceMapping[];
  availability_zone?: string;
}

/** `adminPass` is a secret: keep it out of logs and audit events. */
export interface CreatedServer {
  id: string;
  adminPass?: string;
  links?: { rel: string; href: string }[];
}

export interface ServerQuery extends Query {
  name?: string;
  status?: ServerStatus;
  flavor?: string;
  image?: string;
  ip?: string;
  'changes-since'?: string;
  all_tenants?: boolean;
}

export interface VolumeAttachment {
  id: string;
  volumeId: string;
  serverId: string;
  device?: string | null;
  tag?: string | null;
  delete_on_termination?: boolean;
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  /** MiB */
  ram: number;
  /** GiB */
  disk: number;
  'OS-FLV-EXT-DATA:ephemeral'?: number;
  swap?: number | '';
  'os-flavor-access:is_public'?: boolean;
  description?: string | null;
  extra_specs?: Record<string, string>;
}

export interface Keypair {
  name: string;
  public_key: string;
  fingerprint: string;
  type?: 'ssh' | 'x509';
  /** Only in the answer of a create without `public_key` (generated pair, before 2.92); a secret. */
  private_key?: string;
}

export interface QuotaUsage {
  in_use: number;
  limit: number;
  reserved: number;
}

export type ComputeQuotas = { id: string } & Record<string, QuotaUsage | string>;

/** `is_public: 'None'` lists public and private flavors (admin). */
export type FlavorQuery = { is_public?: boolean | 'None'; minRam?: number; minDisk?: number };

export type RebootType = 'SOFT' | 'HARD';

export class Nova {
  constructor(readonly http: ServiceHttp) {}

  // Servers ------------------------------------------------------------------------------------------------

  /** Every server (details), following the pages. */
  listServers(query: ServerQuery = {}, opts?: ListOptions): AsyncGenerator<Server, void, undefined> {
    return paginate<Server>(this.http, '/servers/detail', query, { key: 'servers', markerOf: byId }, opts);
  }

  listServersPage(query: ServerQuery & PageQuery = {}): Promise<Page<Server>> {
    return fetchPage<Server>(this.http, '/servers/detail', query, { key: 'servers', markerOf: byId });
  }

  async getServer(id: string): Promise<Server> {
    return (await this.http.get<{ server: Server }>(path`/servers/${id}`)).data.server;
  }

  /** 202: the server is BUILD; poll `getServer` until ACTIVE or ERROR (with `fault`). */
  async createServer(server: CreateServer): Promise<CreatedServer> {
    return (await this.http.post<{ server: CreatedServer }>('/servers', { server })).data.server;
  }

  async updateServer(id: string, server: { name?: string; description?: string }): Promise<Server> {
    return (await this.http.put<{ server: Server }>(path`/servers/${id}`, { server })).data.server;
  }

  /** 204; the server goes through task_state `deleting`, then 404s. */
  async deleteServer(id: string): Promise<void> {
    await this.http.delete(path`/servers/${id}`);
  }

  /** A server action: `{"os-start":null}`, `{"resize":{…}}`… 409 conflictingRequest when the state forbids it. */
  async action(id: string, action: Record<string, unknown>): Promise<void> {
    await this.http.post(path`/servers/${id}/action`, action);
  }

  /** → RESIZE → VERIFY_RESIZE; then `confirmResize` or `revertResize`. */
  resize(id: string, flavorRef: string): Promise<void> {
    return this.action(id, { resize: { flavorRef } });
  }

  confirmResize(id: string): Promise<void> {
    return this.action(id, { confirmResize: null });
  }

  revertResize(id: string): Promise<void> {
    return this.action(id, { revertResize: null });
  }

  start(id: string): Promise<void> {
    return this.action(id, { 'os-start': null });
  }

  /** → SHUTOFF */
  stop(id: string): Promise<void> {
    return this.action(id, { 'os-stop': null });
  }

  reboot(id: string, type: RebootType = 'SOFT'): Promise<void> {
    return this.action(id, { reboot: { type } });
  }

  // Volume attachments ------------------------------------------------------------------------------------

  async listVolumeAttachments(serverId: string): Promise<VolumeAttachment[]> {
    const res = await this.http.get<{ volumeAttachments: VolumeAttachment[] }>(path`/servers/${serverId}/os-volume_attachments`);
    return res.data.volumeAttachments;
  }

  /** The volume goes `attaching` → `in-use` in Cinder. */
  async attachVolume(serverId: string, volumeId: string, opts: { device?: string; delete_on_termination?: boolean } = {}) {
    const body = { volumeAttachment: { volumeId, ...opts } };
    const res = await this.http.post<{ volumeAttachment: VolumeAttachment }>(path`/servers/${serverId}/os-volume_attachments`, body);
    return res.data.volumeAttachment;
  }

  /** 202: the volume goes `detaching` → `available` in Cinder. */
  async detachVolume(serverId: string, volumeId: string): Promise<void> {
    await this.http.delete(path`/servers/${serverId}/os-volume_attachments/${volumeId}`);
  }

  // Flavors ------------------------------------------------------------------------------------------------

  listFlavors(query: FlavorQuery = {}, opts?: ListOptions) {
    return paginate<Flavor>(this.http, '/flavors/detail', query, { key: 'flavors', markerOf: byId }, opts);
  }

  listFlavorsPage(query: FlavorQuery & PageQuery = {}) {
    return fetchPage<Flavor>(this.http, '/flavors/detail', query, { key: 'flavors', markerOf: byId });
  }

  async getFlavor(id: string): Promise<Flavor> {
    return (await this.http.get<{ flavor: Flavor }>(path`/flavors/${id}`)).data.flavor;
  }

  // Keypairs (paged by name since 2.35) -------------------------------------------------------------------

  listKeypairs(opts?: ListOptions): AsyncGenerator<Keypair, void, undefined> {
    return paginate<Keypair>(this.http, '/os-keypairs', {}, keypairPages, opts);
  }

  listKeypairsPage(query: PageQuery = {}): Promise<Page<Keypair>> {
    return fetchPage<Keypair>(this.http, '/os-keypairs', query, keypairPages);
  }

  async getKeypair(name: string): Promise<Keypair> {
    return (await this.http.get<{ keypair: Keypair }>(path`/os-keypairs/${name}`)).data.keypair;
  }

  async createKeypair(keypair: { name: string; public_key?: string; type?: 'ssh' | 'x509' }): Promise<Keypair> {
    return (await this.http.post<{ keypair: Keypair }>('/os-keypairs', { keypair })).data.keypair;
  }

  async deleteKeypair(name: string): Promise<void> {
    await this.http.delete(path`/os-keypairs/${name}`);
  }

  // Quotas -------------------------------------------------------------------------------------------------

  /** Limits with usage (`/detail`) of the token's project, or of `projectId`. */
  async getQuotas(projectId?: string): Promise<ComputeQuotas> {
    const project = projectId ?? (await this.http.projectId());
    return (await this.http.get<{ quota_set: ComputeQuotas }>(path`/os-quota-sets/${project}/detail`)).data.quota_set;
  }
}

const keypairPages = {
  key: 'keypairs',
  markerOf: (k: Keypair) => k.name,
  unwrap: (raw: unknown) => (raw as { keypair: Keypair }).keypair,
};
