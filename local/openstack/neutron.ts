/** Neutron v2.0: networks, subnets, ports and quotas; routers, floating IPs and security groups in neutron-l3. */
import { reply, Router, type OsRequest } from './http.js';
import { DEFAULT_QUOTAS, quotaOf, type Wire } from './model.js';
import { envelope, findVisible, forbidCrossProject, inUse, isAdmin, list, projectOf, requireString, show } from './neutron-api.js';
import {
  badRequest,
  checkNeutronQuota,
  createPort,
  neutronError,
  neutronUsage,
  QUOTA_COLLECTIONS,
  removePort,
  touch,
  type FixedIp,
} from './neutron-core.js';
import { registerL3 } from './neutron-l3.js';
import { registerSecurityGroups } from './neutron-sg.js';
import { newSubnet } from './neutron-subnets.js';

export { newSubnet };
import type { Sim } from './sim.js';

const NETWORK_ATTRS = [
  'name',
  'admin_state_up',
  'shared',
  'router:external',
  'mtu',
  'port_security_enabled',
  'description',
  'tenant_id',
  'project_id',
  'tags',
];
const SUBNET_ATTRS = [
  'name',
  'network_id',
  'cidr',
  'ip_version',
  'gateway_ip',
  'allocation_pools',
  'dns_nameservers',
  'host_routes',
  'enable_dhcp',
  'description',
  'tenant_id',
  'project_id',
  'ipv6_ra_mode',
  'ipv6_address_mode',
];
const PORT_ATTRS = [
  'name',
  'network_id',
  'fixed_ips',
  'device_id',
  'device_owner',
  'admin_state_up',
  'security_groups',
  'description',
  'mac_address',
  'tenant_id',
  'project_id',
  'allowed_address_pairs',
  'port_security_enabled',
  'binding:host_id',
  'binding:vnic_type',
];

export function newNetwork(sim: Sim, projectId: string, inner: Record<string, unknown>): Wire {
  const now = sim.iso();
  const external = inner['router:external'] === true;
  const net: Wire = {
    id: sim.ids.uuid(),
    name: typeof inner.name === 'string' ? inner.name : '',
    tenant_id: projectId,
    project_id: projectId,
    admin_state_up: inner.admin_state_up !== false,
    mtu: typeof inner.mtu === 'number' ? inner.mtu : external ? 1500 : 1442,
    status: 'ACTIVE',
    subnets: [],
    shared: inner.shared === true,
    availability_zone_hints: [],
    availability_zones: ['nova'],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    'router:external': external,
    description: typeof inner.description === 'string' ? inner.description : '',
    port_security_enabled: inner.port_security_enabled !== false,
    is_default: false,
    qos_policy_id: null,
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: 1,
  };
  sim.state.networks[net.id] = net;
  return net;
}

function update(sim: Sim, r: Wire, inner: Record<string, unknown>, mutable: string[]): Wire {
  for (const [k, v] of Object.entries(inner)) {
    if (!mutable.includes(k)) throw badRequest(`Cannot update read-only attribute ${k}`);
    r[k] = v;
  }
  touch(sim, r);
  return r;
}

