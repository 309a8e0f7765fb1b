/**
 * Neutron (networking API v2.0): networks, subnets, routers and their interfaces, ports, floating IPs,
 * quotas. Paths are relative to `…/v2.0` (the catalog usually registers the unversioned root).
 */
import { path, type Query, type ServiceHttp } from './http.js';
import { byId, fetchPage, paginate, type ListOptions, type Page, type PageQuery } from './pagination.js';

export interface Network {
  id: string;
  name: string;
  status: string;
  admin_state_up: boolean;
  subnets: string[];
  shared: boolean;
  'router:external'?: boolean;
  mtu?: number;
  project_id?: string;
  tenant_id?: string;
  description?: string;
}

export interface Subnet {
  id: string;
  name: string;
  network_id: string;
  cidr: string;
  ip_version: 4 | 6;
  gateway_ip: string | null;
  enable_dhcp: boolean;
  allocation_pools?: { start: string; end: string }[];
  dns_nameservers?: string[];
  project_id?: string;
}

export interface FixedIp {
  subnet_id: string;
  ip_address?: string;
}

export interface Router {
  id: string;
  name: string;
  status: string;
  admin_state_up: boolean;
  external_gateway_info: { network_id: string; enable_snat?: boolean; external_fixed_ips?: FixedIp[] } | null;
  project_id?: string;
}

export interface RouterInterface {
  id: string;
  subnet_id: string;
  subnet_ids?: string[];
  port_id: string;
  network_id?: string;
  project_id?: string;
}

export interface Port {
  id: string;
  name: string;
  network_id: string;
  device_id: string;
  device_owner: string;
  mac_address: string;
  fixed_ips: FixedIp[];
  status: string;
  admin_state_up: boolean;
  security_groups?: string[];
  project_id?: string;
}

export interface FloatingIp {
  id: string;
  floating_ip_address: string;
  floating_network_id: string;
  port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  status: 'ACTIVE' | 'DOWN' | 'ERROR';
  description?: string;
  project_id?: string;
}

export interface NetworkQuotaUsage {
  used: number;
  limit: number;
  reserved: number;
}

export type NetworkQuotas = Record<string, NetworkQuotaUsage>;

export interface CreateNetwork {
  name?: string;
  admin_state_up?: boolean;
  shared?: boolean;
  mtu?: number;
  description?: string;
  'router:external'?: boolean;
}

export interface CreateSubnet {
  network_id: string;
  cidr: string;
  ip_version: 4 | 6;
  name?: string;
  /** `null` for no gateway; omitted, the first address. */
  gateway_ip?: string | null;
  enable_dhcp?: boolean;
  dns_nameservers?: string[];
  allocation_pools?: { start: string; end: string }[];
}

export interface CreateRouter {
  name?: string;
  admin_state_up?: boolean;
  external_gateway_info?: { network_id: string; enable_snat?: boolean };
}

export interface CreatePort {
  network_id: string;
  name?: string;
  fixed_ips?: FixedIp[];
  security_groups?: string[];
  admin_state_up?: boolean;
}

export interface CreateFloatingIp {
  floating_network_id: string;
  /** Associate at once; otherwise `associateFloatingIp` later. */
  port_id?: string;
  fixed_ip_address?: string;
  floating_ip_address?: string;
  description?: string;
}

/** Neutron filters are any attribute: `?device_id=…&network_id=…`. */
export type NeutronQuery = Query;

/** CRUD of one Neutron collection (`/networks`, `{network:…}`, `{networks:[…]}`). */
class Collection<T extends { id: string }, C> {
  constructor(
    private readonly http: ServiceHttp,
    private readonly plural: string,
    private readonly singular: string,
  ) {}

  list(query: NeutronQuery = {}, opts?: ListOptions): AsyncGenerator<T, void, undefined> {
    return paginate<T>(this.http, `/${this.plural}`, query, { key: this.plural, markerOf: byId }, opts);
  }

  listPage(query: NeutronQuery & PageQuery = {}): Promise<Page<T>> {
    return fetchPage<T>(this.http, `/${this.plural}`, query, { key: this.plural, markerOf: byId });
  }

  async get(id: string): Promise<T> {
    return (await this.http.get<Record<string, T>>(`/${this.plural}${path`/${id}`}`)).data[this.singular] as T;
  }

  async create(body: C): Promise<T> {
    return (await this.http.post<Record<string, T>>(`/${this.plural}`, { [this.singular]: body })).data[this.singular] as T;
  }

  async update(id: string, body: Partial<C> | Record<string, unknown>): Promise<T> {
    const res = await this.http.put<Record<string, T>>(`/${this.plural}${path`/${id}`}`, { [this.singular]: body });
    return res.data[this.singular] as T;
  }

  async delete(id: string): Promise<void> {
    await this.http.delete(`/${this.plural}${path`/${id}`}`);
  }
}

export class Neutron {
  readonly networks: Collection<Network, CreateNetwork>;
  readonly subnets: Collection<Subnet, CreateSubnet>;
  readonly routers: Collection<Router, CreateRouter>;
  readonly ports: Collection<Port, CreatePort>;
  readonly floatingIps: Collection<FloatingIp, CreateFloatingIp>;

  constructor(readonly http: ServiceHttp) {
    this.networks = new Collection(http, 'networks', 'network');
    this.subnets = new Collection(http, 'subnets', 'subnet');
    this.routers = new Collection(http, 'routers', 'router');
    this.ports = new Collection(http, 'ports', 'port');
    this.floatingIps = new Collection(http, 'floatingips', 'floatingip');
  }

  /** Attaches a subnet (or a port) to a router; 200 with the interface's port. */
  async addRouterInterface(routerId: string, target: { subnet_id: string } | { port_id: string }): Promise<RouterInterface> {
    return (await this.http.put<RouterInterface>(path`/routers/${routerId}/add_router_interface`, target)).data;
  }

  async removeRouterInterface(routerId: string, target: { subnet_id: string } | { port_id: string }): Promise<RouterInterface> {
    return (await this.http.put<RouterInterface>(path`/routers/${routerId}/remove_router_interface`, target)).data;
  }

  /** The ports of a server (Nova's device), the targets of floating IPs. */
  serverPorts(serverId: string): AsyncGenerator<Port, void, undefined> {
    return this.ports.list({ device_id: serverId });
  }

  /**
   * Binds the floating IP to a port (the server's, from `serverPorts`). The port's subnet must reach the
   * floating network through a router, or Neutron answers 404 ExternalGatewayForFloatingIPNotFound.
   */
  associateFloatingIp(id: string, portId: string, fixedIpAddress?: string): Promise<FloatingIp> {
    return this.floatingIps.update(id, { port_id: portId, ...(fixedIpAddress && { fixed_ip_address: fixedIpAddress }) });
  }

  disassociateFloatingIp(id: string): Promise<FloatingIp> {
    return this.floatingIps.update(id, { port_id: null });
  }

  /** Limits with usage of the token's project, or of `projectId`. */
  async getQuotas(projectId?: string): Promise<NetworkQuotas> {
    const project = projectId ?? (await this.http.projectId());
    return (await this.http.get<{ quota: NetworkQuotas }>(path`/quotas/${project}/details.json`)).data.quota;
  }
}
