/**
 * Load balancers (OpenStack Octavia v2): the synchronous half. A create is resolved and checked here (the
 * VIP subnet exists, each member instance is readable and has an address on that subnet), so a bad request
 * is a 4xx at once; the plan (listeners → pools → members → monitors) is then built in the cloud one object
 * at a time by the state machine (steps.ts). Views read the live tree from Octavia.
 */
import { ValidationError, unless404 } from '../../core/errors.js';
import type { Actor } from '../../http/types.js';
import type { Platform } from '../../platform.js';
import type {
  HealthMonitor,
  Listener,
  LoadBalancer,
  Member,
  Network,
  OpenStackClient,
  Pool,
  Subnet,
} from '../../providers/openstack/index.js';
import { resolveNetwork, unknownField } from '../catalog.js';
import { findRecord, type CloudRecord } from '../records.js';
import type { CreateLoadBalancerBody, ListenerProtocol, LoadBalancerView } from './schemas.js';
import { liveObject, recordFields } from '../views.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A member as the workflow creates it: instances resolved to their address on the VIP subnet. */
export interface PlannedMember {
  address: string;
  port: number;
  instance_id?: string;
  /** Set for instance members (their port is on the VIP subnet); Octavia defaults others to the VIP subnet. */
  subnet_id?: string;
}

/** What the create workflow builds, kept on the record's spec. */
export interface LoadBalancerPlan {
  subnet_id: string;
  subnet_name: string | null;
  network_id: string;
  network_name: string | null;
  description: string;
  algorithm: CreateLoadBalancerBody['algorithm'];
  listeners: { protocol: ListenerProtocol; port: number }[];
  members: PlannedMember[];
  health_monitor?: NonNullable<CreateLoadBalancerBody['health_monitor']>;
  vip_address?: string;
  vip_port_id?: string;
}

export const planOf = (r: CloudRecord) => r.spec as unknown as LoadBalancerPlan;

/** The tag that names our record on the Octavia load balancer (adopting one whose create answer was lost). */
export const recordTag = (id: string) => `apibibind:${id}`;

/** The names of the children we make, so that people reading Octavia see what they belong to. */
export const childName = (lbName: string, l: { protocol: string; port: number }) => `${lbName}-${l.protocol.toLowerCase()}-${l.port}`;

/** A subnet by id or by name (400 naming the field when none or several match). */
async function resolveSubnet(os: OpenStackClient, ref: string, field: string): Promise<Subnet> {
  if (UUID.test(ref)) {
    const hit = await unless404(() => os.neutron.subnets.get(ref));
    if (hit) return hit;
  }
  const named: Subnet[] = [];
  for await (const s of os.neutron.subnets.list({ name: ref })) named.push(s);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw unknownField(field, 'ambiguous_subnet', `${named.length} subnets are named "${ref}": give the id`);
  throw unknownField(field, 'unknown_subnet', `No subnet named or with id "${ref}"`);
}

/** The VIP subnet of a network: its only IPv4 subnet (else its only subnet); several make the caller choose. */
async function subnetOfNetwork(os: OpenStackClient, net: Network, field: string): Promise<Subnet> {
  const subnets = (await Promise.all(net.subnets.map((id) => unless404(() => os.neutron.subnets.get(id))))).filter((s): s is Subnet => !!s);
  const v4 = subnets.filter((s) => s.ip_version === 4);
  const candidates = v4.length ? v4 : subnets;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw unknownField(field, 'network_without_subnet', `Network ${net.name || net.id} has no subnet`);
  throw unknownField(field, 'ambiguous_subnet', `Network ${net.name || net.id} has ${candidates.length} subnets: give subnet_id instead`);
}

/** Our network record (by id), or an OpenStack network; the caller must be able to read a record of ours. */
async function resolveVipNetwork(p: Platform, actor: Actor, os: OpenStackClient, ref: string): Promise<Network> {
  const field = 'body.network_id';
  const ours = UUID.test(ref) ? await findRecord(p.db, 'network', ref) : undefined;
  if (ours && ours.state !== 'deleted') {
    const { allowed } = await p.authorize(actor, { action: 'read', objectType: 'network', objectDn: ours.department, ownerDn: ours.owner });
    if (!allowed) throw unknownField(field, 'unknown_network', `No network ${ref} that you may read`);
    if (!ours.cloud_id || ours.state !== 'active')
      throw unknownField(field, 'network_not_ready', `Network ${ref} is ${ours.state}: it has no network in the cloud yet`);
    return resolveNetwork(os, ours.cloud_id, field);
  }
  return resolveNetwork(os, ref, field);
}

