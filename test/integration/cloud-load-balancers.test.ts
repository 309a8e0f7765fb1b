/**
 * Load balancers end to end on local peers: the HTTP handlers, the real load-balancer-create and cloud-delete
 * state machines in the Step Functions emulator, the step Lambda, dynalite, and the OpenStack simulator's
 * Octavia (with injected faults at every step of the build).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudApi, Handler } from '../helpers/cloud-api.js';

let api: CloudApi;
let h: Handler;
let instances: Handler;
/** One of our instances on `private`, and its address there. */
let backend: { id: string; address: string };

type Wire = Record<string, any>;
const sim = (kind: 'loadbalancers' | 'listeners' | 'pools' | 'members' | 'healthmonitors' | 'ports') =>
  Object.values(api.cloud.state[kind] as Record<string, Wire>);
/** Everything Octavia holds, counted (and the VIP ports Octavia made in Neutron). */
const octavia = () => ({
  loadbalancers: sim('loadbalancers').length,
  listeners: sim('listeners').length,
  pools: sim('pools').length,
  members: sim('members').length,
  healthmonitors: sim('healthmonitors').length,
  vip_ports: sim('ports').filter((p) => p.device_owner === 'Octavia').length,
});

async function create(body: Record<string, unknown>, token = api.adminToken, headers?: Record<string, string>) {
  return api.call(h, 'POST', '/api/v1/load-balancer', { token, body, ...(headers && { headers }) });
}
const get = (id: string, token = api.adminToken) => api.call(h, 'GET', `/api/v1/load-balancer/${id}`, { token });

const simple = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  network_id: 'private',
  listeners: [{ protocol: 'HTTP', port: 80 }],
  members: [{ address: '10.0.0.50', port: 8080 }],
  ...extra,
});

