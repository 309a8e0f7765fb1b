/** Octavia's shared machinery: the fault shape, lookups, the PENDING_* lifecycle jobs, child links and paginated lists. */
import { OsHttpError, reply, type OsRequest } from './http.js';
import type { Wire } from './model.js';
import { isAdmin } from './neutron-api.js';
import { removePort } from './neutron-core.js';
import type { Sim } from './sim.js';
import { isObject } from './util.js';

export const octaviaFault = (status: number, message: string): OsHttpError =>
  new OsHttpError({ status, body: { faultcode: status >= 500 ? 'Server' : 'Client', faultstring: message, debuginfo: null } }, message);

export type Kind = 'loadbalancers' | 'listeners' | 'pools' | 'members' | 'healthmonitors';
const LABEL: Record<Kind, string> = {
  loadbalancers: 'Load Balancer',
  listeners: 'Listener',
  pools: 'Pool',
  members: 'Member',
  healthmonitors: 'Health Monitor',
};
export const SINGULAR: Record<Kind, string> = {
  loadbalancers: 'loadbalancer',
  listeners: 'listener',
  pools: 'pool',
  members: 'member',
  healthmonitors: 'healthmonitor',
};
export const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TERMINATED_HTTPS', 'UDP', 'SCTP', 'PROMETHEUS'];
export const ALGORITHMS = ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'];
export const HM_TYPES = ['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP'];

export const invalid = (field: string, value: unknown, reason = '') =>
  octaviaFault(400, `Invalid input for field/attribute ${field}. Value: '${String(value)}'. ${reason}`.trim());