export function createNeutron(sim: Sim): Router {
  const st = () => sim.state;
  const project = (req: OsRequest) => projectOf(req.token!);
  const router = new Router()
    .on('GET', '/', (req) =>
      reply(200, { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${req.serviceUrl}/v2.0/`, rel: 'self' }] }] }),
    )
    .on('GET', '/v2.0', (req) =>
      reply(200, {
        resources: ['network', 'subnet', 'port', 'router', 'floatingip', 'security_group', 'quota'].map((name) => ({
          name,
          collection: `${name.replace('_', '-')}s`,
          links: [{ href: `${req.serviceUrl}/v2.0/${name.replace('_', '-')}s`, rel: 'self' }],
        })),
      }),
    )
    .on('GET', '/v2.0/extensions', () =>
      reply(200, {
        extensions: [
          'external-net',
          'router',
          'quotas',
          'quota_details',
          'security-group',
          'port-security',
          'binding',
          'pagination',
          'sorting',
          'standard-attr-timestamp',
          'fip-port-details',
        ].map((alias) => ({ alias, name: alias, description: '', links: [], updated: '2013-01-01T00:00:00-00:00' })),
      }),
    )
    .on('GET', '/v2.0/networks', (req) => list(sim, req, 'networks', 'Network', Object.values(st().networks)))
    .on('GET', '/v2.0/networks/:id', (req, { id }) => show(req, 'network', findVisible(sim, req.token!, st().networks, 'Network', id!)))
    .on('POST', '/v2.0/networks', (req) => {
      const inner = envelope(req, 'network', NETWORK_ATTRS);
      if (inner['router:external'] === true && !isAdmin(sim, req.token!))
        throw neutronError(
          403,
          'PolicyNotAuthorized',
          `(rule:create_network and rule:create_network:router:external) is disallowed by policy`,
        );
      checkNeutronQuota(sim, project(req), 'network');
      return reply(201, { network: newNetwork(sim, project(req), inner) });
    })
    .on('PUT', '/v2.0/networks/:id', (req, { id }) => {
      const net = findVisible(sim, req.token!, st().networks, 'Network', id!);
      forbidCrossProject(sim, req.token!, net, 'Network');
      const inner = envelope(req, 'network', NETWORK_ATTRS);
      return reply(200, {
        network: update(sim, net, inner, [
          'name',
          'admin_state_up',
          'shared',
          'mtu',
          'port_security_enabled',
          'description',
          'router:external',
        ]),
      });
    })
    .on('DELETE', '/v2.0/networks/:id', (req, { id }) => {
      const net = findVisible(sim, req.token!, st().networks, 'Network', id!);
      forbidCrossProject(sim, req.token!, net, 'Network');
      const used = Object.values(st().ports).filter((p) => p.network_id === net.id && p.device_owner !== 'network:dhcp');
      if (used.length)
        throw inUse(
          'NetworkInUse',
          `Unable to complete operation on network ${net.id}. There are one or more ports still in use on the network, id for these ports is: ${used.map((p) => p.id).join(',')}.`,
        );
      for (const s of net.subnets as string[]) delete st().subnets[s];
      delete st().networks[net.id];
      return reply(204);
    })
    .on('GET', '/v2.0/subnets', (req) => list(sim, req, 'subnets', 'Subnet', Object.values(st().subnets)))
    .on('GET', '/v2.0/subnets/:id', (req, { id }) => show(req, 'subnet', findVisible(sim, req.token!, st().subnets, 'Subnet', id!)))
    .on('POST', '/v2.0/subnets', (req) => {
      const inner = envelope(req, 'subnet', SUBNET_ATTRS);
      checkNeutronQuota(sim, project(req), 'subnet');
      const net = st().networks[String(inner.network_id)];
      if (net) forbidCrossProject(sim, req.token!, net, 'Network');
      return reply(201, { subnet: newSubnet(sim, project(req), inner) });
    })
    .on('PUT', '/v2.0/subnets/:id', (req, { id }) => {
      const s = findVisible(sim, req.token!, st().subnets, 'Subnet', id!);
      const inner = envelope(req, 'subnet', SUBNET_ATTRS);
      return reply(200, {
        subnet: update(sim, s, inner, [
          'name',
          'description',
          'dns_nameservers',
          'enable_dhcp',
          'host_routes',
          'gateway_ip',
          'allocation_pools',
        ]),
      });
    })
    .on('DELETE', '/v2.0/subnets/:id', (req, { id }) => {
      const s = findVisible(sim, req.token!, st().subnets, 'Subnet', id!);
      forbidCrossProject(sim, req.token!, s, 'Subnet');
      if (Object.values(st().ports).some((p) => (p.fixed_ips as FixedIp[]).some((f) => f.subnet_id === s.id)))
        throw inUse(
          'SubnetInUse',
          `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`,
        );
      const net = st().networks[String(s.network_id)];
      if (net) net.subnets = (net.subnets as string[]).filter((x) => x !== s.id);
      delete st().subnets[s.id];
      return reply(204);
    })
    .on('GET', '/v2.0/ports', (req) => list(sim, req, 'ports', 'Port', Object.values(st().ports)))
    .on('GET', '/v2.0/ports/:id', (req, { id }) => show(req, 'port', findVisible(sim, req.token!, st().ports, 'Port', id!)))
    .on('POST', '/v2.0/ports', (req) => {
      const inner = envelope(req, 'port', PORT_ATTRS);
      const networkId = requireString(inner, 'network_id');
      const net = st().networks[networkId];
      if (!net || (!net.shared && !isAdmin(sim, req.token!) && net.project_id !== project(req)))
        throw neutronError(404, 'NetworkNotFound', `Network ${networkId} could not be found.`);
      checkNeutronQuota(sim, project(req), 'port');
      const port = createPort(sim, {
        projectId: project(req),
        networkId,
        name: inner.name as string | undefined,
        fixedIps: Array.isArray(inner.fixed_ips) ? (inner.fixed_ips as Array<{ subnet_id?: string; ip_address?: string }>) : undefined,
        deviceId: inner.device_id as string | undefined,
        deviceOwner: inner.device_owner as string | undefined,
        securityGroups: inner.security_groups as string[] | undefined,
        adminStateUp: inner.admin_state_up as boolean | undefined,
        description: inner.description as string | undefined,
      });
      return reply(201, { port });
    })
    .on('PUT', '/v2.0/ports/:id', (req, { id }) => {
      const p = findVisible(sim, req.token!, st().ports, 'Port', id!);
      const inner = envelope(req, 'port', PORT_ATTRS);
      const mutable = [
        'name',
        'admin_state_up',
        'device_id',
        'device_owner',
        'security_groups',
        'description',
        'allowed_address_pairs',
        'binding:host_id',
        'port_security_enabled',
      ];
      return reply(200, { port: update(sim, p, inner, mutable) });
    })
    .on('DELETE', '/v2.0/ports/:id', (req, { id }) => {
      const p = findVisible(sim, req.token!, st().ports, 'Port', id!);
      if (
        p.device_owner === 'network:router_interface' ||
        p.device_owner === 'network:router_gateway' ||
        p.device_owner === 'network:floatingip'
      )
        throw inUse('L3PortInUse', `Port ${p.id} cannot be deleted directly via the port API: has device owner ${String(p.device_owner)}.`);
      removePort(sim, p.id);
      return reply(204);
    })
    .on('GET', '/v2.0/quotas', (req) =>
      reply(200, {
        quotas: Object.keys(st().quotas).map((pid) => ({ ...quotaOf(st(), pid, 'network'), tenant_id: pid, project_id: pid })),
      }),
    )
    .on('GET', '/v2.0/quotas/:pid', (req, { pid }) => reply(200, { quota: quotaOf(st(), pid!, 'network') }))
    .on('GET', '/v2.0/quotas/:pid/default', () => reply(200, { quota: DEFAULT_QUOTAS.network }))
    .on('GET', '/v2.0/quotas/:pid/details', (req, { pid }) => {
      const q = quotaOf(st(), pid!, 'network');
      const usage = (k: string) => (k in QUOTA_COLLECTIONS ? neutronUsage(sim, pid!, k as keyof typeof QUOTA_COLLECTIONS) : 0);
      return reply(200, { quota: Object.fromEntries(Object.entries(q).map(([k, limit]) => [k, { used: usage(k), limit, reserved: 0 }])) });
    })
    .on('PUT', '/v2.0/quotas/:pid', (req, { pid }) => {
      if (!isAdmin(sim, req.token!)) throw neutronError(403, 'PolicyNotAuthorized', 'rule:update_quota is disallowed by policy');
      const inner = envelope(req, 'quota', Object.keys(DEFAULT_QUOTAS.network));
      for (const [k, v] of Object.entries(inner))
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -1)
          throw badRequest(`Invalid input for ${k}. Reason: '${String(v)}' is not an integer.`);
      const entry = (st().quotas[pid!] ??= {});
      entry.network = { ...(entry.network ?? {}), ...(inner as Record<string, number>) };
      return reply(200, { quota: quotaOf(st(), pid!, 'network') });
    })
    .on('DELETE', '/v2.0/quotas/:pid', (req, { pid }) => {
      if (!isAdmin(sim, req.token!)) throw neutronError(403, 'PolicyNotAuthorized', 'rule:delete_quota is disallowed by policy');
      delete st().quotas[pid!]?.network;
      return reply(204);
    });
  registerL3(sim, router);
  registerSecurityGroups(sim, router);
  return router;
}