beforeAll(async () => {
  const { startCloudApi } = await import('../helpers/cloud-api.js');
  api = await startCloudApi();
  h = (await import('../../functions/http/load-balancers.js')).handler as Handler;
  instances = (await import('../../functions/http/instances.js')).handler as Handler;
  const vm = await api.call(instances, 'POST', '/api/v1/instances', {
    token: api.adminToken,
    body: { name: 'lb-backend', flavor: 'm1.tiny', image: 'cirros', network: 'private' },
  });
  expect((await api.task(vm.body.task.id)).status).toBe('succeeded');
  const got = await api.call(instances, 'GET', `/api/v1/instances/${vm.body.id}`, { token: api.adminToken });
  backend = { id: vm.body.id, address: got.body.addresses[0].addr };
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('load balancers', () => {
  it('builds two listeners, each with a pool of members (by instance and by address) and a monitor; GET shows the tree', async () => {
    const res = await create({
      name: 'web-lb',
      description: 'front door',
      network_id: 'private',
      listeners: [
        { protocol: 'HTTP', port: 80 },
        { protocol: 'TCP', port: 443 },
      ],
      members: [
        { instance_id: backend.id, port: 8080 },
        { address: '10.0.0.200', port: 8080 },
      ],
      algorithm: 'LEAST_CONNECTIONS',
      health_monitor: { type: 'HTTP', delay: 5, timeout: 3, max_retries: 3, url_path: '/health', expected_codes: '200-204' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      name: 'web-lb',
      state: 'creating',
      provisioning_status: 'PENDING_CREATE',
      openstack_id: null,
      subnet: { name: 'private-subnet' },
      network: { name: 'private' },
      members: [{ address: backend.address, port: 8080, instance_id: backend.id }, { address: '10.0.0.200' }],
      task: { id: expect.any(String) },
    });
    expect(res.headers.Location ?? res.headers.location).toBe(`/api/v1/tasks/${res.body.task.id}`);
    const task = await api.task(res.body.task.id);
    expect(task).toMatchObject({ status: 'succeeded', progress: 100 });
    expect(task.result.load_balancer).toMatchObject({ id: res.body.id, state: 'active', provisioning_status: 'ACTIVE' });

    const got = await get(res.body.id);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      state: 'active',
      provisioning_status: 'ACTIVE',
      operating_status: 'ONLINE',
      description: 'front door',
      vip_address: expect.stringMatching(/^10\.0\.0\./),
      algorithm: 'LEAST_CONNECTIONS',
      owner: `uid=admin,ou=people,${api.baseDn}`,
      department: api.baseDn,
    });
    expect(got.body.current_task).toBeUndefined();
    expect(got.body.listeners).toHaveLength(2);
    for (const [i, protocol, port] of [
      [0, 'HTTP', 80],
      [1, 'TCP', 443],
    ] as const) {
      const l = got.body.listeners[i];
      expect(l).toMatchObject({ protocol, port, id: expect.any(String), provisioning_status: 'ACTIVE' });
      expect(l.pool).toMatchObject({ protocol, algorithm: 'LEAST_CONNECTIONS', provisioning_status: 'ACTIVE' });
      expect(l.pool.members).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ address: backend.address, port: 8080, instance_id: backend.id, provisioning_status: 'ACTIVE' }),
          expect.objectContaining({ address: '10.0.0.200', port: 8080 }),
        ]),
      );
      expect(l.pool.members).toHaveLength(2);
      expect(l.pool.health_monitor).toMatchObject({ type: 'HTTP', delay: 5, timeout: 3, max_retries: 3, url_path: '/health' });
      expect(l.pool.health_monitor.expected_codes).toBe('200-204');
    }
    // Octavia has exactly that tree.
    const lb = sim('loadbalancers').find((x) => x.id === got.body.openstack_id)!;
    expect(lb).toMatchObject({ name: 'web-lb', provisioning_status: 'ACTIVE' });
    const pools = sim('pools').filter((p) => p.loadbalancers[0].id === lb.id);
    expect(pools.map((p) => p.protocol).sort()).toEqual(['HTTP', 'TCP']);
    expect(sim('members').filter((m) => pools.some((p) => p.id === m.pool_id))).toHaveLength(4);
    expect(sim('members').find((m) => m.address === backend.address)?.subnet_id).toBe(lb.vip_subnet_id);
    expect(sim('healthmonitors').filter((x) => pools.some((p) => p.id === x.pool_id))).toHaveLength(2);

    const list = await api.call(h, 'GET', '/api/v1/load-balancers?filter=name:eq:web-lb', { token: api.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ id: res.body.id, provisioning_status: 'ACTIVE', vip_address: lb.vip_address });
    const byStatus = await api.call(h, 'GET', '/api/v1/load-balancers?filter=provisioning_status:eq:ACTIVE&limit=1', {
      token: api.adminToken,
    });
    expect(byStatus.body.pagination).toMatchObject({ limit: 1, total: expect.any(Number) });
  });

  it('answers 400 naming each field of a bad request, and stores nothing', async () => {
    const before = octavia();
    const cases: [string[], Record<string, unknown>][] = [
      [['body.network_id', 'body.subnet_id'], simple('x', { subnet_id: 'private-subnet' })],
      [['body.network_id', 'body.subnet_id'], { name: 'x', listeners: [{ protocol: 'HTTP', port: 80 }] }],
      [['body.listeners'], simple('x', { listeners: [] })],
      [['body.listeners.0.port'], simple('x', { listeners: [{ protocol: 'HTTP', port: 70000 }] })],
      [['body.listeners.0.protocol'], simple('x', { listeners: [{ protocol: 'SMTP', port: 25 }] })],
      [
        ['body.listeners.1.port'],
        simple('x', {
          listeners: [
            { protocol: 'HTTP', port: 80 },
            { protocol: 'TCP', port: 80 },
          ],
        }),
      ],
      [['body.members.0.instance_id'], simple('x', { members: [{ port: 80 }] })],
      [['body.members.0.address'], simple('x', { members: [{ address: '10.0.0.999', port: 80 }] })],
      [
        ['body.members.1'],
        simple('x', {
          members: [
            { address: '10.0.0.9', port: 80 },
            { address: '10.0.0.9', port: 80 },
          ],
        }),
      ],
      [['body.health_monitor.type'], simple('x', { health_monitor: { type: 'UDP-CONNECT', delay: 5, timeout: 3, max_retries: 3 } })],
      [
        ['body.health_monitor.url_path', 'body.health_monitor.timeout'],
        simple('x', { health_monitor: { type: 'TCP', delay: 2, timeout: 3, max_retries: 3, url_path: '/' } }),
      ],
      [['body.algorithm'], simple('x', { algorithm: 'RANDOM' })],
      // Resolved against the cloud and our records:
      [['body.network_id'], simple('x', { network_id: 'no-such-network' })],
      [['body.subnet_id'], { ...simple('x', { subnet_id: 'no-such-subnet' }), network_id: undefined }],
      [['body.members.0.instance_id'], simple('x', { members: [{ instance_id: '00000000-0000-4000-8000-000000000000', port: 80 }] })],
      // The instance has no address on the public subnet.
      [
        ['body.members.0.instance_id'],
        { ...simple('x', { subnet_id: 'public-subnet', members: [{ instance_id: backend.id, port: 80 }] }), network_id: undefined },
      ],
      // An instance and its own address are the same member.
      [
        ['body.members.1'],
        simple('x', {
          members: [
            { instance_id: backend.id, port: 80 },
            { address: backend.address, port: 80 },
          ],
        }),
      ],
    ];
    for (const [fields, body] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.fields.map((f: any) => f.field).sort(), JSON.stringify(body)).toEqual([...fields].sort());
    }
    const noSubnet = await create({
      ...simple('x', { subnet_id: 'public-subnet', members: [{ instance_id: backend.id, port: 80 }] }),
      network_id: undefined,
    });
    expect(noSubnet.body.error.details.fields[0].code).toBe('no_address_on_subnet');
    expect(octavia()).toEqual(before);
    const list = await api.call(h, 'GET', '/api/v1/load-balancers?filter=name:eq:x', { token: api.adminToken });
    expect(list.body.data).toEqual([]);
  });

  it('scopes by department: another department neither sees, reads, deletes nor borrows instances', async () => {
    const dept = `ou=research,${api.baseDn}`;
    const alice = `uid=alice,ou=people,${dept}`;
    await api.grant(alice, ['load-balancer:crwd', 'instance:r', 'network:r'], { dn: dept, type: 'subtree' });
    const token = await api.tokenFor(alice);
    const admins = await api.call(h, 'GET', '/api/v1/load-balancers?filter=name:eq:web-lb', { token: api.adminToken });
    const theirs = admins.body.data[0].id;
    expect((await get(theirs, token)).status).toBe(403);
    expect((await api.call(h, 'DELETE', `/api/v1/load-balancer/${theirs}`, { token })).status).toBe(403);
    expect((await get(theirs)).body.state).toBe('active');
    const list = await api.call(h, 'GET', '/api/v1/load-balancers', { token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: any) => x.id)).not.toContain(theirs);
    expect((await create(simple('alice-lb', { department_dn: `ou=sales,${api.baseDn}` }), token)).status).toBe(403);
    // The admin's instance is not hers to balance to.
    const borrowed = await create(simple('alice-lb', { members: [{ instance_id: backend.id, port: 80 }] }), token);
    expect(borrowed.status).toBe(400);
    expect(borrowed.body.error.details.fields[0]).toMatchObject({ field: 'body.members.0.instance_id', code: 'unknown_instance' });
    const guest = await api.tokenFor(`uid=guest,ou=people,${api.baseDn}`);
    expect((await api.call(h, 'GET', '/api/v1/load-balancers', { token: guest })).status).toBe(403);
    expect((await create(simple('guest-lb'), guest)).status).toBe(403);
    expect(sim('loadbalancers').filter((x) => ['alice-lb', 'guest-lb'].includes(x.name))).toHaveLength(0);
  });

  it('the same Idempotency-Key creates one load balancer', async () => {
    const headers = { 'Idempotency-Key': 'lb-idem-1' };
    const a = await create(simple('idem-lb'), api.adminToken, headers);
    const b = await create(simple('idem-lb'), api.adminToken, headers);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers['Idempotency-Replayed']).toBe('true');
    expect((await api.task(a.body.task.id)).status).toBe('succeeded');
    expect(sim('loadbalancers').filter((x) => x.name === 'idem-lb')).toHaveLength(1);
  });

  it('retries a 500 on the load balancer create and a 409 (busy) on a child create', async () => {
    api.cloud.setFaults({
      rules: [
        { method: 'POST', path: '^/lbaas/loadbalancers$', status: 500, times: 2 },
        { method: 'POST', path: '^/lbaas/listeners$', status: 409, message: 'Load Balancer is immutable', times: 1 },
      ],
    } as never);
    const res = await create(simple('retried-lb'));
    expect((await api.task(res.body.task.id)).status).toBe('succeeded');
    expect(sim('loadbalancers').filter((x) => x.name === 'retried-lb')).toHaveLength(1);
    expect((await get(res.body.id)).body.listeners[0].pool.members).toHaveLength(1);
  });

  it('a load balancer that goes ERROR fails the task with the fault and leaves nothing in Octavia', async () => {
    const before = octavia();
    api.cloud.setFaults({ buildErrorFor: [{ kind: 'loadbalancer', times: 1 }] } as never);
    const res = await create(simple('doomed-lb'));
    expect(res.status).toBe(202);
    const task = await api.task(res.body.task.id);
    expect(task.status).toBe('failed');
    expect(task.error).toMatchObject({ code: 'CLOUD_FAULT', message: expect.stringMatching(/went into ERROR/) });
    const got = await get(res.body.id);
    expect(got.body).toMatchObject({ state: 'error', provisioning_status: 'ERROR', openstack_id: null, fault: { code: 'CLOUD_FAULT' } });
    expect(octavia()).toEqual(before);
    // The failed record can be deleted.
    const del = await api.call(h, 'DELETE', `/api/v1/load-balancer/${res.body.id}`, { token: api.adminToken });
    expect((await api.task(del.body.task.id)).status).toBe('succeeded');
    expect((await get(res.body.id)).status).toBe(404);
  });

  for (const [what, rule] of [
    ['the first listener', { path: '^/lbaas/listeners$' }],
    ['the second listener', { path: '^/lbaas/listeners$', skip: 1 }],
    ['a pool', { path: '^/lbaas/pools$', skip: 1 }],
    ['a member', { path: '^/lbaas/pools/[^/]+/members$', skip: 2 }],
    ['a health monitor', { path: '^/lbaas/healthmonitors$', skip: 1 }],
  ] as const) {
    it(`a refused create of ${what} (400) is compensated: the task fails with the message, no load balancer is left`, async () => {
      const before = octavia();
      const message = `Invalid input for ${what}`;
      api.cloud.setFaults({ rules: [{ method: 'POST', status: 400, message, ...rule }] } as never);
      const res = await create(
        simple(`refused-${what.replace(/ /g, '-')}`, {
          listeners: [
            { protocol: 'HTTP', port: 80 },
            { protocol: 'UDP', port: 53 },
          ],
          members: [
            { address: '10.0.0.61', port: 80 },
            { instance_id: backend.id, port: 80 },
          ],
          health_monitor: { type: 'TCP', delay: 5, timeout: 5, max_retries: 2 },
        }),
      );
      expect(res.status).toBe(202);
      const task = await api.task(res.body.task.id);
      expect(task.status).toBe('failed');
      expect(task.error.message).toContain(message);
      expect(octavia()).toEqual(before);
      const got = await get(res.body.id);
      expect(got.body).toMatchObject({ state: 'error', openstack_id: null, fault: { message: expect.stringContaining(message) } });
      expect(got.body.current_task).toBeUndefined();
    });
  }

  it('puts a TCP-family and a UDP listener on the same port (Octavia checks ports per L4 protocol)', async () => {
    const res = await create(
      simple('dns-lb', {
        listeners: [
          { protocol: 'TCP', port: 53 },
          { protocol: 'UDP', port: 53 },
        ],
        members: [{ address: '10.0.0.53', port: 53 }],
      }),
    );
    expect(res.status).toBe(202);
    const task = await api.task(res.body.task.id);
    expect(task.error).toBeUndefined();
    expect(task.status).toBe('succeeded');
    const got = await get(res.body.id);
    expect(got.body.listeners.map((l: any) => [l.protocol, l.port, l.pool?.protocol])).toEqual([
      ['TCP', 53, 'TCP'],
      ['UDP', 53, 'UDP'],
    ]);
  });

  it('deletes with a cascade: concurrent deletes are one deletion, and nothing is left', async () => {
    const res = await create({
      name: 'short-lived',
      subnet_id: 'private-subnet',
      listeners: [
        { protocol: 'HTTPS', port: 443 },
        { protocol: 'UDP', port: 5353 },
      ],
      members: [{ instance_id: backend.id, port: 443 }],
      health_monitor: { type: 'TCP', delay: 5, timeout: 2, max_retries: 2 },
    });
    expect((await api.task(res.body.task.id)).status).toBe('succeeded');
    const id = res.body.id;
    const lbId = (await get(id)).body.openstack_id;
    expect(sim('listeners').filter((x) => x.loadbalancers[0].id === lbId)).toHaveLength(2);
    expect(sim('members').filter((x) => x.loadbalancers[0].id === lbId)).toHaveLength(2);
    const [d1, d2] = await Promise.all([
      api.call(h, 'DELETE', `/api/v1/load-balancer/${id}`, { token: api.adminToken }),
      api.call(h, 'DELETE', `/api/v1/load-balancer/${id}`, { token: api.adminToken }),
    ]);
    expect([d1.status, d2.status]).toEqual([202, 202]);
    expect(d2.body.task.id).toBe(d1.body.task.id);
    expect(d1.body).toMatchObject({ state: 'deleting' });
    expect((await api.task(d1.body.task.id)).status).toBe('succeeded');
    expect((await get(id)).status).toBe(404);
    expect(sim('loadbalancers').find((x) => x.id === lbId)).toBeUndefined();
    expect(sim('listeners').filter((x) => x.loadbalancers[0].id === lbId)).toHaveLength(0);
    expect(sim('pools').filter((x) => x.loadbalancers[0].id === lbId)).toHaveLength(0);
    expect(sim('members').filter((x) => x.loadbalancers[0].id === lbId)).toHaveLength(0);
    expect(sim('healthmonitors').filter((x) => x.loadbalancers[0].id === lbId)).toHaveLength(0);
    expect(sim('ports').filter((p) => p.device_id === `lb-${lbId}`)).toHaveLength(0);
    const list = await api.call(h, 'GET', '/api/v1/load-balancers?filter=name:eq:short-lived', { token: api.adminToken });
    expect(list.body.data).toEqual([]);
  });
});