export function octaviaKit(sim: Sim) {
  const st = () => sim.state;
  const coll = (k: Kind) => st()[k];

  const find = (req: OsRequest, kind: Kind, id: string): Wire => {
    const r = coll(kind)[id];
    if (!r || r.provisioning_status === 'DELETED' || (r.project_id !== req.token!.projectId && !isAdmin(sim, req.token!)))
      throw octaviaFault(404, `${LABEL[kind]} ${id} not found.`);
    return r;
  };
  const lbOf = (r: Wire): Wire =>
    st().loadbalancers[String(r.loadbalancer_id ?? (r.loadbalancers as Array<{ id: string }>)?.[0]?.id ?? r.id)]!;
  const mutable = (lb: Wire) => {
    if (String(lb.provisioning_status).startsWith('PENDING_'))
      throw octaviaFault(409, `Load Balancer ${lb.id} is immutable and cannot be updated.`);
  };
  const base = (req: OsRequest, body: Record<string, unknown>) => {
    const now = sim.iso();
    return {
      id: sim.ids.uuid(),
      name: typeof body.name === 'string' ? body.name : '',
      description: typeof body.description === 'string' ? body.description : '',
      admin_state_up: body.admin_state_up !== false,
      project_id: req.token!.projectId,
      tenant_id: req.token!.projectId,
      provisioning_status: 'PENDING_CREATE',
      operating_status: 'OFFLINE',
      created_at: now,
      updated_at: null,
      tags: Array.isArray(body.tags) ? body.tags : [],
    };
  };
  const envelope = (req: OsRequest, kind: Kind) => {
    const b = isObject(req.body) ? req.body[SINGULAR[kind]] : undefined;
    if (!isObject(b)) throw invalid(SINGULAR[kind], 'None', 'Mandatory field missing.');
    return b;
  };
  /** Child change: the parent load balancer goes PENDING_UPDATE until the amphora driver reports back. */
  const bump = (lb: Wire, child: Wire, status: string) => {
    lb.provisioning_status = 'PENDING_UPDATE';
    child.provisioning_status = status;
    child.updated_at = sim.iso();
    sim.later('octavia.settle', child.id, 1, lb.id);
  };

  sim.handle('octavia.settle', (id, lbId) => {
    const lb = st().loadbalancers[lbId ?? id];
    const all: Kind[] = ['listeners', 'pools', 'members', 'healthmonitors', 'loadbalancers'];
    for (const k of all) {
      const r = coll(k)[id];
      if (!r) continue;
      if (r.provisioning_status === 'PENDING_DELETE') delete coll(k)[id];
      else {
        r.provisioning_status = 'ACTIVE';
        r.operating_status =
          k === 'members' ? (Object.values(st().healthmonitors).some((h) => h.pool_id === r.pool_id) ? 'ONLINE' : 'NO_MONITOR') : 'ONLINE';
      }
    }
    if (lb && lb.id !== id) lb.provisioning_status = 'ACTIVE';
  });
  sim.handle('octavia.lb.created', (id, arg) => {
    const lb = st().loadbalancers[id];
    if (!lb) return;
    Object.assign(
      lb,
      arg === 'error'
        ? { provisioning_status: 'ERROR', operating_status: 'ERROR' }
        : { provisioning_status: 'ACTIVE', operating_status: 'ONLINE' },
    );
    lb.updated_at = sim.iso();
  });
  sim.handle('octavia.lb.deleted', (id) => {
    const lb = st().loadbalancers[id];
    if (!lb) return;
    for (const k of ['listeners', 'pools', 'members', 'healthmonitors'] as const)
      for (const r of Object.values(coll(k)))
        if (lbOf(r)?.id === id || (k === 'members' && !st().pools[String(r.pool_id)])) delete coll(k)[r.id];
    for (const r of Object.values(st().members)) if (!st().pools[String(r.pool_id)]) delete st().members[r.id];
    for (const r of Object.values(st().healthmonitors)) if (!st().pools[String(r.pool_id)]) delete st().healthmonitors[r.id];
    removePort(sim, String(lb.vip_port_id));
    delete st().loadbalancers[id];
  });

  const list =
    (kind: Kind, filter: (r: Wire) => boolean = () => true) =>
    (req: OsRequest) => {
      let items = Object.values(coll(kind)).filter((r) => (r.project_id === req.token!.projectId || isAdmin(sim, req.token!)) && filter(r));
      for (const [k, v] of req.query)
        if (!['limit', 'marker', 'page_reverse', 'sort', 'fields'].includes(k)) items = items.filter((r) => String(r[k]) === v);
      const body: Record<string, unknown> = {};
      const limit = req.query.get('limit');
      const marker = req.query.get('marker');
      let start = 0;
      if (marker) {
        start = items.findIndex((r) => r.id === marker) + 1;
        if (start === 0) throw octaviaFault(404, `${LABEL[kind]} ${marker} not found.`);
      }
      if (limit !== null) {
        if (!/^\d+$/.test(limit)) throw octaviaFault(400, `Invalid input for field/attribute limit. Value: '${limit}'.`);
        const page = items.slice(start, start + Number(limit));
        const links = [];
        if (start + Number(limit) < items.length && page.length) {
          const q = new URLSearchParams(req.query);
          q.set('marker', page.at(-1)!.id);
          links.push({ rel: 'next', href: `${req.serviceUrl}${req.path}?${q.toString()}` });
        }
        if (marker)
          links.push({
            rel: 'previous',
            href: `${req.serviceUrl}${req.path}?${new URLSearchParams({ limit, marker: page[0]?.id ?? marker, page_reverse: 'True' }).toString()}`,
          });
        items = page;
        body[`${kind}_links`] = links;
      } else {
        items = items.slice(start);
        body[`${kind}_links`] = [];
      }
      body[kind] = items;
      return reply(200, body);
    };

  const link = (lb: Wire, rec: Wire, kind: Kind, add: boolean) => {
    const set = (arr: unknown, id: string) => {
      const a = arr as Array<{ id: string }>;
      const i = a.findIndex((x) => x.id === id);
      if (add && i < 0) a.push({ id });
      if (!add && i >= 0) a.splice(i, 1);
    };
    if (kind === 'listeners') set(lb.listeners, rec.id);
    if (kind === 'pools') {
      set(lb.pools, rec.id);
      const listener = st().listeners[String((rec.listeners as Array<{ id: string }>)[0]?.id)];
      if (listener) listener.default_pool_id = add ? rec.id : null;
    }
    if (kind === 'healthmonitors') {
      const pool = st().pools[String(rec.pool_id)];
      if (pool) pool.healthmonitor_id = add ? rec.id : null;
    }
    if (kind === 'members') set(st().pools[String(rec.pool_id)]?.members, rec.id);
  };

  return { find, lbOf, mutable, base, envelope, bump, link, list };
}
