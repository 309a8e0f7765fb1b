import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenStackSimulator, type RunningOpenStackSimulator } from '../../local/openstack/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON payloads are asserted field by field */
type Json = any;

interface Answer {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

async function call(
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
  if (opts.token) headers['x-auth-token'] = opts.token;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: Json;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

const passwordAuth = (
  user = 'admin',
  password = 'admin',
  project: Record<string, unknown> = { name: 'admin', domain: { name: 'Default' } },
) => ({
  auth: {
    identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
    scope: { project },
  },
});

interface Session {
  token: string;
  endpoints: Record<string, string>;
  projectId: string;
}

async function login(sim: RunningOpenStackSimulator): Promise<Session> {
  const r = await call('POST', `${sim.url}/auth/tokens`, { body: passwordAuth() });
  expect(r.status).toBe(201);
  const endpoints: Record<string, string> = {};
  for (const s of r.body.token.catalog) endpoints[s.type] = s.endpoints.find((e: Json) => e.interface === 'public').url;
  return { token: r.headers.get('x-subject-token')!, endpoints, projectId: r.body.token.project.id };
}

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

let sim: RunningOpenStackSimulator;
let s: Session;
const nova = (p: string) => `${s.endpoints.compute}${p}`;
const neutron = (p: string) => `${s.endpoints.network}/v2.0${p}`;
const cinder = (p: string) => `${s.endpoints['block-storage']}${p}`;
const glance = (p: string) => `${s.endpoints.image}/v2${p}`;
const octavia = (p: string) => `${s.endpoints['load-balancer']}/v2/lbaas${p}`;
const MV = { 'OpenStack-API-Version': 'compute 2.79' };

let privateNet: Json;
let publicNet: Json;
let cirros: Json;
let ubuntu: Json;

async function createServer(name: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  return call('POST', nova('/servers'), {
    token: s.token,
    headers: MV,
    body: { server: { name, flavorRef: '1', imageRef: cirros.id, networks: [{ uuid: privateNet.id }], ...extra } },
  });
}
const getServer = (id: string) => call('GET', nova(`/servers/${id}`), { token: s.token, headers: MV });
const serverStatus = (id: string, status: string) =>
  until(
    () => getServer(id),
    (r) => r.body?.server?.status === status,
  );

beforeAll(async () => {
  sim = await startOpenStackSimulator({ port: 0, transitionMs: 40, seed: 42 });
  s = await login(sim);
  privateNet = (await call('GET', neutron('/networks?name=private'), { token: s.token })).body.networks[0];
  publicNet = (await call('GET', neutron('/networks?router:external=true'), { token: s.token })).body.networks[0];
  const images = (await call('GET', glance('/images'), { token: s.token })).body.images;
  cirros = images.find((i: Json) => i.name === 'cirros');
  ubuntu = images.find((i: Json) => i.name === 'ubuntu-22.04');
});

afterAll(async () => {
  await sim?.stop();
});

describe('Keystone v3', () => {
  it('issues a project-scoped token with a catalog of every service on three interfaces in RegionOne', async () => {
    const r = await call('POST', `${sim.url}/auth/tokens`, { body: passwordAuth() });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-subject-token')).toMatch(/^gAAAAAB/);
    expect(r.headers.get('x-openstack-request-id')).toMatch(/^req-[0-9a-f-]{36}$/);
    const t = r.body.token;
    expect(Date.parse(t.expires_at)).toBeGreaterThan(Date.now());
    expect(t.project).toMatchObject({ name: 'admin', domain: { name: 'Default' } });
    expect(t.user.name).toBe('admin');
    expect(t.roles.map((x: Json) => x.name)).toContain('admin');
    const types = t.catalog.map((c: Json) => c.type);
    expect(types).toEqual(
      expect.arrayContaining(['identity', 'compute', 'network', 'block-storage', 'volumev3', 'image', 'load-balancer']),
    );
    for (const svc of t.catalog) {
      expect(svc.endpoints.map((e: Json) => e.interface).sort()).toEqual(['admin', 'internal', 'public']);
      expect(svc.endpoints.every((e: Json) => e.region_id === 'RegionOne')).toBe(true);
    }
    expect(s.endpoints['block-storage']).toMatch(new RegExp(`/v3/${t.project.id}$`));
  });

  it('scopes by project id and authenticates an application credential', async () => {
    const byId = await call('POST', `${sim.url}/auth/tokens`, { body: passwordAuth('admin', 'admin', { id: s.projectId }) });
    expect(byId.status).toBe(201);
    const { id, secret } = sim.credentials.applicationCredential;
    const ac = await call('POST', `${sim.url}/auth/tokens`, {
      body: { auth: { identity: { methods: ['application_credential'], application_credential: { id, secret } } } },
    });
    expect(ac.status).toBe(201);
    expect(ac.body.token.application_credential.id).toBe(id);
    expect(ac.body.token.project.id).toBe(s.projectId);
    expect(ac.body.token.catalog.length).toBeGreaterThan(5);
  });

  it('answers 401 in the Keystone error shape for wrong credentials', async () => {
    const r = await call('POST', `${sim.url}/auth/tokens`, { body: passwordAuth('admin', 'nope') });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: 401, title: 'Unauthorized', message: expect.any(String) } });
    const badSecret = await call('POST', `${sim.url}/auth/tokens`, {
      body: {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { id: sim.credentials.applicationCredential.id, secret: 'x' },
          },
        },
      },
    });
    expect(badSecret.status).toBe(401);
  });

  it('validates a token with X-Subject-Token and revokes it', async () => {
    const other = await login(sim);
    const v = await call('GET', `${sim.url}/auth/tokens`, { token: s.token, headers: { 'X-Subject-Token': other.token } });
    expect(v.status).toBe(200);
    expect(v.body.token.project.id).toBe(s.projectId);
    expect((await call('DELETE', `${sim.url}/auth/tokens`, { token: s.token, headers: { 'X-Subject-Token': other.token } })).status).toBe(
      204,
    );
    expect((await call('GET', nova('/servers'), { token: other.token })).status).toBe(401);
  });

  it('rejects a request without token, and an expired token, with 401 on every service', async () => {
    for (const url of [nova('/servers'), neutron('/networks'), cinder('/volumes'), glance('/images'), octavia('/loadbalancers')]) {
      const r = await call('GET', url);
      expect(r.status, url).toBe(401);
      expect(r.body.error.code).toBe(401);
      expect(r.headers.get('www-authenticate')).toContain('Keystone uri=');
      expect(r.headers.get('x-openstack-request-id')).toMatch(/^req-/);
    }
    const short = await startOpenStackSimulator({ port: 0, tokenTtlSeconds: 0.1 });
    try {
      const t = await login(short);
      expect((await call('GET', `${t.endpoints.compute}/flavors`, { token: t.token })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 150));
      expect((await call('GET', `${t.endpoints.compute}/flavors`, { token: t.token })).status).toBe(401);
    } finally {
      await short.stop();
    }
  });
});

