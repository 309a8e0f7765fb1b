/** Neutron subnets: CIDR validation (as Neutron words it), overlap checks, gateway and allocation pools. */
import type { Wire } from './model.js';
import { requireString } from './neutron-api.js';
import { badRequest, neutronError, touch } from './neutron-core.js';
import type { Sim } from './sim.js';
import { cidrContains, cidrsOverlap, intToIpv4, ipv4ToInt, isIpv4, isObject, parseCidr4 } from './util.js';

export function newSubnet(sim: Sim, projectId: string, inner: Record<string, unknown>): Wire {
  const networkId = requireString(inner, 'network_id');
  const net = sim.state.networks[networkId];
  if (!net) throw neutronError(404, 'NetworkNotFound', `Network ${networkId} could not be found.`);
  const ipVersion = inner.ip_version;
  if (ipVersion === undefined) throw badRequest(`Failed to parse request. Required attribute 'ip_version' not specified`);
  if (ipVersion !== 4 && ipVersion !== 6)
    throw badRequest(`Invalid input for ip_version. Reason: ${JSON.stringify(ipVersion)} is not in [4, 6].`);
  const cidr = inner.cidr;
  if (typeof cidr !== 'string') throw badRequest('Bad subnets request: a subnetpool must be specified in the absence of a cidr.');
  let gateway: string | null = null;
  let pools: Array<{ start: string; end: string }> = [];
  if (ipVersion === 4) {
    const c = parseCidr4(cidr);
    if (!c) {
      const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
      const fixed =
        m && isIpv4(m[1]!) && Number(m[2]) <= 32
          ? `${intToIpv4(Math.floor(ipv4ToInt(m[1]!) / 2 ** (32 - Number(m[2]))) * 2 ** (32 - Number(m[2])))}/${m[2]}`
          : '';
      throw badRequest(
        fixed
          ? `Invalid input for cidr. Reason: '${cidr}' isn't a recommended CIDR, '${fixed}' is recommended.`
          : `Invalid input for cidr. Reason: '${cidr}' is not a valid IP subnet.`,
      );
    }
    for (const id of net.subnets as string[]) {
      const other = parseCidr4(String(sim.state.subnets[id]?.cidr));
      if (other && cidrsOverlap(c, other))
        throw neutronError(
          400,
          'InvalidInput',
          `Invalid input for operation: Requested subnet with cidr: ${cidr} for network: ${net.id} overlaps with another subnet.`,
        );
    }
    const first = c.network + 1;
    const last = c.network + c.size - 2;
    if ('gateway_ip' in inner) {
      if (inner.gateway_ip !== null && (typeof inner.gateway_ip !== 'string' || !cidrContains(c, inner.gateway_ip)))
        throw badRequest(`Invalid input for operation: Gateway IP ${String(inner.gateway_ip)} is not in subnet ${cidr}.`);
      gateway = inner.gateway_ip as string | null;
    } else gateway = intToIpv4(first);
    if (Array.isArray(inner.allocation_pools)) {
      pools = inner.allocation_pools.map((p: unknown) => {
        if (
          !isObject(p) ||
          typeof p.start !== 'string' ||
          typeof p.end !== 'string' ||
          !cidrContains(c, p.start) ||
          !cidrContains(c, p.end)
        )
          throw badRequest(`The allocation pool ${JSON.stringify(p)} spans beyond the subnet cidr ${cidr}.`);
        if (gateway && ipv4ToInt(gateway) >= ipv4ToInt(p.start) && ipv4ToInt(gateway) <= ipv4ToInt(p.end))
          throw neutronError(
            409,
            'GatewayConflictWithAllocationPools',
            `Gateway ip ${gateway} conflicts with allocation pool ${p.start}-${p.end}`,
          );
        return { start: p.start, end: p.end };
      });
    } else if (last >= first) {
      const gw = gateway ? ipv4ToInt(gateway) : -1;
      pools = gw === first ? [{ start: intToIpv4(first + 1), end: intToIpv4(last) }] : [{ start: intToIpv4(first), end: intToIpv4(last) }];
      if (gw > first && gw <= last) {
        pools = [{ start: intToIpv4(first), end: intToIpv4(gw - 1) }];
        if (gw < last) pools.push({ start: intToIpv4(gw + 1), end: intToIpv4(last) });
      }
    }
  } else if (!/^[0-9a-fA-F:]+\/\d{1,3}$/.test(cidr)) {
    throw badRequest(`Invalid input for cidr. Reason: '${cidr}' is not a valid IP subnet.`);
  }
  const dns = inner.dns_nameservers ?? [];
  if (!Array.isArray(dns) || dns.some((d) => typeof d !== 'string' || !isIpv4(d)))
    throw badRequest(`Invalid input for dns_nameservers. Reason: '${JSON.stringify(dns)}' is not a valid nameserver.`);
  const now = sim.iso();
  const subnet: Wire = {
    id: sim.ids.uuid(),
    name: typeof inner.name === 'string' ? inner.name : '',
    network_id: net.id,
    tenant_id: projectId,
    project_id: projectId,
    ip_version: ipVersion,
    cidr,
    gateway_ip: gateway,
    allocation_pools: pools,
    dns_nameservers: dns,
    host_routes: [],
    enable_dhcp: inner.enable_dhcp !== false,
    ipv6_ra_mode: null,
    ipv6_address_mode: null,
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
