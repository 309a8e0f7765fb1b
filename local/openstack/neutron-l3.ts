/** Neutron L3 and security groups: routers and their interfaces, floating IPs (reachability checked), security groups. */
import { reply, type OsRequest, type Router } from './http.js';
import type { Wire } from './model.js';
import { envelope, findVisible, forbidCrossProject, inUse, list, projectOf, requireString, show } from './neutron-api.js';
import {
  allocateIp,
  badRequest,
  checkNeutronQuota,
  createPort,
  fixedIps,
  neutronError,
  notFound,
  removePort,
  touch,
} from './neutron-core.js';
import { associate } from './neutron-fip.js';
import type { Sim } from './sim.js';
import { cidrContains, isObject, parseCidr4 } from './util.js';

const ROUTER_ATTRS = [
  'name',
  'admin_state_up',
  'external_gateway_info',
  'description',
  'tenant_id',
  'project_id',
  'routes',
  'distributed',
  'ha',
];
const FIP_ATTRS = [
  'floating_network_id',
  'port_id',
  'fixed_ip_address',
  'floating_ip_address',
  'subnet_id',
  'description',
  'tenant_id',
  'project_id',
  'dns_name',
  'dns_domain',
];

export function setGateway(sim: Sim, router: Wire, info: unknown): void {
  const old = Object.values(sim.state.ports).find((p) => p.device_id === router.id && p.device_owner === 'network:router_gateway');
  if (info === null || (isObject(info) && Object.keys(info).length === 0)) {
    if (old) removePort(sim, old.id);
    router.external_gateway_info = null;
    return;
  }
  if (!isObject(info) || typeof info.network_id !== 'string')
    throw badRequest(`Invalid input for external_gateway_info. Reason: Validation of dictionary's keys failed.`);
  const net = sim.state.networks[info.network_id];
  if (!net) throw notFound('Network', info.network_id);
  if (net['router:external'] !== true)
    throw neutronError(400, 'BadRequest', `Bad router request: Network ${net.id} is not an external network.`);
  if (old && old.network_id === net.id) return;
  if (old) removePort(sim, old.id);
  const port = createPort(sim, {
    projectId: '',
    networkId: net.id,
    deviceId: String(router.id),
    deviceOwner: 'network:router_gateway',
    status: 'ACTIVE',
    fixedIps: Array.isArray(info.external_fixed_ips)
      ? (info.external_fixed_ips as Array<{ subnet_id?: string; ip_address?: string }>)
      : undefined,
  });
  router.external_gateway_info = { network_id: net.id, enable_snat: info.enable_snat !== false, external_fixed_ips: fixedIps(port) };
}

export function newRouter(sim: Sim, projectId: string, inner: Record<string, unknown>): Wire {
  const now = sim.iso();
  const r: Wire = {
    id: sim.ids.uuid(),
    name: typeof inner.name === 'string' ? inner.name : '',
    tenant_id: projectId,
    project_id: projectId,
    admin_state_up: inner.admin_state_up !== false,
    status: 'ACTIVE',
    external_gateway_info: null,
    routes: [],
    description: typeof inner.description === 'string' ? inner.description : '',
    availability_zone_hints: [],
    availability_zones: ['nova'],
    flavor_id: null,
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: 1,
  };
  if (inner.external_gateway_info !== undefined) setGateway(sim, r, inner.external_gateway_info);
  sim.state.routers[r.id] = r;
  return r;
}

/** The answer of add/remove_router_interface: Neutron's _make_router_interface_info (no project_id, no tags). */
function interfaceInfo(router: Wire, port: Wire, subnetIds: string[]) {
  return {
    id: router.id,
    tenant_id: router.project_id,
    port_id: port.id,
    network_id: port.network_id,
    subnet_id: subnetIds[0],
    subnet_ids: subnetIds,
  };
}