describe('Nova v2.1', () => {
  it('negotiates microversions and echoes the one used', async () => {
    const def = await call('GET', nova('/flavors'), { token: s.token });
    expect(def.headers.get('openstack-api-version')).toBe('compute 2.1');
    const legacy = await call('GET', nova('/flavors'), { token: s.token, headers: { 'X-OpenStack-Nova-API-Version': '2.60' } });
    expect(legacy.headers.get('x-openstack-nova-api-version')).toBe('2.60');
    const latest = await call('GET', nova('/flavors'), { token: s.token, headers: { 'OpenStack-API-Version': 'compute latest' } });
    expect(latest.headers.get('openstack-api-version')).toMatch(/^compute 2\.\d+$/);
    const tooHigh = await call('GET', nova('/flavors'), { token: s.token, headers: { 'OpenStack-API-Version': 'compute 2.999' } });
    expect(tooHigh.status).toBe(406);
    const garbage = await call('GET', nova('/flavors'), { token: s.token, headers: { 'OpenStack-API-Version': 'compute two' } });
    expect(garbage.status).toBe(400);
    expect(garbage.body.badRequest.code).toBe(400);
  });

  it('lists the classic flavors with their sizes', async () => {
    const r = await call('GET', nova('/flavors/detail'), { token: s.token });
    const byName = Object.fromEntries(r.body.flavors.map((f: Json) => [f.name, [f.id, f.vcpus, f.ram, f.disk]]));
    expect(byName).toEqual({
      'm1.tiny': ['1', 1, 512, 1],
      'm1.small': ['2', 1, 2048, 20],
      'm1.medium': ['3', 2, 4096, 40],
      'm1.large': ['4', 4, 8192, 80],
    });
    expect((await call('GET', nova('/flavors/99'), { token: s.token })).body.itemNotFound.code).toBe(404);
  });

  it('builds a server BUILD → ACTIVE with a private address and a Neutron port bound to it', async () => {
    const c = await createServer('web-1', { metadata: { role: 'web' }, user_data: Buffer.from('#cloud-config\n').toString('base64') });
    expect(c.status).toBe(202);
    expect(c.headers.get('location')).toContain(`/servers/${c.body.server.id}`);
    const id = c.body.server.id;
    const first = await getServer(id);
    expect(first.body.server.status).toBe('BUILD');
    expect(first.body.server['OS-EXT-STS:vm_state']).toBe('building');
    const active = await serverStatus(id, 'ACTIVE');
    expect(active.body.server['OS-EXT-STS:task_state']).toBeNull();
    expect(active.body.server.flavor.original_name).toBe('m1.tiny');
    const [addr] = active.body.server.addresses.private;
    expect(addr['OS-EXT-IPS:type']).toBe('fixed');
    expect(addr.addr).toMatch(/^10\.0\.0\./);
    const ports = await call('GET', neutron(`/ports?device_id=${id}`), { token: s.token });
    expect(ports.body.ports).toHaveLength(1);
    expect(ports.body.ports[0]).toMatchObject({ device_owner: 'compute:nova', status: 'ACTIVE', network_id: privateNet.id });
    expect(ports.body.ports[0].fixed_ips[0].ip_address).toBe(addr.addr);
  });

  it('validates create: networks from 2.37, base64 user_data, image and flavor fit, key name', async () => {
    const noNet = await call('POST', nova('/servers'), {
      token: s.token,
      headers: MV,
      body: { server: { name: 'x', flavorRef: '1', imageRef: cirros.id } },
    });
    expect(noNet.status).toBe(400);
    expect(noNet.body.badRequest.message).toContain("'networks' is a required property");
    expect((await createServer('x', { user_data: 'not base64!' })).body.badRequest.message).toContain("is not a 'base64'");
    const tooSmall = await createServer('x', { imageRef: ubuntu.id });
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.body.badRequest.message).toMatch(/too small/);
    expect((await createServer('x', { flavorRef: '42' })).body.badRequest.message).toBe('Invalid flavorRef provided.');
    expect((await createServer('x', { key_name: 'missing' })).body.badRequest.message).toBe('Invalid key_name provided.');
    const none = await createServer('no-net', { networks: 'none' });
    expect(none.status).toBe(202);
    expect((await serverStatus(none.body.server.id, 'ACTIVE')).body.server.addresses).toEqual({});
  });

  it('pages server lists with limit, marker and servers_links', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) expect((await createServer(n)).status).toBe(202);
    const p1 = await call('GET', nova('/servers?limit=2'), { token: s.token });
    expect(p1.body.servers).toHaveLength(2);
    const next = p1.body.servers_links.find((l: Json) => l.rel === 'next').href;
    expect(next).toContain(`marker=${p1.body.servers[1].id}`);
    const p2 = await call('GET', next, { token: s.token });
    expect(p2.body.servers[0].id).not.toBe(p1.body.servers[0].id);
    expect((await call('GET', nova('/servers?marker=nope'), { token: s.token })).status).toBe(400);
    const detail = await call('GET', nova('/servers/detail?name=page-'), { token: s.token });
    expect(detail.body.servers.map((x: Json) => x.name).sort()).toEqual(['page-a', 'page-b', 'page-c']);
  });

  it('resizes through VERIFY_RESIZE to confirm, reverts, stops and starts, and refuses actions in the wrong state', async () => {
    const id = (await createServer('resizable')).body.server.id;
    // While scheduled Nova only has a build request: actions 404 (as the real Nova); once spawning, 409.
    const scheduling = await call('POST', nova(`/servers/${id}/action`), { token: s.token, body: { 'os-stop': null } });
    expect(scheduling.status).toBe(404);
    expect(scheduling.body.itemNotFound.message).toBe(`Instance ${id} could not be found.`);
    // Spawning now (the scheduling step skipped; unless a loaded machine already let the build finish).
    const live = sim.state.servers[id]!;
    if (live.vmState === 'building') {
      live.taskState = 'spawning';
      const spawning = await call('POST', nova(`/servers/${id}/action`), { token: s.token, body: { 'os-stop': null } });
      expect(spawning.status).toBe(409);
      expect(spawning.body.conflictingRequest.message).toContain('vm_state building');
    }
    await serverStatus(id, 'ACTIVE');
    const action = (body: unknown) => call('POST', nova(`/servers/${id}/action`), { token: s.token, headers: MV, body });
    expect((await action({ resize: { flavorRef: '1' } })).status).toBe(400);
    expect((await action({ resize: { flavorRef: '2' } })).status).toBe(202);
    expect((await getServer(id)).body.server.status).toBe('RESIZE');
    await serverStatus(id, 'VERIFY_RESIZE');
    expect((await action({ confirmResize: null })).status).toBe(204);
    const resized = await serverStatus(id, 'ACTIVE');
    expect(resized.body.server.flavor.original_name).toBe('m1.small');
    expect((await action({ resize: { flavorRef: '3' } })).status).toBe(202);
    await serverStatus(id, 'VERIFY_RESIZE');
    expect((await action({ revertResize: null })).status).toBe(202);
    expect((await serverStatus(id, 'ACTIVE')).body.server.flavor.original_name).toBe('m1.small');
    expect((await action({ confirmResize: null })).status).toBe(409);
    expect((await action({ 'os-stop': null })).status).toBe(202);
    await serverStatus(id, 'SHUTOFF');
    expect((await call('GET', neutron(`/ports?device_id=${id}`), { token: s.token })).body.ports[0].status).toBe('DOWN');
    expect((await action({ 'os-stop': null })).body.conflictingRequest.code).toBe(409);
    expect((await action({ 'os-start': null })).status).toBe(202);
    await serverStatus(id, 'ACTIVE');
    expect((await action({ reboot: { type: 'SOFT' } })).status).toBe(202);
    expect((await getServer(id)).body.server.status).toBe('REBOOT');
    await serverStatus(id, 'ACTIVE');
    expect((await action({ reboot: { type: 'GENTLE' } })).status).toBe(400);
    expect((await action({ frobnicate: null })).body.badRequest.message).toBe('There is no such action: frobnicate');
  });

  it('deletes a server: task_state deleting, then 404 and its ports gone', async () => {
    const id = (await createServer('doomed')).body.server.id;
    await serverStatus(id, 'ACTIVE');
    expect((await call('DELETE', nova(`/servers/${id}`), { token: s.token })).status).toBe(204);
    expect((await getServer(id)).body.server['OS-EXT-STS:task_state']).toBe('deleting');
    const gone = await until(
      () => getServer(id),
      (r) => r.status === 404,
    );
    expect(gone.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
    expect((await call('GET', neutron(`/ports?device_id=${id}`), { token: s.token })).body.ports).toEqual([]);
  });

  it('creates and imports keypairs', async () => {
    const gen = await call('POST', nova('/os-keypairs'), { token: s.token, headers: MV, body: { keypair: { name: 'gen' } } });
    expect(gen.status).toBe(201);
    expect(gen.body.keypair.private_key).toContain('PRIVATE KEY');
    expect(gen.body.keypair.fingerprint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const imported = await call('POST', nova('/os-keypairs'), {
      token: s.token,
      headers: MV,
      body: { keypair: { name: 'imp', public_key: gen.body.keypair.public_key } },
    });
    expect(imported.body.keypair.fingerprint).toBe(gen.body.keypair.fingerprint);
    expect((await call('POST', nova('/os-keypairs'), { token: s.token, body: { keypair: { name: 'imp' } } })).status).toBe(409);
    const bad = await call('POST', nova('/os-keypairs'), {
      token: s.token,
      body: { keypair: { name: 'bad', public_key: 'ssh-rsa nope' } },
    });
    expect(bad.body.badRequest.message).toContain('Keypair data is invalid');
    const list = await call('GET', nova('/os-keypairs'), { token: s.token });
    expect(list.body.keypairs.map((k: Json) => k.keypair.name)).toEqual(['gen', 'imp']);
    expect((await createServer('keyed', { key_name: 'gen' })).status).toBe(202);
    expect((await call('DELETE', nova('/os-keypairs/imp'), { token: s.token, headers: MV })).status).toBe(204);
  });

  it('reports quota usage and refuses creates and resizes beyond it with 403 "Quota exceeded"', async () => {
    const q = await call('GET', nova(`/os-quota-sets/${s.projectId}/detail`), { token: s.token });
    const used = q.body.quota_set.instances.in_use;
    expect(used).toBeGreaterThan(0);
    expect(q.body.quota_set.cores).toMatchObject({ limit: 20, in_use: expect.any(Number) });
    const put = await call('PUT', nova(`/os-quota-sets/${s.projectId}`), { token: s.token, body: { quota_set: { instances: used } } });
    expect(put.body.quota_set.instances).toBe(used);
    const over = await createServer('over');
    expect(over.status).toBe(403);
    expect(over.body.forbidden.message).toBe(`Quota exceeded for instances: Requested 1, but already used ${used} of ${used} instances`);
    const limits = await call('GET', nova('/limits'), { token: s.token });
    expect(limits.body.limits.absolute).toMatchObject({ maxTotalInstances: used, totalInstancesUsed: used });
    await call('PUT', nova(`/os-quota-sets/${s.projectId}`), {
      token: s.token,
      body: { quota_set: { instances: 10, cores: q.body.quota_set.cores.in_use } },
    });
    const servers = (await call('GET', nova('/servers/detail?status=ACTIVE'), { token: s.token, headers: MV })).body.servers;
    const tiny = servers.find((x: Json) => x.flavor.original_name === 'm1.tiny');
    const resize = await call('POST', nova(`/servers/${tiny.id}/action`), { token: s.token, body: { resize: { flavorRef: '3' } } });
    expect(resize.status).toBe(403);
    expect(resize.body.forbidden.message).toMatch(/^Quota exceeded for cores/);
    await call('DELETE', nova(`/os-quota-sets/${s.projectId}`), { token: s.token });
  });
});

