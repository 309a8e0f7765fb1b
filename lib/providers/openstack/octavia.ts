/**
 * Octavia (load-balancer API v2): load balancers, listeners, pools, members, health monitors. Paths are
 * relative to `…/v2`. Every child create/update/delete puts the load balancer in PENDING_UPDATE: wait for
 * ACTIVE between steps, or the next call answers 409.
 */
import { path, type Query, type ServiceHttp } from './http.js';
import { byId, fetchPage, paginate, type ListOptions, type Page, type PageQuery } from './pagination.js';

export type ProvisioningStatus = 'ACTIVE' | 'DELETED' | 'ERROR' | 'PENDING_CREATE' | 'PENDING_UPDATE' | 'PENDING_DELETE';
export type OperatingStatus = 'ONLINE' | 'DRAINING' | 'OFFLINE' | 'DEGRADED' | 'ERROR' | 'NO_MONITOR';

interface Lifecycle {
  id: string;
  name: string;
  provisioning_status: ProvisioningStatus;
  operating_status: OperatingStatus;
  admin_state_up: boolean;
  project_id?: string;
  description?: string;
  tags?: string[];
}

type Ref = { id: string };

export interface LoadBalancer extends Lifecycle {
  vip_address: string;
  vip_port_id: string;
  vip_subnet_id: string;
  vip_network_id: string;
  listeners: Ref[];
  pools: Ref[];
  provider?: string;
  flavor_id?: string | null;
}

export type ListenerProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'UDP' | 'TERMINATED_HTTPS' | 'SCTP' | 'PROMETHEUS';
export type PoolProtocol = 'HTTP' | 'HTTPS' | 'PROXY' | 'PROXYV2' | 'TCP' | 'UDP' | 'SCTP';

export interface Listener extends Lifecycle {
  protocol: ListenerProtocol;
  protocol_port: number;
  loadbalancers: Ref[];
  default_pool_id: string | null;
  connection_limit?: number;
}

export interface Pool extends Lifecycle {
  protocol: PoolProtocol;
  lb_algorithm: 'ROUND_ROBIN' | 'LEAST_CONNECTIONS' | 'SOURCE_IP' | 'SOURCE_IP_PORT';
  loadbalancers: Ref[];
  listeners: Ref[];
  members: Ref[];
  healthmonitor_id: string | null;
}

export interface Member extends Lifecycle {
  address: string;
  protocol_port: number;
  subnet_id?: string | null;
  weight: number;
  backup?: boolean;
  monitor_address?: string | null;
  monitor_port?: number | null;
}

export interface HealthMonitor extends Lifecycle {
  type: 'HTTP' | 'HTTPS' | 'PING' | 'TCP' | 'TLS-HELLO' | 'UDP-CONNECT' | 'SCTP';
  delay: number;
  timeout: number;
  max_retries: number;
  max_retries_down?: number;
  pools: Ref[];
  http_method?: string;
  url_path?: string;
  expected_codes?: string;
}

type Common = { name?: string; description?: string; admin_state_up?: boolean; tags?: string[] };
export type CreateLoadBalancer = Common & {
  vip_subnet_id?: string;
  vip_network_id?: string;
  vip_port_id?: string;
  vip_address?: string;
  provider?: string;
  flavor_id?: string;
};
export type CreateListener = Common & {
  loadbalancer_id: string;
  protocol: ListenerProtocol;
  protocol_port: number;
  default_pool_id?: string;
  connection_limit?: number;
};
/** A pool hangs off a listener (`listener_id`) or directly off the load balancer (`loadbalancer_id`). */
export type CreatePool = Common & {
  protocol: PoolProtocol;
  lb_algorithm: Pool['lb_algorithm'];
  listener_id?: string;
  loadbalancer_id?: string;
};
export type CreateMember = Common & { address: string; protocol_port: number; subnet_id?: string; weight?: number; backup?: boolean };
export type CreateHealthMonitor = Common & {
  pool_id: string;
  type: HealthMonitor['type'];
  delay: number;
  timeout: number;
  max_retries: number;
  max_retries_down?: number;
  http_method?: string;
  url_path?: string;
  expected_codes?: string;
};

/** CRUD of one Octavia collection under `/lbaas`. */
class Collection<T extends { id: string }, C> {
  constructor(
    private readonly http: ServiceHttp,
    /** `/lbaas/pools/{pool_id}/members` for members. */
    private readonly base: string,
    private readonly plural: string,
    private readonly singular: string,
  ) {}

  list(query: Query = {}, opts?: ListOptions): AsyncGenerator<T, void, undefined> {
    return paginate<T>(this.http, this.base, query, { key: this.plural, markerOf: byId }, opts);
  }

  listPage(query: Query & PageQuery = {}): Promise<Page<T>> {
    return fetchPage<T>(this.http, this.base, query, { key: this.plural, markerOf: byId });
  }

  async get(id: string): Promise<T> {
    return (await this.http.get<Record<string, T>>(this.base + path`/${id}`)).data[this.singular] as T;
  }

  async create(body: C): Promise<T> {
    return (await this.http.post<Record<string, T>>(this.base, { [this.singular]: body })).data[this.singular] as T;
  }

  async update(id: string, body: Partial<C>): Promise<T> {
    return (await this.http.put<Record<string, T>>(this.base + path`/${id}`, { [this.singular]: body })).data[this.singular] as T;
  }

  async delete(id: string, query?: Query): Promise<void> {
    await this.http.delete(this.base + path`/${id}`, query);
  }
}

export class Octavia {
  readonly loadBalancers: Collection<LoadBalancer, CreateLoadBalancer>;
  readonly listeners: Collection<Listener, CreateListener>;
  readonly pools: Collection<Pool, CreatePool>;
  readonly healthMonitors: Collection<HealthMonitor, CreateHealthMonitor>;

  constructor(readonly http: ServiceHttp) {
    this.loadBalancers = new Collection(http, '/lbaas/loadbalancers', 'loadbalancers', 'loadbalancer');
    this.listeners = new Collection(http, '/lbaas/listeners', 'listeners', 'listener');
    this.pools = new Collection(http, '/lbaas/pools', 'pools', 'pool');
    this.healthMonitors = new Collection(http, '/lbaas/healthmonitors', 'healthmonitors', 'healthmonitor');
  }

  /** The members of a pool (a sub-collection). */
  members(poolId: string): Collection<Member, CreateMember> {
    return new Collection(this.http, path`/lbaas/pools/${poolId}/members`, 'members', 'member');
  }

  /** Deletes the load balancer with its listeners, pools, members and monitors: PENDING_DELETE → 404. */
  deleteLoadBalancerCascade(id: string): Promise<void> {
    return this.loadBalancers.delete(id, { cascade: true });
  }
}
