/**
 * Instances end to end on local peers: the HTTP handlers, the real state machines in the Step Functions
 * emulator, the step Lambda, dynalite, and the OpenStack simulator (with injected faults).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudApi, Handler } from '../helpers/cloud-api.js';

let api: CloudApi;
let h: Handler;
let catalog: Handler;

const servers = () => Object.values(api.cloud.state.servers) as { id: string; name: string; vmState: string }[];
const volumes = () => Object.values(api.cloud.state.volumes) as { id: string; status: string; size: number }[];

async function create(body: Record<string, unknown>, token = api.adminToken, headers?: Record<string, string>) {
  return api.call(h, 'POST', '/api/v1/instances', { token, body, ...(headers && { headers }) });
}

beforeAll(async () => {
  const { startCloudApi } = await import('../helpers/cloud-api.js');
  api = await startCloudApi();
  h = (await import('../../functions/http/instances.js')).handler as Handler;
  catalog = (await import('../../functions/http/catalog.js')).handler as Handler;
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('catalog', () => {
  it('lists the seeded flavors smallest first, the images and the quotas', async () => {
    const f = await api.call(catalog, 'GET', '/api/v1/flavors', { token: api.adminToken });
    expect(f.status).toBe(200);
    expect(f.body.data.map((x: any) => x.name)).toEqual(expect.arrayContaining(['m1.tiny', 'm1.small', 'm1.medium', 'm1.large']));
    expect(f.body.data[0]).toMatchObject({ name: 'm1.tiny', vcpus: 1, ram_mb: 512 });
    const filtered = await api.call(catalog, 'GET', '/api/v1/flavors?filter=name:eq:m1.small', { token: api.adminToken });
    expect(filtered.body.data).toHaveLength(1);
    const i = await api.call(catalog, 'GET', '/api/v1/images', { token: api.adminToken });
    expect(i.body.data.map((x: any) => x.name)).toEqual(expect.arrayContaining(['cirros', 'ubuntu-22.04']));
    const q = await api.call(catalog, 'GET', '/api/v1/quotas', { token: api.adminToken });
    expect(q.status).toBe(200);
    expect(q.body.compute.instances).toMatchObject({ limit: expect.any(Number), in_use: expect.any(Number) });
    expect(q.body.network).toBeTypeOf('object');
    expect(q.body.volume.gigabytes).toBeDefined();
  });
});

describe('instances', () => {
  it('creates: 202 BUILD with a task and Location, then ACTIVE with addresses, owner and department', async () => {
    const res = await create({ name: 'web-1', flavor: 'm1.small', image: 'cirros', metadata: { role: 'web' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ name: 'web-1', status: 'BUILD', openstack_id: null, task: { status: expect.any(String) } });
    expect(res.headers.Location ?? res.headers.location).toBe(`/api/v1/tasks/${res.body.task.id}`);
    const task = await api.task(res.body.task.id);
    expect(task).toMatchObject({ status: 'succeeded', progress: 100 });
    const got = await api.call(h, 'GET', `/api/v1/instances/${res.body.id}`, { token: api.adminToken });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      status: 'ACTIVE',
      flavor: { name: 'm1.small', vcpus: 1, ram_mb: 2048 },
      image: { name: 'cirros' },
      metadata: { role: 'web' },
      owner: `uid=admin,ou=people,${api.baseDn}`,
      department: api.baseDn,
    });
    expect(got.body.addresses.length).toBeGreaterThan(0);
    expect(servers().find((s) => s.id === got.body.openstack_id)?.vmState).toBe('active');
    const list = await api.call(h, 'GET', '/api/v1/instances?filter=name:eq:web-1', { token: api.adminToken });
    expect(list.body.data.map((x: any) => x.id)).toEqual([res.body.id]);
    expect(list.body.data[0].status).toBe('ACTIVE');
  });

  it('names the field of an unknown flavor, image, network or key pair; 422 over quota; nothing is stored', async () => {
    const before = servers().length;
    for (const [field, body] of [
      ['flavor', { name: 'x', flavor: 'm9.huge', image: 'cirros' }],
      ['image', { name: 'x', flavor: 'm1.tiny', image: 'windows-95' }],
      ['network', { name: 'x', flavor: 'm1.tiny', image: 'cirros', network: 'nope' }],
      ['key_name', { name: 'x', flavor: 'm1.tiny', image: 'cirros', key_name: 'nope' }],
    ] as const) {
      const res = await create(body);
      expect(res.status, field).toBe(400);
      expect(res.body.error.details.fields[0].field).toBe(`body.${field}`);
    }
    const bad = await create({ name: '', flavor: 'm1.tiny', image: 'cirros', volume_size: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: any) => f.field).sort()).toEqual(['body.name', 'body.volume_size']);
    const quota = await create({ name: 'too-big', flavor: 'm1.large', image: 'cirros', volume_size: 100000 });
    expect([400, 422]).toContain(quota.status);
    expect(servers().length).toBe(before);
  });

  it('the same Idempotency-Key creates one instance', async () => {
    const body = { name: 'idem-1', flavor: 'm1.tiny', image: 'cirros' };
    const headers = { 'Idempotency-Key': 'create-idem-1' };
    const [a, b] = [await create(body, api.adminToken, headers), await create(body, api.adminToken, headers)];
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers['Idempotency-Replayed']).toBe('true');
    await api.task(a.body.task.id);
    expect(servers().filter((s) => s.name === 'idem-1')).toHaveLength(1);
  });

  it('a server that goes ERROR fails the task with the cloud fault and leaves no server behind', async () => {
    api.cloud.setFaults({ buildErrorFor: [{ kind: 'server', times: 1 }] } as never);
    const res = await create({ name: 'doomed', flavor: 'm1.tiny', image: 'cirros' });
    expect(res.status).toBe(202);
    const task = await api.task(res.body.task.id);
    expect(task.status).toBe('failed');
    expect(task.error.message).toMatch(/ERROR/);
    const got = await api.call(h, 'GET', `/api/v1/instances/${res.body.id}`, { token: api.adminToken });
    expect(got.body).toMatchObject({ status: 'ERROR', openstack_id: null, fault: { code: 'CLOUD_FAULT' } });
    expect(servers().filter((s) => s.name === 'doomed')).toHaveLength(0);
    // The failed record can be deleted.
    const del = await api.call(h, 'DELETE', `/api/v1/instances/${res.body.id}`, { token: api.adminToken });
    expect(del.status).toBe(202);
    expect((await api.task(del.body.task.id)).status).toBe('succeeded');
    expect((await api.call(h, 'GET', `/api/v1/instances/${res.body.id}`, { token: api.adminToken })).status).toBe(404);
  });

  it('a 500 on the create call is retried; a refused create (400) is compensated and failed with the message', async () => {
    api.cloud.setFaults({ rules: [{ method: 'POST', path: '^/servers$', status: 500, times: 2 }] } as never);
    const ok = await create({ name: 'retried', flavor: 'm1.tiny', image: 'cirros' });
    expect((await api.task(ok.body.task.id)).status).toBe('succeeded');
    expect(servers().filter((s) => s.name === 'retried')).toHaveLength(1);

    api.cloud.setFaults({
      rules: [{ method: 'POST', path: '^/servers$', status: 400, message: 'Invalid flavorRef provided', times: 1 }],
    } as never);
    const refused = await create({ name: 'refused', flavor: 'm1.tiny', image: 'cirros' });
    const task = await api.task(refused.body.task.id);
    expect(task.status).toBe('failed');
    expect(task.error.message).toContain('Invalid flavorRef provided');
    expect(servers().filter((s) => s.name === 'refused')).toHaveLength(0);
  });

  it('boots from a volume, extends it, resizes the flavor, stops, starts, reboots, deletes', async () => {
    const res = await create({ name: 'vm-vol', flavor: 'm1.tiny', image: 'cirros', volume_size: 2 });
    expect((await api.task(res.body.task.id)).status).toBe('succeeded');
    const id = res.body.id;
    let got = await api.call(h, 'GET', `/api/v1/instances/${id}`, { token: api.adminToken });
    expect(got.body.volumes).toHaveLength(1);
    const volumeId = got.body.volumes[0].id;

    const shrink = await api.call(h, 'PUT', `/api/v1/instances/${id}`, { token: api.adminToken, body: { volume_size: 1 } });
    expect(shrink.status).toBe(422);
    const up = await api.call(h, 'PUT', `/api/v1/instances/${id}`, { token: api.adminToken, body: { flavor: 'm1.small', volume_size: 4 } });
    expect(up.status).toBe(202);
    const busy = await api.call(h, 'PUT', `/api/v1/instances/${id}`, { token: api.adminToken, body: { flavor: 'm1.medium' } });
    expect(busy.status).toBe(409);
    expect((await api.task(up.body.task.id)).status).toBe('succeeded');
    got = await api.call(h, 'GET', `/api/v1/instances/${id}`, { token: api.adminToken });
    expect(got.body).toMatchObject({ status: 'ACTIVE', flavor: { name: 'm1.small' }, volume_size: 4 });
    expect(volumes().find((v) => v.id === volumeId)?.size).toBe(4);

    const rename = await api.call(h, 'PUT', `/api/v1/instances/${id}`, { token: api.adminToken, body: { name: 'vm-renamed' } });
    expect(rename.status).toBe(200);
    expect(rename.body.name).toBe('vm-renamed');

    const start = await api.call(h, 'POST', `/api/v1/instances/${id}/actions`, { token: api.adminToken, body: { action: 'start' } });
    expect(start.status).toBe(409);
    for (const [action, status] of [
      ['stop', 'SHUTOFF'],
      ['start', 'ACTIVE'],
      ['reboot', 'ACTIVE'],
    ]) {
      const r = await api.call(h, 'POST', `/api/v1/instances/${id}/actions`, { token: api.adminToken, body: { action } });
      expect(r.status, action).toBe(202);
      expect((await api.task(r.body.task.id)).status, action).toBe('succeeded');
      expect((await api.call(h, 'GET', `/api/v1/instances/${id}`, { token: api.adminToken })).body.status).toBe(status);
    }

    const [d1, d2] = await Promise.all([
      api.call(h, 'DELETE', `/api/v1/instances/${id}`, { token: api.adminToken }),
      api.call(h, 'DELETE', `/api/v1/instances/${id}`, { token: api.adminToken }),
    ]);
    expect([d1.status, d2.status]).toEqual([202, 202]);
    expect(d2.body.task.id).toBe(d1.body.task.id);
    expect((await api.task(d1.body.task.id)).status).toBe('succeeded');
    expect((await api.call(h, 'GET', `/api/v1/instances/${id}`, { token: api.adminToken })).status).toBe(404);
    expect(servers().filter((s) => s.name === 'vm-renamed')).toHaveLength(0);
    expect(volumes().find((v) => v.id === volumeId)).toBeUndefined();
  });

  it('scopes by department: a department operator sees and manages only their department', async () => {
    const dept = `ou=research,${api.baseDn}`;
    const alice = `uid=alice,ou=people,${dept}`;
    await api.grant(alice, ['instance:crwd', 'flavor:r', 'image:r'], { dn: dept, type: 'subtree' });
    const token = await api.tokenFor(alice);
    const mine = await create({ name: 'alice-vm', flavor: 'm1.tiny', image: 'cirros' }, token);
    expect(mine.status).toBe(202);
    expect(mine.body.department).toBe(dept);
    const elsewhere = await create(
      { name: 'alice-vm2', flavor: 'm1.tiny', image: 'cirros', department_dn: `ou=sales,${api.baseDn}` },
      token,
    );
    expect(elsewhere.status).toBe(403);
    const list = await api.call(h, 'GET', '/api/v1/instances', { token });
    expect(list.body.data.map((x: any) => x.name)).toEqual(['alice-vm']);
    const admins = await api.call(h, 'GET', '/api/v1/instances?filter=name:eq:web-1', { token: api.adminToken });
    const other = await api.call(h, 'GET', `/api/v1/instances/${admins.body.data[0].id}`, { token });
    expect(other.status).toBe(403);
    const guest = await api.tokenFor(`uid=guest,ou=people,${api.baseDn}`);
    expect((await api.call(h, 'GET', '/api/v1/instances', { token: guest })).status).toBe(403);
    await api.task(mine.body.task.id);
  });
});
