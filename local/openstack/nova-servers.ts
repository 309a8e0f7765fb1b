/** Nova servers: create (networks, keys, user data, boot from volume), list/show with paging, update, delete; build jobs. */
import { reply, type OsRequest, type Router } from './http.js';
import type { Microversion } from './microversion.js';
import { wrappedFault as fault } from './microversion.js';
import { type Server, type ServerVolume, type Token } from './model.js';
import { newVolume } from './cinder-core.js';
import { createPort, removePort, setPortsStatus } from './neutron-core.js';
import { checkComputeQuota, serverView } from './nova-view.js';
import type { Sim } from './sim.js';
import { isObject, nextHref, pageAfter, pageParams } from './util.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export const invalid = (field: string, value: unknown, reason: string) =>
  fault(400, `Invalid input for field/attribute ${field}. Value: ${typeof value === 'string' ? value : JSON.stringify(value)}. ${reason}`);

/** Python's base64.decodebytes: non-alphabet characters are skipped, padding must be right. */
export function isNovaBase64(s: string): boolean {
  const cleaned = s.replace(/[^A-Za-z0-9+/=]/g, '');
  return cleaned.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(cleaned);
}

export function findServer(sim: Sim, t: Token, id: string): Server {
  const s = sim.state.servers[id];
  if (!s || (s.projectId !== t.projectId && !(sim.state.users[t.userId]?.roles[t.projectId ?? ''] ?? []).includes('admin')))
    throw fault(404, `Instance ${id} could not be found.`);
  return s;
}

/** Resolves `"auto"`, `"none"` or `[{uuid}|{port}]` into the ports Nova will create or bind. */
function planNetworks(sim: Sim, t: Token, networks: unknown): Array<{ networkId?: string; portId?: string; fixedIp?: string }> {
  if (networks === 'none') return [];
  if (networks === 'auto' || networks === undefined) {
    const candidates = Object.values(sim.state.networks).filter(
      (n) => n['router:external'] !== true && (n.project_id === t.projectId || n.shared === true),
    );
    if (candidates.length === 0) return [];
    if (candidates.length > 1) throw fault(409, 'Multiple possible networks found, use a Network ID to be more specific.');
    return [{ networkId: candidates[0]!.id }];
  }
  if (!Array.isArray(networks)) throw invalid('networks', networks, `${JSON.stringify(networks)} is not of type 'array'`);
  return networks.map((n: unknown) => {
    if (!isObject(n)) throw invalid('networks', networks, `${JSON.stringify(n)} is not of type 'object'`);
    if (typeof n.port === 'string') {
      const port = sim.state.ports[n.port];
      if (!port) throw fault(400, `Port id ${n.port} could not be found.`);
      if (port.device_id) throw fault(409, `Port ${n.port} is still in use.`);
      return { portId: n.port };
    }
    if (typeof n.uuid !== 'string' || !UUID.test(n.uuid)) throw invalid('uuid', n.uuid, `'${String(n.uuid)}' is not a 'uuid'`);
    const net = sim.state.networks[n.uuid];
    if (!net) throw fault(400, `Network ${n.uuid} could not be found.`);
    return { networkId: n.uuid, fixedIp: typeof n.fixed_ip === 'string' ? n.fixed_ip : undefined };
  });
}

