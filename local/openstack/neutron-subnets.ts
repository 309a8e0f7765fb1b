/**
 * Neutron subnets, IPv4 and IPv6: validation in Neutron's order and words (API validators, then the plugin's
 * checks), canonical cidr and gateway, overlap checks, default gateway and allocation pools.
 * Checked against Neutron Zed (test/openstack): host bits are cleared (`10.0.0.5/24` → `10.0.0.0/24`), a
 * gateway may lie outside the subnet, IPv6's default gateway is the subnet-router anycast address (the network
 * address), DNS servers are kept as written.
 */
import type { Wire } from './model.js';
import { requireString } from './neutron-api.js';
import { badRequest, neutronError, touch } from './neutron-core.js';
import type { Sim } from './sim.js';
import { cidrHas, cidrsIntersect, formatIp, isObject, parseCidr, parseIp, type Cidr, type Ip } from './util.js';

const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'];
const MAX_DNS_NAMESERVERS = 5;

const invalidInput = (message: string) => neutronError(400, 'InvalidInput', `Invalid input for operation: ${message}`);
const text = (c: Cidr, value: bigint) => formatIp({ version: c.version, value });

/** The API layer's attribute validators (HTTPBadRequest "Invalid input for <attr>. Reason: …"). */
function validateAttributes(inner: Record<string, unknown>): void {
  const gw = inner.gateway_ip;
  if (gw !== undefined && gw !== null && (typeof gw !== 'string' || !parseIp(gw)))
    throw badRequest(`Invalid input for gateway_ip. Reason: '${String(gw)}' is not a valid IP address.`);
  const dns = inner.dns_nameservers;
  if (dns !== undefined && dns !== null) {
    if (!Array.isArray(dns)) throw badRequest(`Invalid input for dns_nameservers. Reason: '${JSON.stringify(dns)}' is not a list.`);
    const seen = new Set<string>();
    for (const d of dns) {
      if (typeof d !== 'string' || !parseIp(d))
        throw badRequest(
          `Invalid input for dns_nameservers. Reason: '${String(d)}' is not a valid nameserver. '${String(d)}' is not a valid IP address.`,
        );
      if (seen.has(d)) throw badRequest(`Invalid input for dns_nameservers. Reason: Duplicate nameserver '${d}'.`);
      seen.add(d);
    }
  }
  for (const mode of ['ipv6_address_mode', 'ipv6_ra_mode'])
    if (inner[mode] !== undefined && inner[mode] !== null && !IPV6_MODES.includes(String(inner[mode])))
      throw badRequest(`Invalid input for ${mode}. Reason: ${String(inner[mode])} is not in valid_values.`);
}

/** Pools minus one address (the gateway), as Neutron splits the default pool around it. */
function poolsWithout(start: bigint, end: bigint, hole: bigint | undefined): Array<[bigint, bigint]> {
  if (end < start) return [];
  if (hole === undefined || hole < start || hole > end) return [[start, end]];
  const out: Array<[bigint, bigint]> = [];
  if (hole > start) out.push([start, hole - 1n]);
  if (hole < end) out.push([hole + 1n, end]);
  return out;
}