export function addInterface(sim: Sim, router: Wire, body: unknown) {
  if (!isObject(body) || (typeof body.subnet_id !== 'string' && typeof body.port_id !== 'string'))
    throw badRequest('Bad router request: Either subnet_id or port_id must be specified.');
  let port: Wire;
  if (typeof body.port_id === 'string') {
    const p = sim.state.ports[body.port_id];
    if (!p) throw notFound('Port', body.port_id);
    if (p.device_id)
      throw inUse(
        'PortInUse',
        `Unable to complete operation on port ${p.id} for network ${String(p.network_id)}. Port already has an attached device ${String(p.device_id)}.`,
      );
    Object.assign(p, { device_id: router.id, device_owner: 'network:router_interface', status: 'ACTIVE' });
    port = p;
  } else {
    const subnet = sim.state.subnets[body.subnet_id as string];
    if (!subnet) throw notFound('Subnet', String(body.subnet_id));
    if (!subnet.gateway_ip)
      throw neutronError(400, 'BadRequest', 'Bad router request: Subnet for router interface must have a gateway IP.');
    const dup = Object.values(sim.state.ports).some((p) => p.device_id === router.id && fixedIps(p).some((f) => f.subnet_id === subnet.id));
    if (dup) throw neutronError(400, 'BadRequest', `Bad router request: Router already has a port on subnet ${subnet.id}.`);
    port = createPort(sim, {
      projectId: String(router.project_id),
      networkId: String(subnet.network_id),
      deviceId: router.id,
      deviceOwner: 'network:router_interface',
      status: 'ACTIVE',
      fixedIps: [{ subnet_id: subnet.id, ip_address: String(subnet.gateway_ip) }],
    });
  }
  touch(sim, router);
  const subnetIds = fixedIps(port).map((f) => f.subnet_id);
  return interfaceInfo(router, port, subnetIds);
}