export function registerServers(sim: Sim, router: Router, mvOf: (req: OsRequest) => Microversion): void {
  const st = () => sim.state;

  sim.handle('nova.spawning', (id) => {
    const s = st().servers[id];
    if (s?.vmState === 'building') s.taskState = 'spawning';
  });
  sim.handle('nova.build', (id, arg) => {
    const s = st().servers[id];
    if (!s || s.vmState !== 'building') return;
    s.updated = sim.iso();
    if (arg === 'error') {
      Object.assign(s, { vmState: 'error', taskState: null, powerState: 0 });
      s.fault = {
        code: 500,
        created: sim.iso(),
        message: 'No valid host was found. There are not enough hosts available.',
        details: 'Traceback (most recent call last):\n  File "nova/conductor/manager.py", line 1654, in schedule_and_build_instances\n',
      };
      for (const p of s.ownedPortIds) removePort(sim, p);
      s.ownedPortIds = [];
      // Scheduling failed before the compute host prepared the disks: the volume Nova would have created
      // does not exist, and the volumes the user gave are released (their attachments deleted).
      for (const a of s.volumes) {
        const v = st().volumes[a.volumeId];
        if (!v) continue;
        if (a.createdByNova) delete st().volumes[v.id];
        else Object.assign(v, { status: 'available', attachments: [], updated: sim.iso() });
      }
      s.volumes = [];
      return;
    }
    Object.assign(s, { vmState: 'active', taskState: null, powerState: 1, launchedAt: sim.iso().replace('Z', '.000000') });
    for (const a of s.volumes) {
      const v = st().volumes[a.volumeId];
      if (v) Object.assign(v, { status: 'in-use', updated: sim.iso() });
    }
    setPortsStatus(sim, s.id, 'ACTIVE');
  });
  sim.handle('nova.delete', (id) => {
    const s = st().servers[id];
    if (!s) return;
    for (const p of Object.values(st().ports)) {
      if (p.device_id !== s.id) continue;
      if (s.ownedPortIds.includes(p.id)) removePort(sim, p.id);
      else Object.assign(p, { device_id: '', device_owner: '', status: 'DOWN', 'binding:host_id': '' });
    }
    for (const a of s.volumes) {
      const v = st().volumes[a.volumeId];
      if (!v) continue;
      if (a.deleteOnTermination) delete st().volumes[v.id];
      else Object.assign(v, { status: 'available', attachments: [], updated: sim.iso() });
    }
    sim.cancel(s.id);
    delete st().servers[s.id];
  });

  const create = (req: OsRequest) => {
    const mv = mvOf(req);
    const t = req.token!;
    const body = isObject(req.body) ? req.body.server : undefined;
    if (!isObject(body)) throw invalid('server', req.body ?? null, `'server' is a required property`);
    const name = body.name;
    if (typeof name !== 'string') throw invalid('server', body, `'name' is a required property`);
    if (name.length < 1 || name.length > 255) throw invalid('name', name, `'${name}' is too ${name.length ? 'long' : 'short'}`);
    if (body.flavorRef === undefined) throw invalid('server', body, `'flavorRef' is a required property`);
    if (mv.minor >= 37 && body.networks === undefined) throw invalid('server', body, `'networks' is a required property`);
    if (mv.minor >= 37 && typeof body.networks === 'string' && body.networks !== 'auto' && body.networks !== 'none')
      throw invalid('networks', body.networks, `'${body.networks}' is not one of ['none', 'auto']`);
    if (body.user_data !== undefined && body.user_data !== null) {
      if (typeof body.user_data !== 'string' || !isNovaBase64(body.user_data))
        throw invalid('user_data', body.user_data, `'${String(body.user_data)}' is not a 'base64'`);
      if (body.user_data.length > 65535) throw invalid('user_data', '…', `is too long`);
    }
    if (body.metadata !== undefined && (!isObject(body.metadata) || Object.values(body.metadata).some((v) => typeof v !== 'string')))
      throw invalid('metadata', body.metadata, `Additional properties must be strings`);
    const flavorId = String(body.flavorRef).split('/').pop()!;
    const flavor = st().flavors[flavorId];
    if (!flavor) throw fault(400, 'Invalid flavorRef provided.');

    const bdms = Array.isArray(body.block_device_mapping_v2) ? (body.block_device_mapping_v2 as unknown[]).filter(isObject) : [];
    const bootBdm = bdms.find((b) => String(b.boot_index) === '0' && b.destination_type === 'volume');
    const imageRef = typeof body.imageRef === 'string' ? body.imageRef.split('/').pop()! : '';
    const imageId = bootBdm ? '' : imageRef;
    const imageForChecks = bootBdm ? (bootBdm.source_type === 'image' ? String(bootBdm.uuid) : undefined) : imageRef;
    if (!bootBdm && !imageRef) throw fault(400, 'Can not find requested image');
    if (imageForChecks !== undefined) {
      const image = st().images[imageForChecks];
      if (!image) throw fault(400, `Image ${imageForChecks} could not be found.`);
      if (image.status !== 'active') throw fault(400, `Image ${imageForChecks} is not active.`);
      if (flavor.ram < image.min_ram) throw fault(400, `Flavor's memory is too small for requested image.`);
      if (!bootBdm && flavor.disk < image.min_disk)
        throw fault(
          400,
          `Flavor's disk is too small for requested image. Flavor disk is ${flavor.disk * 1024 ** 3} bytes, minimum size is ${image.min_disk * 1024 ** 3} bytes.`,
        );
    }
    const keyName = typeof body.key_name === 'string' ? body.key_name : null;
    if (keyName !== null && !st().keypairs[`${t.userId}/${keyName}`]) throw fault(400, 'Invalid key_name provided.');
    const plan = planNetworks(sim, t, body.networks);
    checkComputeQuota(sim, t.projectId ?? '', { instances: 1, cores: flavor.vcpus, ram: flavor.ram });

    const id = sim.ids.uuid();
    const volumes: ServerVolume[] = [];
    if (bootBdm) {
      let volumeId: string;
      let createdByNova = false;
      if (bootBdm.source_type === 'volume') {
        const v = st().volumes[String(bootBdm.uuid)];
        if (!v) throw fault(400, `Block Device Mapping is Invalid: failed to get volume ${String(bootBdm.uuid)}.`);
        if (v.status !== 'available')
          throw fault(400, `Invalid volume: Volume ${v.id} status must be available, but current status is: ${v.status}.`);
        volumeId = v.id;
      } else {
        const size = Number(bootBdm.volume_size ?? 0);
        if (!(size > 0))
          throw fault(400, `Block Device Mapping is Invalid: Images with destination_type 'volume' need to have a non-zero size specified`);
        volumeId = newVolume(sim, t, { size, name: '', imageId: imageForChecks ?? null, noJob: true }).id;
        createdByNova = true;
      }
      volumes.push({
        volumeId,
        device: '/dev/vda',
        attachmentId: sim.ids.uuid(),
        deleteOnTermination: bootBdm.delete_on_termination === true,
        ...(createdByNova ? { createdByNova } : {}),
      });
    }
    const now = sim.iso();
    const server: Server = {
      id,
      seq: sim.nextSeq(),
      name,
      projectId: t.projectId ?? '',
      userId: t.userId,
      flavorId,
      imageId,
      keyName,
      metadata: (body.metadata as Record<string, string> | undefined) ?? {},
      description: typeof body.description === 'string' ? body.description : null,
      userData: typeof body.user_data === 'string' ? body.user_data : null,
      vmState: 'building',
      taskState: 'scheduling',
      powerState: 0,
      created: now,
      updated: now,
      launchedAt: null,
      adminPass: sim.ids.hex(12),
      hostId: sim.ids.hex(56),
      securityGroups: Array.isArray(body.security_groups) ? body.security_groups.filter(isObject).map((g) => String(g.name)) : ['default'],
      ownedPortIds: [],
      volumes,
    };
    for (const n of plan) {
      if (n.portId) {
        Object.assign(st().ports[n.portId]!, { device_id: id, device_owner: 'compute:nova', 'binding:host_id': 'simulator' });
        continue;
      }
      const port = createPort(sim, {
        projectId: server.projectId,
        networkId: n.networkId!,
        deviceId: id,
        deviceOwner: 'compute:nova',
        fixedIps: n.fixedIp ? [{ ip_address: n.fixedIp }] : undefined,
      });
      server.ownedPortIds.push(port.id);
    }
    for (const a of volumes) Object.assign(st().volumes[a.volumeId]!, { status: 'attaching' });
    for (const a of volumes)
      st().volumes[a.volumeId]!.attachments = [{ serverId: id, attachmentId: a.attachmentId, device: a.device, attachedAt: now }];
    st().servers[id] = server;
    sim.later('nova.spawning', id, 0.5);
    sim.later('nova.build', id, 1, sim.drawBuildError('server') ? 'error' : undefined);
    const self = `${req.serviceUrl}/v2.1/servers/${id}`;
    return reply(
      202,
      {
        server: {
          id,
          links: [
            { rel: 'self', href: self },
            { rel: 'bookmark', href: `${req.serviceUrl}/servers/${id}` },
          ],
          'OS-DCF:diskConfig': 'MANUAL',
          security_groups: server.securityGroups.map((n) => ({ name: n })),
          adminPass: server.adminPass,
        },
      },
      { Location: self },
    );
  };

  const listServers = (detail: boolean) => (req: OsRequest) => {
    const mv = mvOf(req);
    const t = req.token!;
    const page = pageParams(req.query);
    if ('error' in page) throw fault(400, page.error);
    const q = req.query;
    let items = Object.values(st().servers).filter((s) => s.projectId === t.projectId);
    const name = q.get('name');
    if (name !== null) {
      let re: RegExp;
      try {
        re = new RegExp(name);
      } catch {
        re = new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      }
      items = items.filter((s) => re.test(s.name));
    }
    const views = items.sort((a, b) => b.seq - a.seq).map((s) => ({ id: s.id, s, v: serverView(sim, req, mv, s, true) }));
    let filtered = views;
    const status = q.get('status');
    if (status) filtered = filtered.filter((x) => x.v.status === status.toUpperCase());
    if (q.get('flavor')) filtered = filtered.filter((x) => x.s.flavorId === q.get('flavor'));
    if (q.get('image')) filtered = filtered.filter((x) => x.s.imageId === q.get('image'));
    const slice = pageAfter(filtered, page);
    if (!slice) throw fault(400, `marker [${page.marker ?? ''}] not found`);
    const body: Record<string, unknown> = { servers: slice.map((x) => (detail ? x.v : serverView(sim, req, mv, x.s, false))) };
    const limit = page.limit;
    if (limit !== undefined && limit > 0 && slice.length === limit)
      body.servers_links = [
        { rel: 'next', href: nextHref(`${req.serviceUrl}/v2.1/servers${detail ? '/detail' : ''}`, q, slice[slice.length - 1]!.id, limit) },
      ];
    return reply(200, body);
  };

  router
    .on('POST', '/v2.1/servers', create)
    .on('GET', '/v2.1/servers', listServers(false))
    .on('GET', '/v2.1/servers/detail', listServers(true))
    .on('GET', '/v2.1/servers/:id', (req, { id }) =>
      reply(200, { server: serverView(sim, req, mvOf(req), findServer(sim, req.token!, id!), true) }),
    )
    .on('PUT', '/v2.1/servers/:id', (req, { id }) => {
      const mv = mvOf(req);
      const s = findServer(sim, req.token!, id!);
      const body = isObject(req.body) && isObject(req.body.server) ? req.body.server : undefined;
      if (!body) throw invalid('server', req.body ?? null, `'server' is a required property`);
      for (const k of Object.keys(body))
        if (!['name', 'accessIPv4', 'accessIPv6', 'OS-DCF:diskConfig', ...(mv.minor >= 19 ? ['description'] : [])].includes(k))
          throw invalid('server', body, `Additional properties are not allowed ('${k}' was unexpected)`);
      if (typeof body.name === 'string') s.name = body.name;
      if (mv.minor >= 19 && 'description' in body) s.description = (body.description as string | null) ?? null;
      s.updated = sim.iso();
      return reply(200, { server: serverView(sim, req, mv, s, true) });
    })
    .on('DELETE', '/v2.1/servers/:id', (req, { id }) => {
      const s = findServer(sim, req.token!, id!);
      if (s.taskState !== 'deleting') {
        sim.cancel(s.id);
        s.taskState = 'deleting';
        s.updated = sim.iso();
        sim.later('nova.delete', s.id);
      }
      return reply(204);
    });
}
