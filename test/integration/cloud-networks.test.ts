/**
 * Networks and floating IPs end to end on local peers: the HTTP handlers (synchronous, compensated in
 * process), dynalite, and the OpenStack simulator with injected faults; instances through their own
 * handler and state machines.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudApi, Handler } from '../helpers/cloud-api.js';

let api: CloudApi;
let h: Handler;
let vms: Handler;
let projectId: string;

type Wire = Record<string, any>;
const sim = () => api.cloud.state as unknown as Record<'networks' | 'subnets' | 'routers' | 'ports' | 'floatingips', Record<string, Wire>>;
const networksNamed = (name: string) => Object.values(sim().networks).filter((n) => n.name === name);
const subnetsOf = (networkId: string) => Object.values(sim().subnets).filter((s) => s.network_id === networkId);
const routersNamed = (name: string) => Object.values(sim().routers).filter((r) => r.name === name);
const portsOf = (networkId: string) => Object.values(sim().ports).filter((p) => p.network_id === networkId);
const fips = () => Object.values(sim().floatingips);
const counts = () => ({
  networks: Object.keys(sim().networks).length,
  subnets: Object.keys(sim().subnets).length,
  routers: Object.keys(sim().routers).length,
  ports: Object.keys(sim().ports).length,
  floatingips: Object.keys(sim().floatingips).length,
});

const fault = (rules: Record<string, unknown>[]) => api.cloud.setFaults({ rules } as never);

async function createNet(body: Record<string, unknown>, token = api.adminToken, headers?: Record<string, string>) {
  return api.call(h, 'POST', '/api/v1/network', { token, body, ...(headers && { headers }) });
}

async function createVm(name: string, network: string) {
  const res = await api.call(vms, 'POST', '/api/v1/instances', {
    token: api.adminToken,
    body: { name, flavor: 'm1.tiny', image: 'cirros', network },
  });
  expect(res.status).toBe(202);
  expect((await api.task(res.body.task.id)).status).toBe('succeeded');
  return res.body.id as string;
}

async function deleteVm(id: string) {
  const res = await api.call(vms, 'DELETE', `/api/v1/instances/${id}`, { token: api.adminToken });
  expect((await api.task(res.body.task.id)).status).toBe('succeeded');
}

beforeAll(async () => {
  const { startCloudApi } = await import('../helpers/cloud-api.js');
  api = await startCloudApi();
  h = (await import('../../functions/http/networks.js')).handler as Handler;
  vms = (await import('../../functions/http/instances.js')).handler as Handler;
  projectId = (await (await import('../../lib/compute/cloud.js')).cloud().session()).projectId;
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

beforeEach(() => api.cloud.setFaults({}));

describe('networks', () => {
  it('creates network, subnet and a router to the external network: 201 with the live view and a Location', async () => {
    const res = await createNet({
      name: 'net-routed',
      cidr: '10.20.0.0/24',
      dns_nameservers: ['9.9.9.9'],
      external_router: true,
      description: 'web tier',
    });
    expect(res.status).toBe(201);
    expect(res.headers.Location).toBe(`/api/v1/network/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: 'net-routed',
      description: 'web tier',
      status: 'ACTIVE',
      cidr: '10.20.0.0/24',
      subnet: { cidr: '10.20.0.0/24', ip_version: 4, gateway_ip: '10.20.0.1', dns_nameservers: ['9.9.9.9'], enable_dhcp: true },
      router: { external_network: { name: 'public' }, external_gateway_ip: expect.stringMatching(/^172\.24\.4\./) },
      ports_in_use: 0,
      owner: `uid=admin,ou=people,${api.baseDn}`,
      department: api.baseDn,
    });
    const [net] = networksNamed('net-routed');
    expect(res.body.openstack_id).toBe(net!.id);
    expect(subnetsOf(net!.id)).toHaveLength(1);
    const router = sim().routers[res.body.router.id]!;
    expect(router.external_gateway_info.network_id).toBe(res.body.router.external_network.id);
    expect(portsOf(net!.id).map((p) => [p.device_id, p.device_owner])).toEqual([[router.id, 'network:router_interface']]);

    const got = await api.call(h, 'GET', `/api/v1/network/${res.body.id}`, { token: api.adminToken });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      status: 'ACTIVE',
      router: { id: router.id, external_gateway_ip: res.body.router.external_gateway_ip },
    });
    const list = await api.call(h, 'GET', '/api/v1/networks?filter=name:eq:net-routed', { token: api.adminToken });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ id: res.body.id, status: 'ACTIVE', cidr: '10.20.0.0/24', router: { id: router.id } });
  });

  it('creates without a router, without a gateway, without DHCP; normalises the cidr and addresses', async () => {
    const res = await createNet({ name: 'net-plain', cidr: '10.21.0.0/16', gateway_ip: null, enable_dhcp: false });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ router: null, subnet: { gateway_ip: null, enable_dhcp: false } });
    expect(routersNamed('net-plain-router')).toHaveLength(0);
    expect(subnetsOf(res.body.openstack_id)[0]).toMatchObject({ cidr: '10.21.0.0/16', gateway_ip: null, enable_dhcp: false });
  });

  it('creates an IPv6 network: cidr, gateway and nameservers in canonical form', async () => {
    const v6 = await createNet({
      name: 'net-v6',
      cidr: '2001:DB8:0:0:0::/64',
      gateway_ip: '2001:db8:0::1',
      dns_nameservers: ['2001:4860:4860:0:0:0:0:8888'],
    });
    expect(v6.status, JSON.stringify(v6.body)).toBe(201);
    expect(v6.body.cidr).toBe('2001:db8::/64');
    expect(subnetsOf(v6.body.openstack_id)[0]).toMatchObject({ cidr: '2001:db8::/64', ip_version: 6, gateway_ip: '2001:db8::1' });
    expect(v6.body.subnet).toMatchObject({ ip_version: 6, gateway_ip: '2001:db8::1', dns_nameservers: ['2001:4860:4860::8888'] });
  });

  it('names the field of a bad cidr, gateway or nameserver; nothing is made', async () => {
    const before = counts();
    const cases: [Record<string, unknown>, string[], RegExp?][] = [
      [{ cidr: '10.0.0.5/24' }, ['body.cidr'], /10\.0\.0\.0\/24/],
      [{ cidr: '10.0.0.0/33' }, ['body.cidr']],
      [{ cidr: '10.0.0.0/31' }, ['body.cidr']],
      [{ cidr: 'ten/8' }, ['body.cidr']],
      [{ cidr: '224.0.0.0/24' }, ['body.cidr'], /multicast/],
      [{ cidr: '10.0.0.0/24', gateway_ip: '10.0.1.1' }, ['body.gateway_ip'], /not inside/],
      [{ cidr: '10.0.0.0/24', gateway_ip: '10.0.0.0' }, ['body.gateway_ip'], /network address/],
      [{ cidr: '10.0.0.0/24', gateway_ip: '10.0.0.255' }, ['body.gateway_ip'], /broadcast/],
      [{ cidr: '10.0.0.0/24', gateway_ip: '2001:db8::1' }, ['body.gateway_ip']],
      [{ cidr: '10.0.0.0/24', gateway_ip: null, external_router: true }, ['body.gateway_ip']],
      [
        { cidr: '10.0.0.0/24', dns_nameservers: ['8.8.8.8', 'dns.google', '8.8.8.8'] },
        ['body.dns_nameservers.1', 'body.dns_nameservers.2'],
      ],
      [
        { cidr: '10.0.0.0/24', dns_nameservers: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4', '9.9.9.9', '149.112.112.112'] },
        ['body.dns_nameservers'],
      ],
      [{ name: ' spaced', cidr: '10.0.0.5/24', gateway_ip: 'xx' }, ['body.cidr', 'body.gateway_ip', 'body.name']],
    ];
    for (const [body, fields, message] of cases) {
      const res = await createNet({ name: 'bad', ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.fields.map((f: any) => f.field).sort(), JSON.stringify(body)).toEqual(fields);
      if (message) expect(res.body.error.details.fields[0].message).toMatch(message);
    }
    expect(counts()).toEqual(before);
    const list = await api.call(h, 'GET', '/api/v1/networks?filter=name:eq:bad', { token: api.adminToken });
    expect(list.body.data).toHaveLength(0);
  });

  it('a cidr Neutron refuses (overlap) is a 400 naming body.cidr, with nothing left', async () => {
    const before = counts();
    fault([
      {
        method: 'POST',
        path: '^/subnets$',
        status: 400,
        message: 'Invalid input for operation: Requested subnet with cidr: 10.22.0.0/24 for network: x overlaps with another subnet.',
      },
    ]);
    const res = await createNet({ name: 'net-overlap', cidr: '10.22.0.0/24' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual([
      expect.objectContaining({ field: 'body.cidr', message: expect.stringMatching(/overlaps/) }),
    ]);
    expect(counts()).toEqual(before);
    expect(networksNamed('net-overlap')).toHaveLength(0);
  });

  it('quota: 422 QUOTA_EXCEEDED with the limit, checked before anything is made and mapped from Neutron', async () => {
    const before = counts();
    const st = api.cloud.state.quotas as Record<string, any>;
    st[projectId] = { ...(st[projectId] ?? {}), network: { ...(st[projectId]?.network ?? {}), router: before.routers } };
    try {
      const res = await createNet({ name: 'net-quota', cidr: '10.23.0.0/24', external_router: true });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { resource: 'router', limit: before.routers } });
    } finally {
      delete st[projectId].network.router;
    }
    expect(counts()).toEqual(before);
    // Another client took the last router meanwhile: Neutron's own 409 OverQuota, after network and subnet were made.
    fault([{ method: 'POST', path: '^/routers$', status: 409, message: "Quota exceeded for resources: ['router']." }]);
    const raced = await createNet({ name: 'net-quota', cidr: '10.23.0.0/24', external_router: true });
    expect(raced.status).toBe(422);
    expect(raced.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { resource: 'router', limit: expect.any(Number) } });
    expect(counts()).toEqual(before);
  });

  it('a failure at any step undoes what was made, newest first', async () => {
    const before = counts();
    const steps: [string, Record<string, unknown>, number][] = [
      ['network create 500', { method: 'POST', path: '^/networks$', status: 500 }, 503],
      ['subnet create 500', { method: 'POST', path: '^/subnets$', status: 500 }, 503],
      ['router create 500', { method: 'POST', path: '^/routers$', status: 500 }, 503],
      [
        'router interface refused',
        {
          method: 'PUT',
          path: '/add_router_interface$',
          status: 400,
          message: 'Bad router request: Cidr 10.24.0.0/24 of subnet a overlaps with cidr 10.24.0.0/24 of subnet b.',
        },
        400,
      ],
      ['router interface 409', { method: 'PUT', path: '/add_router_interface$', status: 409, message: 'Router is busy' }, 409],
    ];
    for (const [what, rule, status] of steps) {
      fault([rule]);
      const res = await createNet({ name: 'net-doomed', cidr: '10.24.0.0/24', external_router: true });
      expect(res.status, what).toBe(status);
      expect(counts(), what).toEqual(before);
      expect(networksNamed('net-doomed'), what).toHaveLength(0);
      expect(routersNamed('net-doomed-router'), what).toHaveLength(0);
    }
    const list = await api.call(h, 'GET', '/api/v1/networks?filter=name:eq:net-doomed', { token: api.adminToken });
    expect(list.body.data).toHaveLength(0);
  });

  it('what the cloud would not delete during compensation stays on an ERROR record that a DELETE finishes', async () => {
    const before = counts();
    fault([
      { method: 'PUT', path: '/add_router_interface$', status: 400, message: 'Bad router request: nope' },
      // The client retries a 5xx DELETE twice: three failures outlast it.
      { method: 'DELETE', path: '^/networks/', status: 500, times: 3 },
    ]);
    const res = await createNet({ name: 'net-stuck', cidr: '10.25.0.0/24', external_router: true });
    expect(res.status).toBe(400);
    expect(networksNamed('net-stuck')).toHaveLength(1);
    expect(routersNamed('net-stuck-router')).toHaveLength(0);
    const list = await api.call(h, 'GET', '/api/v1/networks?filter=name:eq:net-stuck', { token: api.adminToken });
    expect(list.body.data).toEqual([
      expect.objectContaining({ status: 'ERROR', fault: expect.objectContaining({ message: expect.stringMatching(/not yet removed/) }) }),
    ]);
    const del = await api.call(h, 'DELETE', `/api/v1/network/${list.body.data[0].id}`, { token: api.adminToken });
    expect(del.status).toBe(204);
    expect(counts()).toEqual(before);
  });

  it('refuses to delete a network an instance uses (409 naming it), then deletes every object', async () => {
    const net = await createNet({ name: 'net-used', cidr: '10.26.0.0/24', external_router: true });
    expect(net.status).toBe(201);
    const before = counts();
    const vm = await createVm('vm-on-net', net.body.id);
    const got = await api.call(vms, 'GET', `/api/v1/instances/${vm}`, { token: api.adminToken });
    expect(got.body.network.id).toBe(net.body.openstack_id);
    expect(got.body.addresses[0].addr).toMatch(/^10\.26\.0\./);
    expect((await api.call(h, 'GET', `/api/v1/network/${net.body.id}`, { token: api.adminToken })).body.ports_in_use).toBe(1);

    const refused = await api.call(h, 'DELETE', `/api/v1/network/${net.body.id}`, { token: api.adminToken });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NETWORK_IN_USE');
    expect(refused.body.error.details.devices).toEqual([
      expect.objectContaining({
        device_owner: 'compute:nova',
        resource: { kind: 'instance', id: vm },
        addresses: [expect.stringMatching(/^10\.26\.0\./)],
      }),
    ]);
    expect((await api.call(h, 'GET', `/api/v1/network/${net.body.id}`, { token: api.adminToken })).body.status).toBe('ACTIVE');

    await deleteVm(vm);
    expect(counts()).toEqual(before);
    const del = await api.call(h, 'DELETE', `/api/v1/network/${net.body.id}`, { token: api.adminToken });
    expect(del.status).toBe(204);
    expect(sim().networks[net.body.openstack_id]).toBeUndefined();
    expect(subnetsOf(net.body.openstack_id)).toHaveLength(0);
    expect(sim().routers[net.body.router.id]).toBeUndefined();
    expect(
      Object.values(sim().ports).filter((p) => p.network_id === net.body.openstack_id || p.device_id === net.body.router.id),
    ).toHaveLength(0);
    expect(counts()).toMatchObject({ networks: before.networks - 1, subnets: before.subnets - 1, routers: before.routers - 1 });
    expect((await api.call(h, 'GET', `/api/v1/network/${net.body.id}`, { token: api.adminToken })).status).toBe(404);
    expect((await api.call(h, 'DELETE', `/api/v1/network/${net.body.id}`, { token: api.adminToken })).status).toBe(404);
  });

  it('two deletes at once are one deletion: both 204, a later one 404', async () => {
    const before = counts();
    const net = await createNet({ name: 'net-twice', cidr: '10.27.0.0/24', external_router: true });
    const [a, b] = await Promise.all([
      api.call(h, 'DELETE', `/api/v1/network/${net.body.id}`, { token: api.adminToken }),
      api.call(h, 'DELETE', `/api/v1/network/${net.body.id}`, { token: api.adminToken }),
    ]);
    expect([a.status, b.status]).toEqual([204, 204]);
    expect(counts()).toEqual(before);
    expect((await api.call(h, 'DELETE', `/api/v1/network/${net.body.id}`, { token: api.adminToken })).status).toBe(404);
  });

  it('the network hooks drive the generic cloud-delete machine (reconciliation, safety net)', async () => {
    const before = counts();
    const net = await createNet({ name: 'net-machine', cidr: '10.32.0.0/24', external_router: true });
    const { startCloudTask } = await import('../../lib/compute/workflow.js');
    const { getRecord } = await import('../../lib/compute/records.js');
    const record = await getRecord(api.p.db, 'network', net.body.id);
    const by = `uid=admin,ou=people,${api.baseDn}`;
    const task = await startCloudTask(api.p, {
      record,
      op: 'delete',
      stateMachine: 'cloud-delete',
      actor: by,
      input: { by },
      recordPatch: { state: 'deleting' },
    });
    expect((await api.task(task.id)).status).toBe('succeeded');
    expect(counts()).toEqual(before);
    expect((await api.call(h, 'GET', `/api/v1/network/${net.body.id}`, { token: api.adminToken })).status).toBe(404);
  });

  it('the same Idempotency-Key creates one network', async () => {
    const body = { name: 'net-idem', cidr: '10.28.0.0/24' };
    const headers = { 'Idempotency-Key': 'net-idem-1' };
    const a = await createNet(body, api.adminToken, headers);
    const b = await createNet(body, api.adminToken, headers);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers['Idempotency-Replayed']).toBe('true');
    expect(networksNamed('net-idem')).toHaveLength(1);
  });

  it('scopes by department: another department can neither see nor delete a network', async () => {
    const dept = `ou=research,${api.baseDn}`;
    const bob = `uid=bob,ou=people,${dept}`;
    await api.grant(bob, ['network:crwd'], { dn: dept, type: 'subtree' });
    const token = await api.tokenFor(bob);
    const mine = await createNet({ name: 'net-bob', cidr: '10.29.0.0/24' }, token);
    expect(mine.status).toBe(201);
    expect(mine.body.department).toBe(dept);
    expect((await createNet({ name: 'net-bob2', cidr: '10.29.1.0/24', department_dn: `ou=sales,${api.baseDn}` }, token)).status).toBe(403);
    const list = await api.call(h, 'GET', '/api/v1/networks', { token });
    expect(list.body.data.map((n: any) => n.name)).toEqual(['net-bob']);
    const admins = await api.call(h, 'GET', '/api/v1/networks?filter=name:eq:net-routed', { token: api.adminToken });
    const theirs = admins.body.data[0].id;
    expect((await api.call(h, 'GET', `/api/v1/network/${theirs}`, { token })).status).toBe(403);
    expect((await api.call(h, 'DELETE', `/api/v1/network/${theirs}`, { token })).status).toBe(403);
    expect(sim().networks[admins.body.data[0].openstack_id]).toBeDefined();
    const guest = await api.tokenFor(`uid=guest,ou=people,${api.baseDn}`);
    expect((await api.call(h, 'GET', '/api/v1/networks', { token: guest })).status).toBe(403);
  });
});

describe('floating IPs', () => {
  let routed: { id: string; openstack_id: string };
  let vm: string;

  beforeAll(async () => {
    const net = await createNet({ name: 'net-fip', cidr: '10.30.0.0/24', external_router: true });
    routed = net.body;
    vm = await createVm('vm-fip', routed.id);
  }, 30_000);

  const allocate = (body: Record<string, unknown>, token = api.adminToken, headers?: Record<string, string>) =>
    api.call(h, 'POST', '/api/v1/floating-ip', { token, body, ...(headers && { headers }) });
  const instance = async (id: string) => (await api.call(vms, 'GET', `/api/v1/instances/${id}`, { token: api.adminToken })).body;

  it('allocates and associates; the instance lists it; disassociate, associate again, release', async () => {
    const res = await allocate({ instance_id: vm });
    expect(res.status).toBe(201);
    expect(res.headers.Location).toBe(`/api/v1/floating-ip/${res.body.id}`);
    const fixed = (await instance(vm)).addresses.find((a: any) => a.type === 'fixed').addr;
    expect(res.body).toMatchObject({
      address: expect.stringMatching(/^172\.24\.4\./),
      pool: 'public',
      instance_id: vm,
      port_id: expect.any(String),
      fixed_ip: fixed,
      owner: `uid=admin,ou=people,${api.baseDn}`,
      department: api.baseDn,
    });
    const address = res.body.address;
    expect(sim().floatingips[res.body.openstack_id]).toMatchObject({ floating_ip_address: address, port_id: res.body.port_id });
    expect((await instance(vm)).floating_ips).toEqual([address]);

    const got = await api.call(h, 'GET', `/api/v1/floating-ip/${res.body.id}`, { token: api.adminToken });
    expect(got.body).toMatchObject({ id: res.body.id, address, instance_id: vm, status: expect.stringMatching(/^(ACTIVE|DOWN)$/) });
    const list = await api.call(h, 'GET', `/api/v1/floating-ips?filter=instance_id:eq:${vm}`, { token: api.adminToken });
    expect(list.body.data.map((f: any) => f.address)).toEqual([address]);

    const off = await api.call(h, 'POST', `/api/v1/floating-ip/${res.body.id}/disassociate`, { token: api.adminToken });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ address, instance_id: null, port_id: null, fixed_ip: null, status: 'DOWN' });
    expect((await instance(vm)).floating_ips).toEqual([]);
    expect(sim().floatingips[res.body.openstack_id]!.port_id).toBeNull();
    const again = await api.call(h, 'POST', `/api/v1/floating-ip/${res.body.id}/disassociate`, { token: api.adminToken });
    expect(again.status).toBe(200);

    const on = await api.call(h, 'POST', `/api/v1/floating-ip/${res.body.id}/associate`, {
      token: api.adminToken,
      body: { instance_id: vm },
    });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ address, instance_id: vm, fixed_ip: fixed });
    expect((await instance(vm)).floating_ips).toEqual([address]);

    const [d1, d2] = await Promise.all([
      api.call(h, 'DELETE', `/api/v1/floating-ip/${res.body.id}`, { token: api.adminToken }),
      api.call(h, 'DELETE', `/api/v1/floating-ip/${res.body.id}`, { token: api.adminToken }),
    ]);
    expect([d1.status, d2.status]).toEqual([204, 204]);
    expect(sim().floatingips[res.body.openstack_id]).toBeUndefined();
    expect(Object.values(sim().ports).filter((p) => p.device_id === res.body.openstack_id)).toHaveLength(0);
    expect((await instance(vm)).floating_ips).toEqual([]);
    expect((await api.call(h, 'GET', `/api/v1/floating-ip/${res.body.id}`, { token: api.adminToken })).status).toBe(404);
    expect((await api.call(h, 'DELETE', `/api/v1/floating-ip/${res.body.id}`, { token: api.adminToken })).status).toBe(404);
  });

  it('releases the address when the association is refused, whatever the refusal', async () => {
    const before = fips().length;
    for (const [status, message] of [
      [409, 'Cannot associate floating IP: conflict'],
      [500, undefined],
      [400, 'Bad floatingip request: Port does not have fixed ip.'],
    ] as const) {
      fault([{ method: 'PUT', path: '^/floatingips/', status, ...(message && { message }) }]);
      const res = await allocate({ instance_id: vm });
      expect(res.status, String(status)).toBe(status === 500 ? 503 : status);
      expect(fips().length, String(status)).toBe(before);
    }
    const list = await api.call(h, 'GET', '/api/v1/floating-ips', { token: api.adminToken });
    expect(list.body.data.filter((f: any) => f.instance_id === vm || f.status === 'ERROR')).toEqual([]);
    // The allocation itself failing leaves nothing either.
    fault([{ method: 'POST', path: '^/floatingips$', status: 500 }]);
    expect((await allocate({ instance_id: vm })).status).toBe(503);
    expect(fips().length).toBe(before);
  });

  it('409 with a clear message when the instance subnet has no router to the pool; the IP is released', async () => {
    const net = await createNet({ name: 'net-isolated', cidr: '10.31.0.0/24' });
    const isolated = await createVm('vm-isolated', net.body.id);
    const before = fips().length;
    const res = await allocate({ instance_id: isolated });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('EXTERNAL_NETWORK_UNREACHABLE');
    expect(res.body.error.message).toMatch(/external_router/);
    expect(fips().length).toBe(before);
    await deleteVm(isolated);
    expect((await api.call(h, 'DELETE', `/api/v1/network/${net.body.id}`, { token: api.adminToken })).status).toBe(204);
  });

  it('names an unknown instance or pool; 409 when the instance is not ACTIVE; 422 over quota', async () => {
    const unknown = await allocate({ instance_id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.fields[0].field).toBe('body.instance_id');
    const pool = await allocate({ instance_id: vm, pool: 'nowhere' });
    expect(pool.status).toBe(400);
    expect(pool.body.error.details.fields[0].field).toBe('body.pool');
    const bad = await allocate({ instance_id: 'nope' });
    expect(bad.status).toBe(400);

    const stop = await api.call(vms, 'POST', `/api/v1/instances/${vm}/actions`, { token: api.adminToken, body: { action: 'stop' } });
    expect((await api.task(stop.body.task.id)).status).toBe('succeeded');
    const stopped = await allocate({ instance_id: vm });
    expect(stopped.status).toBe(409);
    expect(stopped.body.error).toMatchObject({ code: 'INSTANCE_STATE_CONFLICT', details: { status: 'SHUTOFF' } });
    const start = await api.call(vms, 'POST', `/api/v1/instances/${vm}/actions`, { token: api.adminToken, body: { action: 'start' } });
    expect((await api.task(start.body.task.id)).status).toBe('succeeded');

    const before = fips().length;
    const st = api.cloud.state.quotas as Record<string, any>;
    st[projectId] = { ...(st[projectId] ?? {}), network: { ...(st[projectId]?.network ?? {}), floatingip: before } };
    try {
      const over = await allocate({ instance_id: vm });
      expect(over.status).toBe(422);
      expect(over.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { resource: 'floatingip', limit: before } });
    } finally {
      delete st[projectId].network.floatingip;
    }
    expect(fips().length).toBe(before);
  });

  it('the same Idempotency-Key allocates once', async () => {
    const before = fips().length;
    const headers = { 'Idempotency-Key': 'fip-idem-1' };
    const a = await allocate({ instance_id: vm }, api.adminToken, headers);
    const b = await allocate({ instance_id: vm }, api.adminToken, headers);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe(a.body.id);
    expect(fips().length).toBe(before + 1);
    expect((await api.call(h, 'DELETE', `/api/v1/floating-ip/${a.body.id}`, { token: api.adminToken })).status).toBe(204);
  });

  it('another department can neither give an IP to an instance it cannot change nor see the IP', async () => {
    const mine = await allocate({ instance_id: vm });
    expect(mine.status).toBe(201);
    const dept = `ou=sales,${api.baseDn}`;
    const carol = `uid=carol,ou=people,${dept}`;
    await api.grant(carol, ['floating-ip:crwd', 'instance:rw'], { dn: dept, type: 'subtree' });
    const token = await api.tokenFor(carol);
    const before = fips().length;
    expect((await allocate({ instance_id: vm }, token)).status).toBe(403);
    expect(fips().length).toBe(before);
    expect((await api.call(h, 'GET', `/api/v1/floating-ip/${mine.body.id}`, { token })).status).toBe(403);
    expect((await api.call(h, 'POST', `/api/v1/floating-ip/${mine.body.id}/disassociate`, { token })).status).toBe(403);
    expect((await api.call(h, 'DELETE', `/api/v1/floating-ip/${mine.body.id}`, { token })).status).toBe(403);
    expect((await api.call(h, 'GET', '/api/v1/floating-ips', { token })).body.data).toEqual([]);
    expect(sim().floatingips[mine.body.openstack_id]?.port_id).toBe(mine.body.port_id);
  });

  it('a network with a floating IP on an instance is in use until the instance goes; the IP is then unassociated', async () => {
    const fip = (await api.call(h, 'GET', `/api/v1/floating-ips?filter=instance_id:eq:${vm}`, { token: api.adminToken })).body.data[0];
    expect(fip).toBeDefined();
    expect((await api.call(h, 'DELETE', `/api/v1/network/${routed.id}`, { token: api.adminToken })).status).toBe(409);
    await deleteVm(vm);
    const after = await api.call(h, 'GET', `/api/v1/floating-ip/${fip.id}`, { token: api.adminToken });
    expect(after.body).toMatchObject({ instance_id: null, port_id: null, status: 'DOWN' });
    expect((await api.call(h, 'DELETE', `/api/v1/network/${routed.id}`, { token: api.adminToken })).status).toBe(204);
    expect(sim().networks[routed.openstack_id]).toBeUndefined();
    expect((await api.call(h, 'DELETE', `/api/v1/floating-ip/${fip.id}`, { token: api.adminToken })).status).toBe(204);
  });
});