export function registerL3(sim: Sim, router: Router): void {
  const st = () => sim.state;
  const project = (req: OsRequest) => projectOf(req.token!);
  sim.handle('neutron.fip.active', (id) => {
    const fip = st().floatingips[id];
    if (fip?.port_id) fip.status = 'ACTIVE';
  });
  const ownRouter = (req: OsRequest, id: string) => {
    const r = findVisible(sim, req.token!, st().routers, 'Router', id);
    forbidCrossProject(sim, req.token!, r, 'Router');
    return r;
  };
  const routerPorts = (id: string) =>
    Object.values(st().ports).filter((p) => p.device_id === id && p.device_owner === 'network:router_interface');

  router
    .on('GET', '/v2.0/routers', (req) => list(sim, req, 'routers', 'Router', Object.values(st().routers)))
    .on('GET', '/v2.0/routers/:id', (req, { id }) => show(req, 'router', findVisible(sim, req.token!, st().routers, 'Router', id!)))
    .on('POST', '/v2.0/routers', (req) => {
      const inner = envelope(req, 'router', ROUTER_ATTRS);
      checkNeutronQuota(sim, project(req), 'router');
      return reply(201, { router: newRouter(sim, project(req), inner) });
    })
    .on('PUT', '/v2.0/routers/:id', (req, { id }) => {
      const r = ownRouter(req, id!);
      const inner = envelope(req, 'router', ROUTER_ATTRS);
      if ('external_gateway_info' in inner) setGateway(sim, r, inner.external_gateway_info);
      for (const k of ['name', 'admin_state_up', 'description'] as const) if (k in inner) r[k] = inner[k];
      touch(sim, r);
      return reply(200, { router: r });
    })
    .on('DELETE', '/v2.0/routers/:id', (req, { id }) => {
      const r = ownRouter(req, id!);
      const ports = routerPorts(r.id);
      if (ports.length) throw inUse('RouterInUse', `Router ${r.id} has ports still attached: ${ports.map((p) => p.id).join(', ')}`);
      setGateway(sim, r, null);
      delete st().routers[r.id];
      return reply(204);
    })
    .on('PUT', '/v2.0/routers/:id/add_router_interface', (req, { id }) => reply(200, addInterface(sim, ownRouter(req, id!), req.body)))
    .on('PUT', '/v2.0/routers/:id/remove_router_interface', (req, { id }) => {
      const r = ownRouter(req, id!);
      const b = isObject(req.body) ? req.body : {};
      const port = routerPorts(r.id).find((p) => (b.port_id ? p.id === b.port_id : fixedIps(p).some((f) => f.subnet_id === b.subnet_id)));
      if (!port) {
        if (b.port_id)
          throw neutronError(404, 'RouterInterfaceNotFound', `Router ${r.id} does not have an interface with id ${String(b.port_id)}`);
        throw neutronError(404, 'RouterInterfaceNotFoundForSubnet', `Router ${r.id} has no interface on subnet ${String(b.subnet_id)}`);
      }
      const subnetIds = fixedIps(port).map((f) => f.subnet_id);
      // Neutron keeps the interface a floating IP of this router reaches its fixed address through.
      for (const subnetId of subnetIds) {
        const cidr = parseCidr4(String(st().subnets[subnetId]?.cidr));
        const used = Object.values(st().floatingips).some(
          (f) => f.router_id === r.id && typeof f.fixed_ip_address === 'string' && cidr && cidrContains(cidr, f.fixed_ip_address),
        );
        if (used)
          throw neutronError(
            409,
            'RouterInterfaceInUseByFloatingIP',
            `Router interface for subnet ${subnetId} on router ${r.id} cannot be deleted, as it is required by one or more floating IPs.`,
          );
      }
      removePort(sim, port.id);
      touch(sim, r);
      return reply(200, interfaceInfo(r, port, subnetIds));
    })
    .on('GET', '/v2.0/floatingips', (req) => list(sim, req, 'floatingips', 'FloatingIP', Object.values(st().floatingips)))
    .on('GET', '/v2.0/floatingips/:id', (req, { id }) =>
      show(req, 'floatingip', findVisible(sim, req.token!, st().floatingips, 'FloatingIP', id!)),
    )
    .on('POST', '/v2.0/floatingips', (req) => {
      const inner = envelope(req, 'floatingip', FIP_ATTRS);
      const netId = requireString(inner, 'floating_network_id');
      const net = st().networks[netId];
      if (!net) throw notFound('Network', netId);
      if (net['router:external'] !== true)
        throw neutronError(400, 'BadRequest', `Bad floatingip request: Network ${netId} is not a valid external network.`);
      checkNeutronQuota(sim, project(req), 'floatingip');
      const subnet = typeof inner.subnet_id === 'string' ? st().subnets[inner.subnet_id] : st().subnets[(net.subnets as string[])[0] ?? ''];
      if (!subnet) throw neutronError(400, 'BadRequest', `Bad floatingip request: Network ${netId} has no subnet.`);
      const address = allocateIp(sim, subnet, typeof inner.floating_ip_address === 'string' ? inner.floating_ip_address : undefined);
      const now = sim.iso();
      const fip: Wire = {
        id: sim.ids.uuid(),
        floating_ip_address: address,
        floating_network_id: netId,
        router_id: null,
        port_id: null,
        fixed_ip_address: null,
        status: 'DOWN',
        tenant_id: project(req),
        project_id: project(req),
        description: typeof inner.description === 'string' ? inner.description : '',
        port_details: null,
        qos_policy_id: null,
        port_forwardings: [],
        tags: [],
        created_at: now,
        updated_at: now,
        revision_number: 0,
      };
      if (typeof inner.port_id === 'string') associate(sim, fip, inner.port_id, inner.fixed_ip_address);
      createPort(sim, {
        projectId: '',
        networkId: netId,
        deviceId: fip.id,
        deviceOwner: 'network:floatingip',
        status: 'N/A',
        fixedIps: [{ subnet_id: subnet.id, ip_address: address }],
      });
      st().floatingips[fip.id] = fip;
      return reply(201, { floatingip: fip });
    })
    .on('PUT', '/v2.0/floatingips/:id', (req, { id }) => {
      const fip = findVisible(sim, req.token!, st().floatingips, 'FloatingIP', id!);
      const inner = envelope(req, 'floatingip', ['port_id', 'fixed_ip_address', 'description']);
      if ('port_id' in inner) associate(sim, fip, inner.port_id as string | null, inner.fixed_ip_address);
      if (typeof inner.description === 'string') fip.description = inner.description;
      touch(sim, fip);
      return reply(200, { floatingip: fip });
    })
    .on('DELETE', '/v2.0/floatingips/:id', (req, { id }) => {
      const fip = findVisible(sim, req.token!, st().floatingips, 'FloatingIP', id!);
      for (const p of Object.values(st().ports))
        if (p.device_id === fip.id && p.device_owner === 'network:floatingip') removePort(sim, p.id);
      sim.cancel(fip.id);
      delete st().floatingips[fip.id];
      return reply(204);
    });
}
