/**
 * The simulator's state: every resource of every service lives here so that services can see each other
 * (a Nova server owns Neutron ports and Cinder attachments; an Octavia VIP is a Neutron port). State changes
 * over time through `jobs`: a job is due at a time and is applied lazily before each request is answered,
 * so transitions are deterministic, need no timers and survive persistence.
 */

export interface Token {
  id: string;
  userId: string;
  projectId?: string;
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  auditId: string;
  appCredentialId?: string;
}

export interface Domain {
  id: string;
  name: string;
}
export interface Project {
  id: string;
  name: string;
  domainId: string;
}
export interface User {
  id: string;
  name: string;
  domainId: string;
  password: string;
  /** project id → role names */
  roles: Record<string, string[]>;
}
export interface AppCredential {
  id: string;
  name: string;
  secret: string;
  userId: string;
  projectId: string;
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
}
export interface Keypair {
  name: string;
  userId: string;
  publicKey: string;
  fingerprint: string;
  type: string;
  createdAt: string;
  seq: number;
}

export interface ServerVolume {
  volumeId: string;
  device: string;
  attachmentId: string;
  deleteOnTermination: boolean;
  /** Boot from an image to a new volume: Nova created it (and never does when scheduling fails). */
  createdByNova?: boolean;
}

export interface Server {
  id: string;
  seq: number;
  name: string;
  projectId: string;
  userId: string;
  flavorId: string;
  oldFlavorId?: string;
  imageId: string;
  keyName: string | null;
  metadata: Record<string, string>;
  description: string | null;
  userData: string | null;
  vmState: string;
  taskState: string | null;
  powerState: number;
  /** vm_state to return to after a resize/revert (active or stopped). */
  resumeState?: string;
  created: string;
  updated: string;
  launchedAt: string | null;
  fault?: { code: number; message: string; created: string; details?: string };
  adminPass: string;
  hostId: string;
  securityGroups: string[];
  /** Ports Nova created (deleted with the server) vs ports the user passed (only unbound). */
  ownedPortIds: string[];
  volumes: ServerVolume[];
}

export interface Volume {
  id: string;
  seq: number;
  projectId: string;
  userId: string;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  volumeType: string;
  imageId: string | null;
  snapshotId: string | null;
  bootable: boolean;
  metadata: Record<string, string>;
  created: string;
  updated: string | null;
  attachments: Array<{ serverId: string; attachmentId: string; device: string; attachedAt: string }>;
  /** Status that a pending extend/attach/detach ends in. */
  extendTo?: number;
}

export interface Snapshot {
  id: string;
  seq: number;
  projectId: string;
  userId: string;
  volumeId: string;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  progress: string;
  metadata: Record<string, string>;
  created: string;
  updated: string | null;
}

export interface Image {
  id: string;
  seq: number;
  name: string | null;
  status: string;
  visibility: string;
  owner: string;
  disk_format: string | null;
  container_format: string | null;
  min_disk: number;
  min_ram: number;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  protected: boolean;
  os_hidden: boolean;
  tags: string[];
  created_at: string;
  updated_at: string;
  properties: Record<string, string>;
}

/** Neutron and Octavia keep their resources in their wire shape: the API dict is the record. */
export type Wire = Record<string, unknown> & { id: string };

export interface Job {
  at: number;
  seq: number;
  kind: string;
  id: string;
  arg?: string;
}

export interface Quotas {
  compute: Record<string, number>;
  network: Record<string, number>;
  volume: Record<string, number>;
}

export interface State {
  domains: Record<string, Domain>;
  projects: Record<string, Project>;
  users: Record<string, User>;
  appCredentials: Record<string, AppCredential>;
  tokens: Record<string, Token>;
  flavors: Record<string, Flavor>;
  keypairs: Record<string, Keypair>;
  servers: Record<string, Server>;
  volumes: Record<string, Volume>;
  snapshots: Record<string, Snapshot>;
  images: Record<string, Image>;
  networks: Record<string, Wire>;
  subnets: Record<string, Wire>;
  ports: Record<string, Wire>;
  routers: Record<string, Wire>;
  floatingips: Record<string, Wire>;
  securityGroups: Record<string, Wire>;
  loadbalancers: Record<string, Wire>;
  listeners: Record<string, Wire>;
  pools: Record<string, Wire>;
  members: Record<string, Wire>;
  healthmonitors: Record<string, Wire>;
  /** project id → overrides of the default quotas */
  quotas: Record<string, Partial<Quotas>>;
  jobs: Job[];
  seq: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  compute: {
    instances: 10,
    cores: 20,
    ram: 51200,
    key_pairs: 100,
    metadata_items: 128,
    server_groups: 10,
    server_group_members: 10,
    injected_files: 5,
    injected_file_content_bytes: 10240,
    injected_file_path_bytes: 255,
  },
  network: {
    network: 100,
    subnet: 100,
    subnetpool: -1,
    port: 500,
    router: 10,
    floatingip: 50,
    security_group: 10,
    security_group_rule: 100,
    rbac_policy: 10,
  },
  volume: { volumes: 10, gigabytes: 1000, snapshots: 10, backups: 10, backup_gigabytes: 1000, per_volume_gigabytes: -1, groups: 10 },
};

export function quotaOf(state: State, projectId: string, kind: keyof Quotas): Record<string, number> {
  return { ...DEFAULT_QUOTAS[kind], ...(state.quotas[projectId]?.[kind] ?? {}) };
}

export function emptyState(): State {
  return {
    domains: {},
    projects: {},
    users: {},
    appCredentials: {},
    tokens: {},
    flavors: {},
    keypairs: {},
    servers: {},
    volumes: {},
    snapshots: {},
    images: {},
    networks: {},
    subnets: {},
    ports: {},
    routers: {},
    floatingips: {},
    securityGroups: {},
    loadbalancers: {},
    listeners: {},
    pools: {},
    members: {},
    healthmonitors: {},
    quotas: {},
    jobs: [],
    seq: 0,
  };
}
