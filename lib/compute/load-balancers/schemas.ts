import * as z from '../../http/zod.js';
import { cloudListQuery, cloudName, departmentDn, RecordFields } from '../schemas.js';

export const LISTENER_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'UDP'] as const;
export const ALGORITHMS = ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP'] as const;
export const MONITOR_TYPES = ['HTTP', 'HTTPS', 'TCP', 'PING', 'UDP-CONNECT'] as const;
export type ListenerProtocol = (typeof LISTENER_PROTOCOLS)[number];
export type MonitorType = (typeof MONITOR_TYPES)[number];

/** Octavia refuses two listeners on one port of the same transport (HTTP, HTTPS and TCP all ride on TCP). */
export const L4: Record<ListenerProtocol, 'TCP' | 'UDP'> = { HTTP: 'TCP', HTTPS: 'TCP', TCP: 'TCP', UDP: 'UDP' };

/** The monitor types Octavia accepts on a pool of each protocol (UDP-CONNECT only on UDP pools). */
export const MONITORS_FOR: Record<ListenerProtocol, readonly MonitorType[]> = {
  HTTP: ['HTTP', 'HTTPS', 'TCP', 'PING'],
  HTTPS: ['HTTP', 'HTTPS', 'TCP', 'PING'],
  TCP: ['HTTP', 'HTTPS', 'TCP', 'PING'],
  UDP: ['UDP-CONNECT', 'TCP', 'HTTP'],
};

const port = () => z.integer().check(z.gte(1), z.lte(65535));
const ref = () => z.string().check(z.minLength(1), z.maxLength(255));

export const ListenerSpec = z.object({ protocol: z.enum(LISTENER_PROTOCOLS), port: port() });

export const MemberSpec = z.object({
  /** One of our instances: its fixed address on the load balancer's subnet. */
  instance_id: z.optional(z.uuid('not an instance id')),
  /** Or an address (IPv4 or IPv6) the VIP subnet can reach. */
  address: z.optional(z.union([z.ipv4(), z.ipv6()])),
  port: port(),
});

export const HealthMonitorSpec = z.object({
  type: z.enum(MONITOR_TYPES),
  /** Seconds between probes. */
  delay: z.integer().check(z.gte(1), z.lte(86400)),
  /** Seconds a probe may take; at most `delay`. */
  timeout: z.integer().check(z.gte(1), z.lte(86400)),
  /** Successful probes before a member is ONLINE (1-10). */
  max_retries: z.integer().check(z.gte(1), z.lte(10)),
  /** HTTP(S) monitors: the path probed (default `/`). */
  url_path: z.optional(z.string().check(z.maxLength(2048), z.regex(/^\/[^\s]*$/, { message: 'expected a path starting with /' }))),
  /** HTTP(S) monitors: `200`, `200,202` or `200-204` (default `200`). */
  expected_codes: z.optional(
    z.string().check(z.regex(/^(\d{3}(\s*,\s*\d{3})*|\d{3}-\d{3})$/, { message: 'expected 200, 200,202 or 200-204' })),
  ),
});

type Issues = { code: 'custom'; path: (string | number)[]; message: string; input: unknown }[];

/** The rules across fields Octavia would refuse later, named at the field that breaks them. */
function crossChecks(b: CreateLoadBalancerShape, issues: Issues) {
  const issue = (path: (string | number)[], message: string) => issues.push({ code: 'custom', path, message, input: undefined });
  if ((b.network_id === undefined) === (b.subnet_id === undefined)) {
    const message = 'give exactly one of network_id and subnet_id';
    issue(['network_id'], message);
    issue(['subnet_id'], message);
  }
  const seen = new Map<string, number>();
  b.listeners.forEach((l, i) => {
    const key = `${L4[l.protocol]}:${l.port}`;
    if (seen.has(key)) issue(['listeners', i, 'port'], `listeners ${seen.get(key)} and ${i} both use ${L4[l.protocol]} port ${l.port}`);
    else seen.set(key, i);
  });
  const members = new Map<string, number>();
  b.members.forEach((m, i) => {
    if ((m.instance_id === undefined) === (m.address === undefined))
      issue(['members', i, 'instance_id'], 'give exactly one of instance_id and address');
    const key = `${m.instance_id ?? m.address}:${m.port}`;
    if (members.has(key)) issue(['members', i], `the same member as members.${members.get(key)}`);
    else members.set(key, i);
  });
  const hm = b.health_monitor;
  if (hm) {
    const http = hm.type === 'HTTP' || hm.type === 'HTTPS';
    if (!http && hm.url_path !== undefined) issue(['health_monitor', 'url_path'], `url_path applies to HTTP and HTTPS monitors only`);
    if (!http && hm.expected_codes !== undefined)
      issue(['health_monitor', 'expected_codes'], `expected_codes applies to HTTP and HTTPS monitors only`);
    if (hm.timeout > hm.delay) issue(['health_monitor', 'timeout'], 'timeout must not exceed delay');
    const refusing = [...new Set(b.listeners.map((l) => l.protocol))].filter((p) => !MONITORS_FOR[p].includes(hm.type));
    if (refusing.length)
      issue(
        ['health_monitor', 'type'],
        `${hm.type} monitors cannot watch ${refusing.join('/')} pools (${refusing.map((p) => `${p}: ${MONITORS_FOR[p].join(', ')}`).join('; ')})`,
      );
  }
}

