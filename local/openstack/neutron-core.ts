/**
 * Neutron's building blocks, shared with Nova (instance ports) and Octavia (VIP ports): the fault shape,
 * quotas, IP allocation from subnets, and port creation/removal with their side effects on floating IPs.
 */
import { OsHttpError } from './http.js';
import { quotaOf, type Wire } from './model.js';
import type { Sim } from './sim.js';
import { cidrHas, formatIp, parseCidr, parseIp, type Cidr } from './util.js';

export const neutronError = (status: number, type: string, message: string): OsHttpError =>
  new OsHttpError({ status, body: { NeutronError: { type, message, detail: '' } } });

export const badRequest = (message: string): OsHttpError => neutronError(400, 'HTTPBadRequest', message);

export const notFound = (kind: string, id: string): OsHttpError => {
  const label = {
    Network: 'Network',
    Subnet: 'Subnet',
    Port: 'Port',
    Router: 'Router',
    FloatingIP: 'Floating IP',
    SecurityGroup: 'Security group',
  }[kind];
  return neutronError(404, `${kind}NotFound`, `${label ?? kind} ${id} could not be found.`);
};

export type FixedIp = { subnet_id: string; ip_address: string };

/** Resource name in quotas → state collection holding it. */
export const QUOTA_COLLECTIONS = {
  network: 'networks',
  subnet: 'subnets',
  port: 'ports',
  router: 'routers',
  floatingip: 'floatingips',
  security_group: 'securityGroups',
} as const;

export function neutronUsage(sim: Sim, projectId: string, resource: keyof typeof QUOTA_COLLECTIONS): number {
  return Object.values(sim.state[QUOTA_COLLECTIONS[resource]]).filter((r) => r.project_id === projectId).length;
}

export function checkNeutronQuota(sim: Sim, projectId: string, resource: keyof typeof QUOTA_COLLECTIONS): void {
  const limit = quotaOf(sim.state, projectId, 'network')[resource] ?? -1;
  if (limit >= 0 && neutronUsage(sim, projectId, resource) + 1 > limit)
    throw neutronError(409, 'OverQuota', `Quota exceeded for resources: ['${resource}'].`);
}

export const fixedIps = (port: Wire): FixedIp[] => port.fixed_ips as FixedIp[];

/** The addresses taken in a subnet (its gateway and every port's), as numbers. */
function usedIps(sim: Sim, subnetId: string): Set<bigint> {
  const used = new Set<bigint>();
  const add = (s: unknown) => {
    const ip = typeof s === 'string' ? parseIp(s) : undefined;
    if (ip) used.add(ip.value);
  };
  add(sim.state.subnets[subnetId]?.gateway_ip);
  for (const p of Object.values(sim.state.ports)) for (const f of fixedIps(p)) if (f.subnet_id === subnetId) add(f.ip_address);
  return used;
}

const isAutoAddressed = (subnet: Wire) =>
  subnet.ip_version === 6 && (subnet.ipv6_address_mode === 'slaac' || subnet.ipv6_address_mode === 'dhcpv6-stateless');

/** SLAAC's modified EUI-64 address of a MAC in a /64. */
function eui64(cidr: Cidr, mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const id = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!].reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
  return formatIp({ version: 6, value: cidr.network + id });
}

/**
 * Allocates an address (canonical text), honouring a requested one (Neutron's IpAddressAlreadyAllocated,
 * InvalidIpForSubnet); in order from the pools, where the real IPAM picks at random.
 */
export function allocateIp(sim: Sim, subnet: Wire, requested?: string, owningPortIsRouter = false): string {
  const used = usedIps(sim, subnet.id);
  const cidr = parseCidr(String(subnet.cidr));
  const exhausted = () =>
    neutronError(409, 'IpAddressGenerationFailure', `No more IP addresses available on network ${String(subnet.network_id)}.`);
  if (!cidr) throw exhausted();
  if (requested !== undefined) {
    const ip = parseIp(requested);
    if (!cidrHas(cidr, ip)) throw badRequest(`IP address ${requested} is not a valid IP for the specified subnet.`);
    const text = formatIp(ip!);
    const isGateway = text === subnet.gateway_ip && owningPortIsRouter;
    if (used.has(ip!.value) && !isGateway)
      throw neutronError(409, 'IpAddressAlreadyAllocated', `IP address ${text} already allocated in subnet ${subnet.id}`);
    return text;
  }
  for (const pool of subnet.allocation_pools as Array<{ start: string; end: string }>) {
    const start = parseIp(pool.start);
    const end = parseIp(pool.end);
    if (!start || !end) continue;
    // Ends after at most |used| + 1 steps, whatever the pool's size (an IPv6 /64).
    for (let n = start.value; n <= end.value; n++) if (!used.has(n)) return formatIp({ version: start.version, value: n });
  }
  throw exhausted();
}

export function defaultSecurityGroup(sim: Sim, projectId: string): Wire {
  const existing = Object.values(sim.state.securityGroups).find((g) => g.project_id === projectId && g.name === 'default');
  return existing ?? newSecurityGroup(sim, projectId, 'default', 'Default security group', true);
}