export function newSubnet(sim: Sim, projectId: string, inner: Record<string, unknown>): Wire {
  const networkId = requireString(inner, 'network_id');
  const net = sim.state.networks[networkId];
  if (!net) throw neutronError(404, 'NetworkNotFound', `Network ${networkId} could not be found.`);
  const ipVersion = inner.ip_version;
  if (ipVersion === undefined) throw badRequest(`Failed to parse request. Required attribute 'ip_version' not specified`);
  if (ipVersion !== 4 && ipVersion !== 6)
    throw badRequest(`Invalid input for ip_version. Reason: ${JSON.stringify(ipVersion)} is not in [4, 6].`);
  const rawCidr = inner.cidr;
  if (typeof rawCidr !== 'string') throw badRequest('Bad subnets request: a subnetpool must be specified in the absence of a cidr.');
  validateAttributes(inner);

  // The plugin's checks.
  const c = parseCidr(rawCidr);
  if (!c) throw invalidInput(`${rawCidr} is not in a CIDR format.`);
  if (c.version !== ipVersion) throw invalidInput(`cidr '${rawCidr}' does not match the ip_version '${ipVersion}'.`);
  const dhcp = inner.enable_dhcp !== false;
  if (dhcp) {
    if ((c.version === 4 && c.prefix > 30) || (c.version === 6 && c.prefix > 126))
      throw invalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled.');
    const multicast = c.version === 4 ? parseCidr('224.0.0.0/4')! : parseCidr('ff00::/8')!;
    if (cidrHas(multicast, { version: c.version, value: c.network }))
      throw invalidInput('Multicast IP subnet is not supported if enable_dhcp is True.');
    const loopback = c.version === 4 ? parseCidr('127.0.0.0/8')! : parseCidr('::1/128')!;
    if (cidrHas(loopback, { version: c.version, value: c.network }))
      throw invalidInput('Loopback IP subnet is not supported if enable_dhcp is True.');
  }
  const last = c.network + c.size - 1n;
  let gateway: Ip | null;
  if ('gateway_ip' in inner && inner.gateway_ip === null) gateway = null;
  else if (typeof inner.gateway_ip === 'string') {
    gateway = parseIp(inner.gateway_ip)!;
    if (gateway.version !== ipVersion) throw invalidInput(`gateway_ip '${inner.gateway_ip}' does not match the ip_version '${ipVersion}'.`);
    // IPv4's network and broadcast addresses cannot be the gateway; IPv6's network address (subnet-router
    // anycast) is its default. A gateway outside the subnet is allowed.
    if (c.version === 4 && c.prefix < 31 && (gateway.value === c.network || gateway.value === last))
      throw invalidInput('Gateway is not valid on subnet.');
  } else gateway = { version: c.version, value: c.version === 6 ? c.network : c.network + 1n };
  const dns = (Array.isArray(inner.dns_nameservers) ? inner.dns_nameservers : []) as string[];
  if (dns.length > MAX_DNS_NAMESERVERS)
    throw neutronError(
      400,
      'DNSNameServersExhausted',
      `Unable to complete operation for new subnet. The number of DNS nameservers exceeds the limit ${MAX_DNS_NAMESERVERS}.`,
    );
  for (const d of dns)
    if (parseIp(d)!.version !== ipVersion) throw invalidInput(`dns_nameserver '${d}' does not match the ip_version '${ipVersion}'.`);

  for (const id of net.subnets as string[]) {
    const other = parseCidr(String(sim.state.subnets[id]?.cidr));
    if (other && cidrsIntersect(c, other))
      throw invalidInput(`Requested subnet with cidr: ${c.text} for network: ${net.id} overlaps with another subnet.`);
  }

  // Usable range: IPv4 without its network and broadcast addresses (all of a /31 or /32); IPv6 without its
  // network address (the subnet-router anycast).
  const first = c.version === 4 ? (c.prefix >= 31 ? c.network : c.network + 1n) : c.network + 1n;
  const usableEnd = c.version === 4 && c.prefix < 31 ? last - 1n : last;
  const gwInside = gateway && cidrHas(c, gateway) ? gateway.value : undefined;
  if (c.version === 4 && c.prefix === 31 && gwInside === last && !('gateway_ip' in inner))
    throw neutronError(409, 'IpamValueInvalid', `Gateway IP ${text(c, last)} cannot be allocated in CIDR ${c.text}`);

  let pools: Array<[bigint, bigint]>;
  if (Array.isArray(inner.allocation_pools)) {
    pools = inner.allocation_pools.map((p: unknown) => {
      const start = isObject(p) && typeof p.start === 'string' ? parseIp(p.start) : undefined;
      const end = isObject(p) && typeof p.end === 'string' ? parseIp(p.end) : undefined;
      if (!start || !end)
        throw badRequest(`Invalid input for allocation_pools. Reason: Invalid data format for IP pool: '${JSON.stringify(p)}'.`);
      const range = `${formatIp(start)}-${formatIp(end)}`;
      if (!cidrHas(c, start) || !cidrHas(c, end) || end.value < start.value)
        throw neutronError(400, 'OutOfBoundsAllocationPool', `The allocation pool ${range} spans beyond the subnet cidr ${c.text}.`);
      if (gwInside !== undefined && gwInside >= start.value && gwInside <= end.value)
        throw neutronError(
          409,
          'GatewayConflictWithAllocationPools',
          `Gateway ip ${text(c, gwInside)} conflicts with allocation pool ${range}.`,
        );
      return [start.value, end.value] as [bigint, bigint];
    });
  } else pools = poolsWithout(first, usableEnd, gwInside);

  const now = sim.iso();
  const subnet: Wire = {
    id: sim.ids.uuid(),
    name: typeof inner.name === 'string' ? inner.name : '',
    network_id: net.id,
    tenant_id: projectId,
    project_id: projectId,
    ip_version: ipVersion,
    cidr: c.text,
    gateway_ip: gateway ? formatIp(gateway) : null,
    allocation_pools: pools.map(([s, e]) => ({ start: text(c, s), end: text(c, e) })),
    // Kept as written (Neutron does not normalize them).
    dns_nameservers: dns,
    host_routes: [],
    enable_dhcp: dhcp,
    ipv6_ra_mode: c.version === 6 ? ((inner.ipv6_ra_mode as string | undefined) ?? null) : null,
    ipv6_address_mode: c.version === 6 ? ((inner.ipv6_address_mode as string | undefined) ?? null) : null,
    subnetpool_id: null,
    service_types: [],
    segment_id: null,
    description: typeof inner.description === 'string' ? inner.description : '',
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: 0,
  };
  sim.state.subnets[subnet.id] = subnet;
  (net.subnets as string[]).push(subnet.id);
  touch(sim, net);
  return subnet;
}