/** The fixed address of one of our instances on `subnet` (400 naming `body.members.<i>.instance_id` otherwise). */
async function instanceAddress(p: Platform, actor: Actor, os: OpenStackClient, id: string, subnet: Subnet, i: number): Promise<string> {
  const field = `body.members.${i}.instance_id`;
  const r = await findRecord(p.db, 'instance', id);
  const readable =
    r &&
    r.state !== 'deleted' &&
    (await p.authorize(actor, { action: 'read', objectType: 'instance', objectDn: r.department, ownerDn: r.owner })).allowed;
  if (!r || !readable) throw unknownField(field, 'unknown_instance', `No instance ${id} that you may read`);
  if (!r.cloud_id || r.state !== 'active')
    throw unknownField(field, 'instance_not_ready', `Instance ${id} is ${r.state}: it has no server to balance to`);
  for await (const port of os.neutron.serverPorts(r.cloud_id)) {
    const ip = port.fixed_ips.find((f) => f.subnet_id === subnet.id && f.ip_address);
    if (ip) return ip.ip_address!;
  }
  throw unknownField(field, 'no_address_on_subnet', `Instance ${id} has no address on subnet ${subnet.name || subnet.id} (${subnet.cidr})`);
}

/**
 * Everything a create needs, resolved: the VIP subnet (400 `body.network_id`/`body.subnet_id`), each member's
 * address (400 `body.members.<i>.instance_id`). Octavia's quotas are not read beforehand: the client has no
 * quota call and Octavia reports no usage; an over-quota create fails the task with QUOTA_EXCEEDED.
 */