describe('Neutron v2.0', () => {
  it('is seeded with a private network 10.0.0.0/24 and an external network 172.24.4.0/24 joined by a router', async () => {
    expect(publicNet).toMatchObject({ name: 'public', 'router:external': true, status: 'ACTIVE' });
    const subnets = (await call('GET', neutron('/subnets'), { token: s.token })).body.subnets;
    const cidrs = Object.fromEntries(subnets.map((x: Json) => [x.network_id, x.cidr]));
    expect(cidrs[privateNet.id]).toBe('10.0.0.0/24');
    expect(cidrs[publicNet.id]).toBe('172.24.4.0/24');
    const routers = (await call('GET', neutron('/routers'), { token: s.token })).body.routers;
    expect(routers[0].external_gateway_info.network_id).toBe(publicNet.id);
  });

  it('creates networks and subnets, validating the cidr, in the NeutronError shape', async () => {
    const net = await call('POST', neutron('/networks'), { token: s.token, body: { network: { name: 'app' } } });
    expect(net.status).toBe(201);
    const bad = await call('POST', neutron('/subnets'), {
      token: s.token,
      body: { subnet: { network_id: net.body.network.id, ip_version: 4, cidr: '10.1.0.0/33' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.NeutronError).toEqual({
      type: 'InvalidInput',
      message: 'Invalid input for operation: 10.1.0.0/33 is not in a CIDR format.',
      detail: '',
    });
    const sub = await call('POST', neutron('/subnets'), {
      token: s.token,
      body: { subnet: { network_id: net.body.network.id, ip_version: 4, cidr: '10.1.0.0/28', dns_nameservers: ['1.1.1.1'] } },
    });
    expect(sub.status).toBe(201);
    expect(sub.body.subnet).toMatchObject({ gateway_ip: '10.1.0.1', allocation_pools: [{ start: '10.1.0.2', end: '10.1.0.14' }] });
    const overlap = await call('POST', neutron('/subnets'), {
      token: s.token,
      body: { subnet: { network_id: net.body.network.id, ip_version: 4, cidr: '10.1.0.0/24' } },
    });
    expect(overlap.body.NeutronError.message).toContain('overlaps');
    // As Neutron Zed: host bits cleared, a gateway outside the subnet accepted, IPv4's network address refused.
    const loose = await call('POST', neutron('/subnets'), {
      token: s.token,
      body: { subnet: { network_id: net.body.network.id, ip_version: 4, cidr: '10.2.0.5/24', gateway_ip: '10.3.0.1' } },
    });
    expect(loose.body.subnet).toMatchObject({
      cidr: '10.2.0.0/24',
      gateway_ip: '10.3.0.1',
      allocation_pools: [{ start: '10.2.0.1', end: '10.2.0.254' }],
    });
    const netGw = await call('POST', neutron('/subnets'), {
      token: s.token,
      body: { subnet: { network_id: net.body.network.id, ip_version: 4, cidr: '10.4.0.0/24', gateway_ip: '10.4.0.0' } },
    });
    expect(netGw.body.NeutronError).toMatchObject({
      type: 'InvalidInput',
      message: 'Invalid input for operation: Gateway is not valid on subnet.',
    });
    const missing = await call('GET', neutron('/networks/00000000-0000-4000-8000-000000000000'), { token: s.token });
    expect(missing.status).toBe(404);
    expect(missing.body.NeutronError.type).toBe('NetworkNotFound');
    const unknown = await call('POST', neutron('/networks'), { token: s.token, body: { network: { name: 'x', colour: 'red' } } });
    expect(unknown.body.NeutronError.message).toBe("Unrecognized attribute(s) 'colour'");
  });

  it('creates IPv6 subnets in canonical form (gateway the subnet-router anycast by default) and gives ports an address in each family', async () => {
    const net = (await call('POST', neutron('/networks'), { token: s.token, body: { network: { name: 'dual' } } })).body.network;
    const sub = (subnet: Record<string, unknown>) =>
      call('POST', neutron('/subnets'), { token: s.token, body: { subnet: { network_id: net.id, ...subnet } } });
    const v6 = await sub({
      ip_version: 6,
      cidr: '2001:DB8:0:0:0::/64',
      gateway_ip: '2001:db8:0::1',
      dns_nameservers: ['2001:4860:4860:0:0:0:0:8888'],
    });
    expect(v6.status).toBe(201);
    expect(v6.body.subnet).toMatchObject({
      cidr: '2001:db8::/64',
      gateway_ip: '2001:db8::1',
      // Neutron keeps the nameservers as written.
      dns_nameservers: ['2001:4860:4860:0:0:0:0:8888'],
      allocation_pools: [{ start: '2001:db8::2', end: '2001:db8::ffff:ffff:ffff:ffff' }],
    });
    const slaac = await sub({ ip_version: 6, cidr: '2001:db9::/64', ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' });
    expect(slaac.body.subnet).toMatchObject({ gateway_ip: '2001:db9::', ipv6_address_mode: 'slaac' });
    expect((await sub({ ip_version: 6, cidr: '2001:db8::/48' })).body.NeutronError.message).toContain('overlaps with another subnet');
    expect((await sub({ ip_version: 6, cidr: '2001:dba::/64', dns_nameservers: ['8.8.8.8'] })).body.NeutronError.message).toBe(
      "Invalid input for operation: dns_nameserver '8.8.8.8' does not match the ip_version '6'.",
    );
    expect((await sub({ ip_version: 4, cidr: '10.9.0.0/24', dns_nameservers: ['1.1.1.1', '1.1.1.1'] })).body.NeutronError.message).toBe(
      "Invalid input for dns_nameservers. Reason: Duplicate nameserver '1.1.1.1'.",
    );
    await sub({ ip_version: 4, cidr: '10.9.0.0/24' });
    const port = (await call('POST', neutron('/ports'), { token: s.token, body: { port: { network_id: net.id } } })).body.port;
    const addrs: string[] = port.fixed_ips.map((f: Json) => f.ip_address);
    expect(addrs).toHaveLength(3);
    expect(addrs).toContain('10.9.0.2');
    expect(addrs).toContain('2001:db8::2');
    // SLAAC: the modified EUI-64 of the MAC.
    const [a, b, c, d, e, f] = (port.mac_address as string).split(':').map((x) => parseInt(x, 16));
    const eui = `2001:db9::${((a! ^ 2) * 256 + b!).toString(16)}:${(c! * 256 + 0xff).toString(16)}:${(0xfe00 + d!).toString(16)}:${(e! * 256 + f!).toString(16)}`;
    expect(addrs).toContain(eui);
    expect((await call('DELETE', neutron(`/ports/${port.id}`), { token: s.token })).status).toBe(204);
    expect((await call('DELETE', neutron(`/networks/${net.id}`), { token: s.token })).status).toBe(204);
  });

  it('refuses to delete a network with ports (409 NetworkInUse) and deletes it once empty', async () => {
    const net = (await call('POST', neutron('/networks'), { token: s.token, body: { network: { name: 'busy' } } })).body.network;
    await call('POST', neutron('/subnets'), {
      token: s.token,
      body: { subnet: { network_id: net.id, ip_version: 4, cidr: '192.168.50.0/24' } },
    });
    const port = await call('POST', neutron('/ports'), {
      token: s.token,
      body: { port: { network_id: net.id, fixed_ips: [{ ip_address: '192.168.50.10' }] } },
    });
    expect(port.body.port.fixed_ips[0].ip_address).toBe('192.168.50.10');
    expect(port.body.port.mac_address).toMatch(/^fa:16:3e/);
    const dup = await call('POST', neutron('/ports'), {
      token: s.token,
      body: { port: { network_id: net.id, fixed_ips: [{ ip_address: '192.168.50.10' }] } },
    });
    expect(dup.body.NeutronError.type).toBe('IpAddressAlreadyAllocated');
    const del = await call('DELETE', neutron(`/networks/${net.id}`), { token: s.token });
    expect(del.status).toBe(409);
    expect(del.body.NeutronError.type).toBe('NetworkInUse');
    expect((await call('DELETE', neutron(`/ports/${port.body.port.id}`), { token: s.token })).status).toBe(204);
    expect((await call('DELETE', neutron(`/networks/${net.id}`), { token: s.token })).status).toBe(204);
  });

  it('pages with limit/marker and networks_links, and filters by attributes', async () => {
    const all = (await call('GET', neutron('/networks'), { token: s.token })).body.networks;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const p1 = await call('GET', neutron('/networks?limit=1'), { token: s.token });
    expect(p1.body.networks).toHaveLength(1);
    const next = p1.body.networks_links.find((l: Json) => l.rel === 'next').href;
    const p2 = await call('GET', next, { token: s.token });
    expect(p2.body.networks[0].id > p1.body.networks[0].id).toBe(true);
    expect(p2.body.networks_links.some((l: Json) => l.rel === 'previous')).toBe(true);
    const ext = await call('GET', neutron('/networks?router:external=true&fields=id&fields=name'), { token: s.token });
    expect(ext.body.networks).toEqual([{ id: publicNet.id, name: 'public' }]);
  });

  it('allocates a floating IP on the external network, associates it to a server port (DOWN → ACTIVE) and disassociates it', async () => {
    const id = (await createServer('with-fip')).body.server.id;
    await serverStatus(id, 'ACTIVE');
    const port = (await call('GET', neutron(`/ports?device_id=${id}`), { token: s.token })).body.ports[0];
    const fip = await call('POST', neutron('/floatingips'), {
      token: s.token,
      body: { floatingip: { floating_network_id: publicNet.id } },
    });
    expect(fip.status).toBe(201);
    expect(fip.body.floatingip).toMatchObject({ status: 'DOWN', port_id: null });
    expect(fip.body.floatingip.floating_ip_address).toMatch(/^172\.24\.4\./);
    const fipId = fip.body.floatingip.id;
    const assoc = await call('PUT', neutron(`/floatingips/${fipId}`), { token: s.token, body: { floatingip: { port_id: port.id } } });
    expect(assoc.body.floatingip).toMatchObject({ port_id: port.id, fixed_ip_address: port.fixed_ips[0].ip_address });
    await until(
      () => call('GET', neutron(`/floatingips/${fipId}`), { token: s.token }),
      (r) => r.body.floatingip.status === 'ACTIVE',
    );
    const addrs = (await getServer(id)).body.server.addresses.private;
    expect(addrs.find((a: Json) => a['OS-EXT-IPS:type'] === 'floating').addr).toBe(fip.body.floatingip.floating_ip_address);
    const off = await call('PUT', neutron(`/floatingips/${fipId}`), { token: s.token, body: { floatingip: { port_id: null } } });
    expect(off.body.floatingip).toMatchObject({ port_id: null, fixed_ip_address: null, status: 'DOWN' });
    const internal = await call('POST', neutron('/floatingips'), {
      token: s.token,
      body: { floatingip: { floating_network_id: privateNet.id } },
    });
    expect(internal.status).toBe(400);
    expect((await call('DELETE', neutron(`/floatingips/${fipId}`), { token: s.token })).status).toBe(204);
  });

  it('refuses to associate a floating IP to a port on a network no router connects (404 ExternalGatewayForFloatingIPNotFound)', async () => {
    const net = (await call('POST', neutron('/networks'), { token: s.token, body: { network: { name: 'isolated' } } })).body.network;
    const sub = (
      await call('POST', neutron('/subnets'), {
        token: s.token,
        body: { subnet: { network_id: net.id, ip_version: 4, cidr: '10.9.0.0/24' } },
      })
    ).body.subnet;
    const port = (await call('POST', neutron('/ports'), { token: s.token, body: { port: { network_id: net.id } } })).body.port;
    const r = await call('POST', neutron('/floatingips'), {
      token: s.token,
      body: { floatingip: { floating_network_id: publicNet.id, port_id: port.id } },
    });
    expect(r.status).toBe(404);
    expect(r.body.NeutronError.type).toBe('ExternalGatewayForFloatingIPNotFound');
    const router = (
      await call('POST', neutron('/routers'), {
        token: s.token,
        body: { router: { name: 'r2', external_gateway_info: { network_id: publicNet.id } } },
      })
    ).body.router;
    const itf = await call('PUT', neutron(`/routers/${router.id}/add_router_interface`), { token: s.token, body: { subnet_id: sub.id } });
    expect(itf.body).toMatchObject({ id: router.id, subnet_id: sub.id });
    const ok = await call('POST', neutron('/floatingips'), {
      token: s.token,
      body: { floatingip: { floating_network_id: publicNet.id, port_id: port.id } },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.floatingip.router_id).toBe(router.id);
    expect((await call('DELETE', neutron(`/routers/${router.id}`), { token: s.token })).body.NeutronError.type).toBe('RouterInUse');
  });

  it('reports quota details and answers 409 OverQuota beyond them', async () => {
    const d = await call('GET', neutron(`/quotas/${s.projectId}/details.json`), { token: s.token });
    expect(d.status).toBe(200);
    const used = d.body.quota.floatingip.used;
    expect(d.body.quota.network).toMatchObject({ limit: 100, used: expect.any(Number), reserved: 0 });
    await call('PUT', neutron(`/quotas/${s.projectId}`), { token: s.token, body: { quota: { floatingip: used } } });
    const r = await call('POST', neutron('/floatingips'), { token: s.token, body: { floatingip: { floating_network_id: publicNet.id } } });
    expect(r.status).toBe(409);
    expect(r.body.NeutronError).toEqual({ type: 'OverQuota', message: "Quota exceeded for resources: ['floatingip'].", detail: '' });
    await call('DELETE', neutron(`/quotas/${s.projectId}`), { token: s.token });
  });
});

describe('Cinder v3', () => {
  const volume = (id: string) => call('GET', cinder(`/volumes/${id}`), { token: s.token });
  const volumeStatus = (id: string, status: string) =>
    until(
      () => volume(id),
      (r) => r.body?.volume?.status === status,
    );

  it('creates a volume creating → available, extends it and deletes it (deleting → 404)', async () => {
    const c = await call('POST', cinder('/volumes'), { token: s.token, body: { volume: { size: 1, name: 'data' } } });
    expect(c.status).toBe(202);
    expect(c.body.volume.status).toBe('creating');
    const id = c.body.volume.id;
    await volumeStatus(id, 'available');
    expect((await call('POST', cinder(`/volumes/${id}/action`), { token: s.token, body: { 'os-extend': { new_size: 1 } } })).status).toBe(
      400,
    );
    expect((await call('POST', cinder(`/volumes/${id}/action`), { token: s.token, body: { 'os-extend': { new_size: 2 } } })).status).toBe(
      202,
    );
    expect((await volumeStatus(id, 'available')).body.volume.size).toBe(2);
    expect((await call('DELETE', cinder(`/volumes/${id}`), { token: s.token })).status).toBe(202);
    expect((await volume(id)).body.volume.status).toBe('deleting');
    const gone = await until(
      () => volume(id),
      (r) => r.status === 404,
    );
    expect(gone.body.itemNotFound.code).toBe(404);
  });

  it('attaches through Nova (in-use), refuses deletes and pre-3.42 extends while attached, then detaches', async () => {
    const server = (await createServer('with-volume')).body.server.id;
    const vol = (await call('POST', cinder('/volumes'), { token: s.token, body: { volume: { size: 1, name: 'attached' } } })).body.volume
      .id;
    await serverStatus(server, 'ACTIVE');
    await volumeStatus(vol, 'available');
    const att = await call('POST', nova(`/servers/${server}/os-volume_attachments`), {
      token: s.token,
      body: { volumeAttachment: { volumeId: vol } },
    });
    expect(att.status).toBe(200);
    expect(att.body.volumeAttachment).toMatchObject({ volumeId: vol, serverId: server, device: '/dev/vdb' });
    const inUse = await volumeStatus(vol, 'in-use');
    expect(inUse.body.volume.attachments[0]).toMatchObject({ server_id: server, device: '/dev/vdb' });
    const del = await call('DELETE', cinder(`/volumes/${vol}`), { token: s.token });
    expect(del.status).toBe(400);
    expect(del.body.badRequest.message).toMatch(/^Invalid volume/);
    const old = await call('POST', cinder(`/volumes/${vol}/action`), { token: s.token, body: { 'os-extend': { new_size: 2 } } });
    expect(old.status).toBe(400);
    const v342 = await call('POST', cinder(`/volumes/${vol}/action`), {
      token: s.token,
      headers: { 'OpenStack-API-Version': 'volume 3.42' },
      body: { 'os-extend': { new_size: 2 } },
    });
    expect(v342.status).toBe(202);
    expect(v342.headers.get('openstack-api-version')).toBe('volume 3.42');
    await volumeStatus(vol, 'in-use');
    expect((await call('DELETE', nova(`/servers/${server}/os-volume_attachments/${vol}`), { token: s.token })).status).toBe(202);
    await volumeStatus(vol, 'available');
    expect((await call('GET', nova(`/servers/${server}`), { token: s.token })).body.server['os-extended-volumes:volumes_attached']).toEqual(
      [],
    );
  });

  it('snapshots a volume (creating → available, progress 100%) and deletes the snapshot', async () => {
    const vol = (await call('POST', cinder('/volumes'), { token: s.token, body: { volume: { size: 1 } } })).body.volume.id;
    await volumeStatus(vol, 'available');
    const snap = await call('POST', cinder('/snapshots'), { token: s.token, body: { snapshot: { volume_id: vol, name: 'snap' } } });
    expect(snap.status).toBe(202);
    expect(snap.body.snapshot.status).toBe('creating');
    const sid = snap.body.snapshot.id;
    const ready = await until(
      () => call('GET', cinder(`/snapshots/${sid}`), { token: s.token }),
      (r) => r.body.snapshot.status === 'available',
    );
    expect(ready.body.snapshot['os-extended-snapshot-attributes:progress']).toBe('100%');
    expect((await call('DELETE', cinder(`/volumes/${vol}`), { token: s.token })).status).toBe(400);
    expect((await call('DELETE', cinder(`/snapshots/${sid}`), { token: s.token })).status).toBe(202);
    await until(
      () => call('GET', cinder(`/snapshots/${sid}`), { token: s.token }),
      (r) => r.status === 404,
    );
  });

  it('reports quota usage and answers 413 overLimit beyond the gigabytes quota', async () => {
    const q = await call('GET', cinder(`/os-quota-sets/${s.projectId}?usage=true`), { token: s.token });
    expect(q.body.quota_set.volumes).toMatchObject({ limit: 10, in_use: expect.any(Number), reserved: 0 });
    expect(q.body.quota_set.gigabytes.in_use).toBeGreaterThan(0);
    const r = await call('POST', cinder('/volumes'), { token: s.token, body: { volume: { size: 5000 } } });
    expect(r.status).toBe(413);
    expect(r.body.overLimit.message).toMatch(/exceeds allowed gigabytes quota/);
    const bad = await call('POST', cinder('/volumes'), { token: s.token, body: { volume: { size: 0 } } });
    expect(bad.body.badRequest.code).toBe(400);
    const page = await call('GET', cinder('/volumes?limit=1'), { token: s.token });
    expect(page.body.volumes).toHaveLength(1);
    expect(page.body.volumes_links[0].href).toContain('marker=');
  });
});

describe('Glance v2', () => {
  it('lists the seeded public images with their minimum sizes', () => {
    expect(cirros).toMatchObject({ status: 'active', visibility: 'public', disk_format: 'qcow2', min_disk: 1 });
    expect(ubuntu).toMatchObject({ status: 'active', visibility: 'public', min_disk: 10, min_ram: 512 });
  });

  it('filters, pages with a next link, and answers 404 for an unknown image', async () => {
    const byName = await call('GET', glance('/images?name=cirros&status=active&visibility=public'), { token: s.token });
    expect(byName.body.images.map((i: Json) => i.id)).toEqual([cirros.id]);
    const p1 = await call('GET', glance('/images?limit=1'), { token: s.token });
    expect(p1.body.images).toHaveLength(1);
    expect(p1.body.next).toMatch(/^\/v2\/images\?/);
    const p2 = await call('GET', `${s.endpoints.image}${p1.body.next}`, { token: s.token });
    expect(p2.body.images[0].id).not.toBe(p1.body.images[0].id);
    const one = await call('GET', glance(`/images/${ubuntu.id}`), { token: s.token });
    expect(one.body.name).toBe('ubuntu-22.04');
    const missing = await call('GET', glance('/images/00000000-0000-4000-8000-000000000000'), { token: s.token });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: '404 Not Found', title: 'Not Found' });
    expect((await call('GET', glance('/images?limit=x'), { token: s.token })).status).toBe(400);
  });
});

describe('Octavia v2', () => {
  const lbGet = (id: string) => call('GET', octavia(`/loadbalancers/${id}`), { token: s.token });
  const lbActive = (id: string) =>
    until(
      () => lbGet(id),
      (r) => r.body.loadbalancer?.provisioning_status === 'ACTIVE',
    );

  it('builds a load balancer step by step, 409 while PENDING_*, and deletes it with cascade', async () => {
    const subnet = privateNet.subnets[0];
    const lb = await call('POST', octavia('/loadbalancers'), {
      token: s.token,
      body: { loadbalancer: { name: 'lb1', vip_subnet_id: subnet } },
    });
    expect(lb.status).toBe(201);
    expect(lb.body.loadbalancer).toMatchObject({ provisioning_status: 'PENDING_CREATE', operating_status: 'OFFLINE' });
    expect(lb.body.loadbalancer.vip_address).toMatch(/^10\.0\.0\./);
    const id = lb.body.loadbalancer.id;
    const early = await call('POST', octavia('/listeners'), {
      token: s.token,
      body: { listener: { loadbalancer_id: id, protocol: 'HTTP', protocol_port: 80 } },
    });
    expect(early.status).toBe(409);
    expect(early.body).toEqual({
      faultcode: 'Client',
      faultstring: `Load Balancer ${id} is immutable and cannot be updated.`,
      debuginfo: null,
    });
    expect((await lbActive(id)).body.loadbalancer.operating_status).toBe('ONLINE');
    const listener = await call('POST', octavia('/listeners'), {
      token: s.token,
      body: { listener: { loadbalancer_id: id, protocol: 'HTTP', protocol_port: 80 } },
    });
    expect(listener.status).toBe(201);
    expect((await lbGet(id)).body.loadbalancer.provisioning_status).toBe('PENDING_UPDATE');
    await lbActive(id);
    const pool = await call('POST', octavia('/pools'), {
      token: s.token,
      body: { pool: { listener_id: listener.body.listener.id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' } },
    });
    expect(pool.status).toBe(201);
    await lbActive(id);
    const poolId = pool.body.pool.id;
    const member = await call('POST', octavia(`/pools/${poolId}/members`), {
      token: s.token,
      body: { member: { address: '10.0.0.50', protocol_port: 8080, subnet_id: subnet } },
    });
    expect(member.status).toBe(201);
    await lbActive(id);
    const hm = await call('POST', octavia('/healthmonitors'), {
      token: s.token,
      body: { healthmonitor: { pool_id: poolId, type: 'HTTP', delay: 5, timeout: 3, max_retries: 3 } },
    });
    expect(hm.status).toBe(201);
    await lbActive(id);
    const members = await call('GET', octavia(`/pools/${poolId}/members`), { token: s.token });
    expect(members.body.members[0]).toMatchObject({ address: '10.0.0.50', provisioning_status: 'ACTIVE' });
    expect((await call('GET', octavia(`/listeners/${listener.body.listener.id}`), { token: s.token })).body.listener.default_pool_id).toBe(
      poolId,
    );
    const noCascade = await call('DELETE', octavia(`/loadbalancers/${id}`), { token: s.token });
    expect(noCascade.status).toBe(400);
    expect((await call('DELETE', octavia(`/loadbalancers/${id}?cascade=true`), { token: s.token })).status).toBe(204);
    expect((await lbGet(id)).body.loadbalancer.provisioning_status).toBe('PENDING_DELETE');
    const gone = await until(
      () => lbGet(id),
      (r) => r.status === 404,
    );
    expect(gone.body.faultstring).toBe(`Load Balancer ${id} not found.`);
  });
});

describe('fault injection and determinism', () => {
  it('answers mutating calls with 500 in each service shape at errorRate 1, leaving reads alone', async () => {
    sim.setFaults({ errorRate: 1 });
    try {
      const n = await createServer('nope');
      expect(n.status).toBe(500);
      expect(n.body.computeFault.code).toBe(500);
      const ne = await call('POST', neutron('/networks'), { token: s.token, body: { network: { name: 'nope' } } });
      expect(ne.body.NeutronError.type).toBe('HTTPInternalServerError');
      const c = await call('POST', cinder('/volumes'), { token: s.token, body: { volume: { size: 1 } } });
      expect(c.body.computeFault.code).toBe(500);
      const o = await call('POST', octavia('/loadbalancers'), {
        token: s.token,
        body: { loadbalancer: { vip_subnet_id: privateNet.subnets[0] } },
      });
      expect(o.body.faultcode).toBe('Server');
      expect((await call('GET', nova('/servers'), { token: s.token })).status).toBe(200);
    } finally {
      sim.setFaults({ errorRate: 0 });
    }
  });

  it('ends builds in ERROR with a fault at buildErrorRate 1', async () => {
    sim.setFaults({ buildErrorRate: 1 });
    try {
      const id = (await createServer('broken')).body.server.id;
      const err = await serverStatus(id, 'ERROR');
      expect(err.body.server.fault).toMatchObject({ code: 500, message: expect.stringContaining('No valid host') });
      expect((await call('GET', neutron(`/ports?device_id=${id}`), { token: s.token })).body.ports).toEqual([]);
      const vol = (await call('POST', cinder('/volumes'), { token: s.token, body: { volume: { size: 1 } } })).body.volume.id;
      await until(
        () => call('GET', cinder(`/volumes/${vol}`), { token: s.token }),
        (r) => r.body.volume.status === 'error',
      );
      expect((await call('DELETE', nova(`/servers/${id}`), { token: s.token })).status).toBe(204);
    } finally {
      sim.setFaults({ buildErrorRate: 0 });
    }
  });

  it('makes the same ids under the same seed, and keeps state across restarts with a dataDir', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'os-sim-'));
    const a = await startOpenStackSimulator({ port: 0, seed: 7, transitionMs: 0, dataDir: dir });
    const b = await startOpenStackSimulator({ port: 0, seed: 7, transitionMs: 0 });
    try {
      const [sa, sb] = [await login(a), await login(b)];
      expect(sa.projectId).toBe(sb.projectId);
      const net = (x: Session) =>
        call('POST', `${x.endpoints.network}/v2.0/networks`, { token: x.token, body: { network: { name: 'same' } } });
      const [na, nb] = [await net(sa), await net(sb)];
      expect(na.body.network.id).toBe(nb.body.network.id);
      await a.stop();
      const again = await startOpenStackSimulator({ port: 0, seed: 7, transitionMs: 0, dataDir: dir });
      try {
        const sc = await login(again);
        const found = await call('GET', `${sc.endpoints.network}/v2.0/networks/${na.body.network.id}`, { token: sc.token });
        expect(found.body.network.name).toBe('same');
        const fresh = await net(sc);
        expect(fresh.body.network.id).not.toBe(na.body.network.id);
      } finally {
        await again.stop();
      }
    } finally {
      await b.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
