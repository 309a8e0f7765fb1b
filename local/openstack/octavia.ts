/**
 * Octavia v2 (`/v2/lbaas/…`): load balancers with a Neutron VIP port, listeners, pools, members, health monitors.
 * Every change puts the load balancer in PENDING_* and back to ACTIVE after transitionMs; while PENDING it is
 * immutable (409). Deleting a load balancer with children needs `?cascade=true`.
 */
import { reply, Router, type OsRequest } from './http.js';
import type { Wire } from './model.js';
import { createPort } from './neutron-core.js';
import { ALGORITHMS, HM_TYPES, invalid, octaviaFault, octaviaKit, PROTOCOLS, SINGULAR, type Kind } from './octavia-kit.js';
import type { Sim } from './sim.js';
import { isIpv4 } from './util.js';

export { octaviaFault } from './octavia-kit.js';

/** The transport under each listener protocol. */
const L4: Record<string, string> = {
  HTTP: 'TCP',
  HTTPS: 'TCP',
  TCP: 'TCP',
  TERMINATED_HTTPS: 'TCP',
  PROMETHEUS: 'TCP',
  UDP: 'UDP',
  SCTP: 'SCTP',
};

export function createOctavia(sim: Sim): Router {
  const st = () => sim.state;
  const coll = (k: Kind) => st()[k];

  const { find, lbOf, mutable, base, envelope, bump, link, list } = octaviaKit(sim);

  const r = new Router()
    .on('GET', '/', (req) =>
      reply(200, {
        versions: [
          { id: 'v2.0', status: 'SUPPORTED', updated: '2016-12-11T00:00:00Z', links: [{ href: `${req.serviceUrl}/v2`, rel: 'self' }] },
          { id: 'v2.27', status: 'CURRENT', updated: '2023-05-05T00:00:00Z', links: [{ href: `${req.serviceUrl}/v2`, rel: 'self' }] },
        ],
      }),
    )
    .on('GET', '/v2/lbaas/loadbalancers', list('loadbalancers'))
    .on('GET', '/v2/lbaas/loadbalancers/:id', (req, { id }) => reply(200, { loadbalancer: find(req, 'loadbalancers', id!) }))
    .on('POST', '/v2/lbaas/loadbalancers', (req) => {
      const b = envelope(req, 'loadbalancers');
      let subnet = typeof b.vip_subnet_id === 'string' ? st().subnets[b.vip_subnet_id] : undefined;
      if (typeof b.vip_subnet_id === 'string' && !subnet)
        throw octaviaFault(400, `Validation failure: Subnet ${b.vip_subnet_id} not found.`);
      if (!subnet && typeof b.vip_network_id === 'string') {
        const net = st().networks[b.vip_network_id];
        if (!net) throw octaviaFault(400, `Validation failure: Network ${b.vip_network_id} not found.`);
        subnet = st().subnets[(net.subnets as string[])[0] ?? ''];
      }
      if (!subnet) throw octaviaFault(400, 'Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.');
      const lb: Wire = {
        ...base(req, b),
        vip_subnet_id: subnet.id,
        vip_network_id: subnet.network_id,
        vip_qos_policy_id: null,
        listeners: [],
        pools: [],
        provider: 'amphora',
        flavor_id: null,
        availability_zone: null,
        additional_vips: [],
      };
      const port = createPort(sim, {
        projectId: String(lb.project_id),
        networkId: String(subnet.network_id),
        name: `octavia-lb-${lb.id}`,
        deviceId: `lb-${lb.id}`,
        deviceOwner: 'Octavia',
        fixedIps: [{ subnet_id: subnet.id, ip_address: typeof b.vip_address === 'string' ? b.vip_address : undefined }],
        status: 'DOWN',
      });
      Object.assign(lb, { vip_port_id: port.id, vip_address: (port.fixed_ips as Array<{ ip_address: string }>)[0]?.ip_address });
      st().loadbalancers[lb.id] = lb;
      sim.later('octavia.lb.created', lb.id, 1, sim.drawBuildError('loadbalancer') ? 'error' : undefined);
      return reply(201, { loadbalancer: lb });
    })
    .on('DELETE', '/v2/lbaas/loadbalancers/:id', (req, { id }) => {
      const lb = find(req, 'loadbalancers', id!);
      if (lb.provisioning_status === 'PENDING_DELETE')
        throw octaviaFault(409, `Invalid state PENDING_DELETE of loadbalancer resource ${lb.id}`);
      mutable(lb);
      const children = (lb.listeners as unknown[]).length + (lb.pools as unknown[]).length;
      if (children && req.query.get('cascade')?.toLowerCase() !== 'true')
        throw octaviaFault(400, `Validation failure: Cannot delete Load Balancer ${lb.id} - it has children`);
      lb.provisioning_status = 'PENDING_DELETE';
      sim.later('octavia.lb.deleted', lb.id);
      return reply(204);
    });

  const childRoutes = (
    kind: Exclude<Kind, 'loadbalancers' | 'members'>,
    create: (req: OsRequest, b: Record<string, unknown>) => { lb: Wire; rec: Wire },
  ) => {
    const path = `/v2/lbaas/${kind}`;
    r.on('GET', path, list(kind))
      .on('GET', `${path}/:id`, (req, { id }) => reply(200, { [SINGULAR[kind]]: find(req, kind, id!) }))
      .on('POST', path, (req) => {
        const { lb, rec } = create(req, envelope(req, kind));
        mutable(lb);
        coll(kind)[rec.id] = rec;
        bump(lb, rec, 'PENDING_CREATE');
        link(lb, rec, kind, true);
        return reply(201, { [SINGULAR[kind]]: rec });
      })
      .on('PUT', `${path}/:id`, (req, { id }) => {
        const rec = find(req, kind, id!);
        const lb = lbOf(rec);
        mutable(lb);
        const b = envelope(req, kind);
        for (const [k, v] of Object.entries(b))
          if (!['id', 'project_id', 'loadbalancer_id', 'listener_id', 'pool_id', 'protocol'].includes(k)) rec[k] = v;
        bump(lb, rec, 'PENDING_UPDATE');
        return reply(202, { [SINGULAR[kind]]: rec });
      })
      .on('DELETE', `${path}/:id`, (req, { id }) => {
        const rec = find(req, kind, id!);
        const lb = lbOf(rec);
        mutable(lb);
        link(lb, rec, kind, false);
        bump(lb, rec, 'PENDING_DELETE');
        return reply(204);
      });
  };
  childRoutes('listeners', (req, b) => {
    if (typeof b.loadbalancer_id !== 'string') throw invalid('loadbalancer_id', b.loadbalancer_id, 'Mandatory field missing.');
    const lb = find(req, 'loadbalancers', b.loadbalancer_id);
    if (!PROTOCOLS.includes(String(b.protocol))) throw invalid('protocol', b.protocol, `Value should be one of: ${PROTOCOLS.join(', ')}`);
    const port = Number(b.protocol_port);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw invalid('protocol_port', b.protocol_port, 'Value should be lower or equal to 65535');
    if (
      b.protocol === 'TERMINATED_HTTPS' &&
      !b.default_tls_container_ref &&
      !(Array.isArray(b.sni_container_refs) && b.sni_container_refs.length)
    )
      throw octaviaFault(
        400,
        'Validation failure: An SNI or default certificate container reference must be provided for TERMINATED_HTTPS protocol listeners.',
      );
    // Ports are unique per L4 protocol: TCP and UDP (or SCTP) listeners may share one.
    const l4 = L4[String(b.protocol)] ?? 'TCP';
    if (
      Object.values(st().listeners).some(
        (l) =>
          lbOf(l)?.id === lb.id &&
          l.protocol_port === port &&
          (L4[String(l.protocol)] ?? 'TCP') === l4 &&
          l.provisioning_status !== 'PENDING_DELETE',
      )
    )
      throw octaviaFault(409, `Another Listener on this Load Balancer is already using protocol ${l4} and protocol_port ${port}`);
    const rec: Wire = {
      ...base(req, b),
      protocol: b.protocol,
      protocol_port: port,
      connection_limit: b.connection_limit ?? -1,
      default_pool_id: null,
      default_tls_container_ref: b.default_tls_container_ref ?? null,
      sni_container_refs: Array.isArray(b.sni_container_refs) ? b.sni_container_refs : [],
      l7policies: [],
      insert_headers: {},
      loadbalancers: [{ id: lb.id }],
      timeout_client_data: 50000,
      timeout_member_connect: 5000,
      timeout_member_data: 50000,
      timeout_tcp_inspect: 0,
      allowed_cidrs: null,
    };
    return { lb, rec };
  });
  childRoutes('pools', (req, b) => {
    const listener = typeof b.listener_id === 'string' ? find(req, 'listeners', b.listener_id) : undefined;
    const lb = listener
      ? lbOf(listener)
      : typeof b.loadbalancer_id === 'string'
        ? find(req, 'loadbalancers', b.loadbalancer_id)
        : undefined;
    if (!lb) throw octaviaFault(400, 'Validation failure: loadbalancer_id or listener_id must be specified.');
    if (listener?.default_pool_id) throw octaviaFault(409, 'This listener already has a default pool');
    if (!ALGORITHMS.includes(String(b.lb_algorithm)))
      throw invalid('lb_algorithm', b.lb_algorithm, `Value should be one of: ${ALGORITHMS.join(', ')}`);
    if (!PROTOCOLS.includes(String(b.protocol))) throw invalid('protocol', b.protocol, `Value should be one of: ${PROTOCOLS.join(', ')}`);
    const rec: Wire = {
      ...base(req, b),
      lb_algorithm: b.lb_algorithm,
      protocol: b.protocol,
      session_persistence: b.session_persistence ?? null,
      listeners: listener ? [{ id: listener.id }] : [],
      loadbalancers: [{ id: lb.id }],
      members: [],
      healthmonitor_id: null,
      tls_enabled: false,
    };
    return { lb, rec };
  });
  childRoutes('healthmonitors', (req, b) => {
    if (typeof b.pool_id !== 'string') throw invalid('pool_id', b.pool_id, 'Mandatory field missing.');
    const pool = find(req, 'pools', b.pool_id);
    if (pool.healthmonitor_id) throw octaviaFault(409, 'This pool already has a health monitor');
    if (!HM_TYPES.includes(String(b.type))) throw invalid('type', b.type, `Value should be one of: ${HM_TYPES.join(', ')}`);
    for (const k of ['delay', 'timeout', 'max_retries']) if (!Number.isInteger(b[k])) throw invalid(k, b[k], 'Mandatory field missing.');
    const http = String(b.type).startsWith('HTTP');
    const rec: Wire = {
      ...base(req, b),
      type: b.type,
      delay: b.delay,
      timeout: b.timeout,
      max_retries: b.max_retries,
      max_retries_down: b.max_retries_down ?? 3,
      http_method: http ? (b.http_method ?? 'GET') : null,
      url_path: http ? (b.url_path ?? '/') : null,
      expected_codes: http ? (b.expected_codes ?? '200') : null,
      http_version: null,
      domain_name: null,
      pools: [{ id: pool.id }],
      pool_id: pool.id,
      loadbalancers: pool.loadbalancers,
    };
    return { lb: lbOf(pool), rec };
  });

  const members = '/v2/lbaas/pools/:pool/members';
  const memberOf = (req: OsRequest, poolId: string, id: string) => {
    const m = find(req, 'members', id);
    if (m.pool_id !== poolId) throw octaviaFault(404, `Member ${id} not found.`);
    return m;
  };
  r.on('GET', members, (req, { pool }) => (find(req, 'pools', pool!), list('members', (m) => m.pool_id === pool)(req)))
    .on('GET', `${members}/:id`, (req, { pool, id }) => reply(200, { member: memberOf(req, pool!, id!) }))
    .on('POST', members, (req, { pool: poolId }) => {
      const pool = find(req, 'pools', poolId!);
      const lb = lbOf(pool);
      mutable(lb);
      const b = envelope(req, 'members');
      if (typeof b.address !== 'string' || !isIpv4(b.address)) throw invalid('address', b.address, 'Value should be IPv4 or IPv6 format');
      const port = Number(b.protocol_port);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw invalid('protocol_port', b.protocol_port, 'Value should be lower or equal to 65535');
      if (typeof b.subnet_id === 'string' && !st().subnets[b.subnet_id])
        throw octaviaFault(400, `Validation failure: Subnet ${b.subnet_id} not found.`);
      if (Object.values(st().members).some((m) => m.pool_id === pool.id && m.address === b.address && m.protocol_port === port))
        throw octaviaFault(409, `Duplicate member with address ${b.address} and protocol_port ${port}`);
      const rec: Wire = {
        ...base(req, b),
        address: b.address,
        protocol_port: port,
        weight: b.weight ?? 1,
        backup: b.backup === true,
        subnet_id: b.subnet_id ?? null,
        // Without a health monitor Octavia reports members NO_MONITOR from the start.
        operating_status: pool.healthmonitor_id ? 'OFFLINE' : 'NO_MONITOR',
        monitor_address: null,
        monitor_port: null,
        pool_id: pool.id,
        loadbalancers: pool.loadbalancers,
      };
      st().members[rec.id] = rec;
      link(lb, rec, 'members', true);
      bump(lb, rec, 'PENDING_CREATE');
      return reply(201, { member: rec });
    })
    .on('DELETE', `${members}/:id`, (req, { pool, id }) => {
      const m = memberOf(req, pool!, id!);
      const lb = lbOf(st().pools[pool!]!);
      mutable(lb);
      link(lb, m, 'members', false);
      bump(lb, m, 'PENDING_DELETE');
      return reply(204);
    });
  return r;
}