export async function prepareCreate(p: Platform, actor: Actor, os: OpenStackClient, body: CreateLoadBalancerBody) {
  let subnet: Subnet;
  let network: Network;
  if (body.subnet_id !== undefined) {
    subnet = await resolveSubnet(os, body.subnet_id, 'body.subnet_id');
    network = await os.neutron.networks.get(subnet.network_id);
  } else {
    network = await resolveVipNetwork(p, actor, os, body.network_id!);
    subnet = await subnetOfNetwork(os, network, 'body.network_id');
  }
  const members: PlannedMember[] = await Promise.all(
    body.members.map(async (m, i) =>
      m.instance_id !== undefined
        ? {
            address: await instanceAddress(p, actor, os, m.instance_id, subnet, i),
            port: m.port,
            instance_id: m.instance_id,
            subnet_id: subnet.id,
          }
        : { address: m.address!, port: m.port },
    ),
  );
  // Two entries may name the same address (an instance and its IP): Octavia refuses a duplicate member.
  const seen = new Map<string, number>();
  const dup = members.flatMap((m, i) => {
    const key = `${m.address}:${m.port}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    return first === undefined
      ? []
      : [{ field: `body.members.${i}`, code: 'duplicate_member', message: `${key} is already members.${first}` }];
  });
  if (dup.length) throw new ValidationError(dup);
  const spec: LoadBalancerPlan = {
    subnet_id: subnet.id,
    subnet_name: subnet.name || null,
    network_id: network.id,
    network_name: network.name || null,
    description: body.description ?? '',
    algorithm: body.algorithm,
    listeners: body.listeners.map((l) => ({ protocol: l.protocol, port: l.port })),
    members,
    ...(body.health_monitor && { health_monitor: body.health_monitor }),
  };
  return { spec, request: { ...body } };
}

/** One listener as Octavia has it, with its pool, the pool's members and monitor. */
export interface LiveListener {
  listener: Listener;
  pool?: { pool: Pool; members: Member[]; monitor?: HealthMonitor };
}

export interface LiveTree {
  lb: LoadBalancer;
  /** Absent in lists (one call for every load balancer, no tree). */
  listeners?: LiveListener[];
}

/** The load balancer behind a record with its tree: null when the cloud answers 404, undefined when there is none yet. */
export async function liveTree(os: OpenStackClient, r: CloudRecord): Promise<LiveTree | null | undefined> {
  const lb = await liveObject(r, (id) => os.octavia.loadBalancers.get(id));
  if (!lb) return lb;
  const listeners = await Promise.all(
    lb.listeners.map(async ({ id }): Promise<LiveListener | undefined> => {
      const listener = await unless404(() => os.octavia.listeners.get(id));
      if (!listener) return undefined;
      const poolId = listener.default_pool_id;
      const pool = poolId ? await unless404(() => os.octavia.pools.get(poolId)) : undefined;
      if (!pool) return { listener };
      const [members, monitor] = await Promise.all([
        (async () => {
          const out: Member[] = [];
          for await (const m of os.octavia.members(pool.id).list()) out.push(m);
          return out;
        })(),
        pool.healthmonitor_id ? unless404(() => os.octavia.healthMonitors.get(pool.healthmonitor_id!)) : Promise.resolve(undefined),
      ]);
      return { listener, pool: { pool, members, ...(monitor && { monitor }) } };
    }),
  );
  return { lb, listeners: listeners.filter((l): l is LiveListener => !!l) };
}

/** Every load balancer of the project by id (one paged list): the live half of `GET /load-balancers`. */
export async function loadBalancersById(os: OpenStackClient): Promise<Map<string, LoadBalancer>> {
  const out = new Map<string, LoadBalancer>();
  for await (const lb of os.octavia.loadBalancers.list()) out.set(lb.id, lb);
  return out;
}

/** The live listener serving a planned one (same protocol and port). */
export const liveListenerFor = (tree: LiveTree, l: { protocol: string; port: number }) =>
  tree.listeners?.find((x) => x.listener.protocol === l.protocol && x.listener.protocol_port === l.port);

export function loadBalancerView(r: CloudRecord, live: LiveTree | null | undefined): LoadBalancerView {
  const plan = planOf(r);
  const lb = live?.lb;
  let provisioning: string;
  if (r.state === 'error') provisioning = 'ERROR';
  else if (r.state === 'deleted') provisioning = 'DELETED';
  else if (live === null) provisioning = r.cloud_id ? 'DELETED' : 'PENDING_CREATE';
  else provisioning = lb?.provisioning_status ?? (r.cloud_id ? 'UNKNOWN' : 'PENDING_CREATE');
  const instanceOf = (address: string, port: number) => plan.members.find((m) => m.address === address && m.port === port)?.instance_id;
  const hm = plan.health_monitor;
  return {
    id: r.id,
    name: lb?.name || r.name,
    description: lb?.description ?? plan.description ?? '',
    state: r.state,
    provisioning_status: provisioning,
    operating_status: lb?.operating_status ?? (r.state === 'error' ? 'ERROR' : r.cloud_id ? 'UNKNOWN' : 'OFFLINE'),
    openstack_id: r.cloud_id ?? null,
    vip_address: lb?.vip_address ?? plan.vip_address ?? null,
    vip_port_id: lb?.vip_port_id ?? plan.vip_port_id ?? null,
    subnet: { id: plan.subnet_id, name: plan.subnet_name },
    network: { id: plan.network_id, name: plan.network_name },
    algorithm: plan.algorithm,
    listeners: plan.listeners.map((l) => {
      const hit = live?.listeners ? liveListenerFor(live, l) : undefined;
      if (!hit) return { protocol: l.protocol, port: l.port, ...(live?.listeners && { pool: null }) };
      const pool = hit.pool;
      return {
        protocol: l.protocol,
        port: l.port,
        id: hit.listener.id,
        provisioning_status: hit.listener.provisioning_status,
        operating_status: hit.listener.operating_status,
        pool: pool
          ? {
              id: pool.pool.id,
              provisioning_status: pool.pool.provisioning_status,
              operating_status: pool.pool.operating_status,
              protocol: pool.pool.protocol,
              algorithm: pool.pool.lb_algorithm,
              members: pool.members.map((m) => {
                const instance = instanceOf(m.address, m.protocol_port);
                return {
                  id: m.id,
                  provisioning_status: m.provisioning_status,
                  operating_status: m.operating_status,
                  address: m.address,
                  port: m.protocol_port,
                  ...(instance && { instance_id: instance }),
                };
              }),
              health_monitor: pool.monitor
                ? {
                    id: pool.monitor.id,
                    provisioning_status: pool.monitor.provisioning_status,
                    operating_status: pool.monitor.operating_status,
                    type: pool.monitor.type,
                    delay: pool.monitor.delay,
                    timeout: pool.monitor.timeout,
                    max_retries: pool.monitor.max_retries,
                    url_path: pool.monitor.url_path ?? null,
                    expected_codes: pool.monitor.expected_codes ?? null,
                  }
                : null,
            }
          : null,
      };
    }),
    members: plan.members.map((m) => ({ address: m.address, port: m.port, ...(m.instance_id && { instance_id: m.instance_id }) })),
    health_monitor: hm
      ? {
          type: hm.type,
          delay: hm.delay,
          timeout: hm.timeout,
          max_retries: hm.max_retries,
          ...(hm.url_path !== undefined && { url_path: hm.url_path }),
          ...(hm.expected_codes !== undefined && { expected_codes: hm.expected_codes }),
        }
      : null,
    ...recordFields(r),
  };
}