const CreateShape = z.object({
  name: cloudName(),
  description: z.optional(z.string().check(z.maxLength(255))),
  /** The VIP's network: one of ours (id), or an OpenStack network name or id. Its IPv4 subnet is used. */
  network_id: z.optional(ref()),
  /** Or the VIP's subnet: an OpenStack subnet name or id. */
  subnet_id: z.optional(ref()),
  /** One pool per listener, of the listener's protocol, holding every member. */
  listeners: z.array(ListenerSpec).check(z.minLength(1), z.maxLength(20)),
  members: z._default(z.array(MemberSpec).check(z.maxLength(100)), []),
  algorithm: z._default(z.enum(ALGORITHMS), 'ROUND_ROBIN'),
  /** One monitor per pool, with these settings. */
  health_monitor: z.optional(HealthMonitorSpec),
  department_dn: departmentDn(),
});
type CreateLoadBalancerShape = z.infer<typeof CreateShape>;

export const CreateLoadBalancerBody = CreateShape.check(z.superRefine((b, ctx) => crossChecks(b, ctx.issues as Issues)));
export type CreateLoadBalancerBody = z.infer<typeof CreateLoadBalancerBody>;

const Lifecycle = { id: z.string(), provisioning_status: z.string(), operating_status: z.string() };

export const HealthMonitorView = z.object({
  ...Lifecycle,
  type: z.string(),
  delay: z.integer(),
  timeout: z.integer(),
  max_retries: z.integer(),
  url_path: z.optional(z.nullable(z.string())),
  expected_codes: z.optional(z.nullable(z.string())),
});

export const MemberView = z.object({
  ...Lifecycle,
  address: z.string(),
  port: z.integer(),
  /** Our instance, when the member was given by instance. */
  instance_id: z.optional(z.string()),
});

export const PoolView = z.object({
  ...Lifecycle,
  protocol: z.string(),
  algorithm: z.string(),
  members: z.array(MemberView),
  health_monitor: z.nullable(HealthMonitorView),
});

export const ListenerView = z.object({
  protocol: z.string(),
  port: z.integer(),
  /** The live listener (GET of one load balancer); absent in lists and before it exists. */
  id: z.optional(z.string()),
  provisioning_status: z.optional(z.string()),
  operating_status: z.optional(z.string()),
  pool: z.optional(z.nullable(PoolView)),
});

export const LoadBalancerView = z.object({
  ...RecordFields,
  description: z.string(),
  /** Our lifecycle: creating (listeners, pools, members still being added), active, deleting, error, missing. */
  state: z.string(),
  /** Octavia's: PENDING_CREATE, ACTIVE, PENDING_UPDATE, PENDING_DELETE, ERROR, DELETED. */
  provisioning_status: z.string(),
  /** Octavia's: ONLINE, OFFLINE, DEGRADED, ERROR, NO_MONITOR, DRAINING (UNKNOWN before it exists). */
  operating_status: z.string(),
  openstack_id: z.nullable(z.string()),
  vip_address: z.nullable(z.string()),
  vip_port_id: z.nullable(z.string()),
  subnet: z.object({ id: z.string(), name: z.nullable(z.string()) }),
  network: z.object({ id: z.string(), name: z.nullable(z.string()) }),
  algorithm: z.string(),
  listeners: z.array(ListenerView),
  members: z.array(z.object({ address: z.string(), port: z.integer(), instance_id: z.optional(z.string()) })),
  health_monitor: z.nullable(
    z.object({
      type: z.string(),
      delay: z.integer(),
      timeout: z.integer(),
      max_retries: z.integer(),
      url_path: z.optional(z.string()),
      expected_codes: z.optional(z.string()),
    }),
  ),
});
export type LoadBalancerView = z.infer<typeof LoadBalancerView>;

export const LOAD_BALANCER_FILTERS = [
  'id',
  'name',
  'state',
  'provisioning_status',
  'operating_status',
  'openstack_id',
  'vip_address',
  'algorithm',
  'owner',
  'department',
] as const;
export const LoadBalancerListQuery = cloudListQuery(LOAD_BALANCER_FILTERS);