/** A security group with Neutron's implicit egress rules (and, for `default`, ingress from itself). */
export function newSecurityGroup(sim: Sim, projectId: string, name: string, description: string, ingressFromSelf = false): Wire {
  const id = sim.ids.uuid();
  const now = sim.iso();
  const rule = (direction: string, ethertype: string, remote: string | null) => ({
    id: sim.ids.uuid(),
    security_group_id: id,
    direction,
    ethertype,
    protocol: null,
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: null,
    remote_group_id: remote,
    description: null,
    tenant_id: projectId,
    project_id: projectId,
    created_at: now,
    updated_at: now,
    revision_number: 0,
  });
  const rules = [rule('egress', 'IPv4', null), rule('egress', 'IPv6', null)];
  if (ingressFromSelf) rules.push(rule('ingress', 'IPv4', id), rule('ingress', 'IPv6', id));
  const sg: Wire = {
    id,
    name,
    description,
    tenant_id: projectId,
    project_id: projectId,
    stateful: true,
    shared: false,
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: 1,
    security_group_rules: rules,
  };
  sim.state.securityGroups[id] = sg;
  return sg;
}

export interface PortSpec {
  projectId: string;
  networkId: string;
  name?: string;
  fixedIps?: Array<{ subnet_id?: string; ip_address?: string }>;
  deviceId?: string;
  deviceOwner?: string;
  securityGroups?: string[];
  status?: string;
  adminStateUp?: boolean;
  description?: string;
}

/** Creates a port the way Neutron does for the API and for Nova/Octavia/L3 internal callers. */
export function createPort(sim: Sim, spec: PortSpec): Wire {
  const net = sim.state.networks[spec.networkId];
  if (!net) throw notFound('Network', spec.networkId);
  const subnets = (net.subnets as string[]).map((id) => sim.state.subnets[id]!).filter(Boolean);
  const isRouter = (spec.deviceOwner ?? '').startsWith('network:router');
  // Drawn first, in the order they always were: the ids that follow stay the same under a seed.
  const portId = sim.ids.uuid();
  const mac = sim.ids.mac();
  const ips: FixedIp[] = [];
  if (spec.fixedIps) {
    for (const f of spec.fixedIps) {
      let subnet = f.subnet_id ? sim.state.subnets[f.subnet_id] : undefined;
      if (f.subnet_id && !subnet) throw notFound('Subnet', f.subnet_id);
      if (!subnet && f.ip_address) subnet = subnets.find((s) => cidrHas(parseCidr(String(s.cidr))!, parseIp(f.ip_address!)));
      if (!subnet || subnet.network_id !== net.id)
        throw badRequest(
          `Invalid input for operation: Failed to create port on network ${net.id}, because fixed_ips included invalid subnet ${f.subnet_id ?? ''}.`,
        );
      ips.push({ subnet_id: subnet.id, ip_address: allocateIp(sim, subnet, f.ip_address, isRouter) });
    }
  } else if (subnets.length > 0) {
    // One address from the first IPv4 subnet that has one and one from the first stateful IPv6 subnet; an
    // address in every SLAAC / DHCPv6-stateless subnet, derived from the MAC.
    let lastError: OsHttpError | undefined;
    for (const version of [4, 6]) {
      for (const s of subnets.filter((x) => x.ip_version === version && !isAutoAddressed(x))) {
        try {
          ips.push({ subnet_id: s.id, ip_address: allocateIp(sim, s) });
          break;
        } catch (e) {
          lastError = e as OsHttpError;
        }
      }
    }
    for (const s of subnets.filter(isAutoAddressed)) {
      const c = parseCidr(String(s.cidr));
      if (c && c.prefix === 64) ips.push({ subnet_id: s.id, ip_address: eui64(c, mac) });
    }
    if (ips.length === 0 && lastError) throw lastError;
  }
  const owner = spec.deviceOwner ?? '';
  const withSg = net.port_security_enabled === true && !owner.startsWith('network:');
  const now = sim.iso();
  const port: Wire = {
    id: portId,
    name: spec.name ?? '',
    network_id: net.id,
    tenant_id: spec.projectId,
    project_id: spec.projectId,
    mac_address: mac,
    admin_state_up: spec.adminStateUp ?? true,
    status: spec.status ?? 'DOWN',
    device_id: spec.deviceId ?? '',
    device_owner: owner,
    fixed_ips: ips,
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    security_groups: withSg ? (spec.securityGroups ?? [defaultSecurityGroup(sim, spec.projectId).id]) : [],
    description: spec.description ?? '',
    'binding:vnic_type': 'normal',
    'binding:host_id': '',
    port_security_enabled: net.port_security_enabled === true,
    dns_name: '',
    qos_policy_id: null,
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: 1,
  };
  sim.state.ports[port.id] = port;
  return port;
}

/** Drops a port and, like Neutron, disassociates the floating IPs that pointed at it. */
export function removePort(sim: Sim, portId: string): void {
  delete sim.state.ports[portId];
  for (const fip of Object.values(sim.state.floatingips)) {
    if (fip.port_id === portId) {
      Object.assign(fip, { port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN', port_details: null });
      touch(sim, fip);
    }
  }
}

export function touch(sim: Sim, r: Wire): void {
  r.updated_at = sim.iso();
  r.revision_number = Number(r.revision_number ?? 0) + 1;
}

/** A server's port becomes ACTIVE once the instance runs; floating IPs on it follow. */
export function setPortsStatus(sim: Sim, deviceId: string, status: 'ACTIVE' | 'DOWN'): void {
  for (const p of Object.values(sim.state.ports)) {
    if (p.device_id === deviceId && p.status !== status) {
      p.status = status;
      touch(sim, p);
    }
  }
}
