/**
 * Volumes and snapshots end to end on local peers: the HTTP handlers, the real state machines in the Step
 * Functions emulator, the step Lambda, dynalite, and the OpenStack simulator (with injected faults).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudApi, Handler } from '../helpers/cloud-api.js';

let api: CloudApi;
let h: Handler;
let instances: Handler;
/** An ACTIVE instance of the admin's, and its server. */
let vm: { id: string; server: string };

type SimVolume = { id: string; name: string | null; status: string; size: number; attachments: { serverId: string }[] };
type SimSnapshot = { id: string; name: string | null; status: string; progress: string; volumeId: string };
const simVolumes = () => Object.values(api.cloud.state.volumes) as unknown as SimVolume[];
const simSnapshots = () => Object.values(api.cloud.state.snapshots) as unknown as SimSnapshot[];
const named = <T extends { name: string | null }>(list: T[], name: string) => list.filter((x) => x.name === name);

const call = (method: string, path: string, body?: unknown, token = api.adminToken, headers?: Record<string, string>) =>
  api.call(h, method, path, { token, ...(body !== undefined && { body }), ...(headers && { headers }) });
const getVolume = async (id: string, token = api.adminToken) => call('GET', `/api/v1/volume/${id}`, undefined, token);
const getSnapshot = async (id: string) => call('GET', `/api/v1/snapshot/${id}`);
const fields = (res: { body: any }) => res.body.error.details.fields.map((f: any) => f.field).sort();

/** POST /volume and wait for its task. */
async function volume(body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/volume', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const task = await api.task(res.body.task.id);
  return { id: res.body.id as string, task };
}

async function snapshot(body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/snapshot', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const task = await api.task(res.body.task.id);
  return { id: res.body.id as string, task };
}

async function instance(name: string) {
  const res = await api.call(instances, 'POST', '/api/v1/instances', {
    token: api.adminToken,
    body: { name, flavor: 'm1.tiny', image: 'cirros' },
  });
  expect(res.status).toBe(202);
  return res.body as { id: string; task: { id: string } };
}

async function deleted(path: string) {
  const res = await call('DELETE', path);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect((await api.task(res.body.task.id)).status).toBe('succeeded');
}

beforeAll(async () => {
  const { startCloudApi } = await import('../helpers/cloud-api.js');
  api = await startCloudApi();
  h = (await import('../../functions/http/volumes.js')).handler as Handler;
  instances = (await import('../../functions/http/instances.js')).handler as Handler;
  const created = await instance('vm-a');
  expect((await api.task(created.task.id)).status).toBe('succeeded');
  const got = await api.call(instances, 'GET', `/api/v1/instances/${created.id}`, { token: api.adminToken });
  vm = { id: created.id, server: got.body.openstack_id };
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('volumes', () => {
  it('creates: 202 creating with a task and Location, then available with size, type, owner and department', async () => {
    const res = await call('POST', '/api/v1/volume', { name: 'data-1', size: 2, description: 'logs', metadata: { role: 'db' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ name: 'data-1', status: 'creating', size: 2, openstack_id: null, task: { id: expect.any(String) } });
    expect(res.headers.Location ?? res.headers.location).toBe(`/api/v1/tasks/${res.body.task.id}`);
    expect(await api.task(res.body.task.id)).toMatchObject({
      status: 'succeeded',
      progress: 100,
      result: { volume: { status: 'available' } },
    });

    const got = await getVolume(res.body.id);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      status: 'available',
      size: 2,
      volume_type: 'lvmdriver-1',
      bootable: false,
      attachments: [],
      description: 'logs',
      metadata: { role: 'db' },
      owner: `uid=admin,ou=people,${api.baseDn}`,
      department: api.baseDn,
    });
    expect(got.body.current_task).toBeUndefined();
    const sim = simVolumes().find((v) => v.id === got.body.openstack_id);
    expect(sim).toMatchObject({ name: 'data-1', status: 'available', size: 2 });

    const list = await call('GET', '/api/v1/volumes?filter=name:eq:data-1');
    expect(list.status).toBe(200);
    expect(list.body.data.map((v: any) => [v.id, v.status])).toEqual([[res.body.id, 'available']]);
    expect((await call('GET', '/api/v1/volumes?filter=nope:eq:1')).status).toBe(400);
    await deleted(`/api/v1/volume/${res.body.id}`);
  });

  it('names each invalid field, an unknown instance or volume type; 422 over quota; nothing is made', async () => {
    const before = simVolumes().length;
    const bad = await call('POST', '/api/v1/volume', { name: '', size: 0, instance_id: 'vm-a' });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['body.instance_id', 'body.name', 'body.size']);
    for (const [field, body] of [
      ['instance_id', { name: 'x', size: 1, instance_id: randomUUID() }],
      ['volume_type', { name: 'x', size: 1, volume_type: 'ceph-gold' }],
    ] as const) {
      const res = await call('POST', '/api/v1/volume', body);
      expect(res.status, field).toBe(400);
      expect(fields(res)).toEqual([`body.${field}`]);
    }
    const quota = await call('POST', '/api/v1/volume', { name: 'huge', size: 5000 });
    expect(quota.status).toBe(422);
    expect(quota.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { resource: 'gigabytes', limit: 1000 } });
    const fromElsewhere = await call('POST', '/api/v1/volume', { name: 'x', size: 1, department_dn: 'ou=x,dc=other' });
    expect(fromElsewhere.status).toBe(400);
    expect(fromElsewhere.body.error).toMatchObject({ code: 'INVALID_DEPARTMENT', details: { field: 'body.department_dn' } });
    expect(simVolumes().length).toBe(before);
    expect((await call('GET', '/api/v1/volumes?filter=name:eq:x')).body.data).toEqual([]);
  });

  it('the same Idempotency-Key creates one volume', async () => {
    const headers = { 'Idempotency-Key': 'volume-idem-1' };
    const a = await call('POST', '/api/v1/volume', { name: 'idem-vol', size: 1 }, api.adminToken, headers);
    const b = await call('POST', '/api/v1/volume', { name: 'idem-vol', size: 1 }, api.adminToken, headers);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers['Idempotency-Replayed']).toBe('true');
    await api.task(a.body.task.id);
    expect(named(simVolumes(), 'idem-vol')).toHaveLength(1);
    await deleted(`/api/v1/volume/${a.body.id}`);
  });

  it('creates attached to an instance, extends in use, detaches, attaches again; states that do not allow it are 409', async () => {
    const { id, task } = await volume({ name: 'attached-1', size: 1, instance_id: vm.id });
    expect(task.status).toBe('succeeded');
    let got = await getVolume(id);
    expect(got.body).toMatchObject({
      status: 'in-use',
      attachments: [{ instance_id: vm.id, openstack_server_id: vm.server, device: '/dev/vdb' }],
    });
    const server = await api.call(instances, 'GET', `/api/v1/instances/${vm.id}`, { token: api.adminToken });
    expect(server.body.volumes).toEqual([{ id: got.body.openstack_id }]);

    // Attached: no second attach, no delete, no detach of an available volume later.
    const again = await call('POST', `/api/v1/volume/${id}/attach`, { instance_id: vm.id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('VOLUME_STATE_CONFLICT');
    const inUse = await call('DELETE', `/api/v1/volume/${id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.code).toBe('VOLUME_IN_USE');

    // Extend while in use (Cinder 3.42+): 422 when not larger, busy while running.
    const same = await call('POST', `/api/v1/volume/${id}/extend`, { new_size: 1 });
    expect(same.status).toBe(422);
    expect(same.body.error).toMatchObject({ code: 'NEW_SIZE_TOO_SMALL', details: { field: 'body.new_size', current: 1 } });
    expect(fields(await call('POST', `/api/v1/volume/${id}/extend`, { new_size: 'big' }))).toEqual(['body.new_size']);
    const grow = await call('POST', `/api/v1/volume/${id}/extend`, { new_size: 3 });
    expect(grow.status).toBe(202);
    expect(grow.body.current_task.id).toBe(grow.body.task.id);
    const busy = await call('POST', `/api/v1/volume/${id}/detach`);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('RESOURCE_BUSY');
    expect((await api.task(grow.body.task.id)).status).toBe('succeeded');
    got = await getVolume(id);
    expect(got.body).toMatchObject({ status: 'in-use', size: 3 });
    expect(simVolumes().find((v) => v.id === got.body.openstack_id)).toMatchObject({ size: 3, status: 'in-use' });

    const detach = await call('POST', `/api/v1/volume/${id}/detach`);
    expect(detach.status).toBe(202);
    expect((await api.task(detach.body.task.id)).status).toBe('succeeded');
    got = await getVolume(id);
    expect(got.body).toMatchObject({ status: 'available', attachments: [] });
    expect((await call('POST', `/api/v1/volume/${id}/detach`)).body.error.code).toBe('VOLUME_STATE_CONFLICT');
    expect(fields(await call('POST', `/api/v1/volume/${id}/attach`, {}))).toEqual(['body.instance_id']);

    const attach = await call('POST', `/api/v1/volume/${id}/attach`, { instance_id: vm.id });
    expect(attach.status).toBe(202);
    expect((await api.task(attach.body.task.id)).status).toBe('succeeded');
    expect((await getVolume(id)).body).toMatchObject({ status: 'in-use', attachments: [{ instance_id: vm.id }] });
    const off = await call('POST', `/api/v1/volume/${id}/detach`);
    expect((await api.task(off.body.task.id)).status).toBe('succeeded');
    await deleted(`/api/v1/volume/${id}`);
    expect(simVolumes().find((v) => v.id === got.body.openstack_id)).toBeUndefined();
  });

  it('refuses an instance that is not ACTIVE or SHUTOFF with 409, before anything is made', async () => {
    const building = await instance('vm-building');
    const before = simVolumes().length;
    const res = await call('POST', '/api/v1/volume', { name: 'too-early', size: 1, instance_id: building.id });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'INSTANCE_STATE_CONFLICT', details: { field: 'body.instance_id' } });
    expect(simVolumes().length).toBe(before);
    await api.task(building.task.id);
    await api.call(instances, 'DELETE', `/api/v1/instances/${building.id}`, { token: api.adminToken });
  });

  it('a 500 on the create call is retried; a refused create is failed with the message and leaves nothing', async () => {
    api.cloud.setFaults({ rules: [{ method: 'POST', path: '^/volumes$', status: 500, times: 2 }] });
    const retried = await volume({ name: 'retried-vol', size: 1 });
    expect(retried.task.status).toBe('succeeded');
    expect(named(simVolumes(), 'retried-vol')).toHaveLength(1);
    await deleted(`/api/v1/volume/${retried.id}`);

    api.cloud.setFaults({
      rules: [{ method: 'POST', path: '^/volumes$', status: 400, message: 'Volume type lvmdriver-1 is not usable', times: 1 }],
    });
    const refused = await volume({ name: 'refused-vol', size: 1 });
    expect(refused.task.status).toBe('failed');
    expect(refused.task.error.message).toContain('Volume type lvmdriver-1 is not usable');
    expect(named(simVolumes(), 'refused-vol')).toHaveLength(0);
  });

  it('a volume that goes ERROR fails the task with the fault, leaves nothing in the cloud, and its record can be deleted', async () => {
    api.cloud.setFaults({ buildErrorFor: [{ kind: 'volume', times: 1 }] });
    const doomed = await volume({ name: 'doomed-vol', size: 1 });
    expect(doomed.task.status).toBe('failed');
    expect(doomed.task.error).toMatchObject({ code: 'CLOUD_FAULT', message: expect.stringMatching(/Volume .* went into ERROR/) });
    const got = await getVolume(doomed.id);
    expect(got.body).toMatchObject({ status: 'error', openstack_id: null, fault: { code: 'CLOUD_FAULT' } });
    expect(got.body.current_task).toBeUndefined();
    expect(named(simVolumes(), 'doomed-vol')).toHaveLength(0);
    await deleted(`/api/v1/volume/${doomed.id}`);
    expect((await getVolume(doomed.id)).status).toBe(404);
  });

  it('a 500 while waiting is retried; an attach Nova refuses deletes the new volume (no orphan)', async () => {
    api.cloud.setFaults({ rules: [{ method: 'GET', path: '^/volumes/[^/]+$', status: 500, times: 4 }] });
    const waited = await volume({ name: 'waited-vol', size: 1 });
    expect(waited.task.status).toBe('succeeded');
    await deleted(`/api/v1/volume/${waited.id}`);

    api.cloud.setFaults({
      rules: [
        {
          method: 'POST',
          path: '^/servers/[^/]+/os-volume_attachments$',
          status: 400,
          message: 'Invalid volume: volume is not attachable',
          times: 1,
        },
      ],
    });
    const refused = await volume({ name: 'unattachable', size: 1, instance_id: vm.id });
    expect(refused.task.status).toBe('failed');
    expect(refused.task.error.message).toContain('volume is not attachable');
    expect(named(simVolumes(), 'unattachable')).toHaveLength(0);
    expect((await getVolume(refused.id)).body).toMatchObject({ status: 'error', openstack_id: null });
    const server = await api.call(instances, 'GET', `/api/v1/instances/${vm.id}`, { token: api.adminToken });
    expect(server.body.volumes).toEqual([]);
  });

  it('a refused extend fails its task with the message and leaves the volume as it was', async () => {
    const { id } = await volume({ name: 'extend-refused', size: 1 });
    api.cloud.setFaults({
      rules: [{ method: 'POST', path: '^/volumes/[^/]+/action$', status: 400, message: 'Invalid volume: backend cannot grow', times: 1 }],
    });
    const res = await call('POST', `/api/v1/volume/${id}/extend`, { new_size: 2 });
    expect(res.status).toBe(202);
    const task = await api.task(res.body.task.id);
    expect(task.status).toBe('failed');
    expect(task.error.message).toContain('backend cannot grow');
    const got = await getVolume(id);
    expect(got.body).toMatchObject({ status: 'available', size: 1 });
    expect(got.body.current_task).toBeUndefined();
    await deleted(`/api/v1/volume/${id}`);
  });

  it('an instance deleted with a volume attached leaves the volume available', async () => {
    const vmb = await instance('vm-b');
    expect((await api.task(vmb.task.id)).status).toBe('succeeded');
    const { id } = await volume({ name: 'survivor', size: 1, instance_id: vmb.id });
    expect((await getVolume(id)).body).toMatchObject({ status: 'in-use', attachments: [{ instance_id: vmb.id }] });
    const del = await api.call(instances, 'DELETE', `/api/v1/instances/${vmb.id}`, { token: api.adminToken });
    expect((await api.task(del.body.task.id)).status).toBe('succeeded');
    expect((await getVolume(id)).body).toMatchObject({ status: 'available', attachments: [] });
    await deleted(`/api/v1/volume/${id}`);
  });

  it('concurrent deletes are one deletion, then 404', async () => {
    const { id } = await volume({ name: 'twice-deleted', size: 1 });
    const cloudId = (await getVolume(id)).body.openstack_id;
    const [a, b] = await Promise.all([call('DELETE', `/api/v1/volume/${id}`), call('DELETE', `/api/v1/volume/${id}`)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body.task.id).toBe(a.body.task.id);
    expect(a.body.status).toBe('deleting');
    expect((await api.task(a.body.task.id)).status).toBe('succeeded');
    expect((await getVolume(id)).status).toBe(404);
    expect(simVolumes().find((v) => v.id === cloudId)).toBeUndefined();
    expect((await call('GET', '/api/v1/volumes?filter=name:eq:twice-deleted')).body.data).toEqual([]);
  });
});

describe('snapshots', () => {
  it('snapshots a volume: the state of the backup with size and progress; listed by volume; deleted', async () => {
    const vol = await volume({ name: 'backed-up', size: 2 });
    const res = await call('POST', '/api/v1/snapshot', { volume_id: vol.id, name: 'nightly', description: 'before upgrade' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      status: 'creating',
      volume_id: vol.id,
      size: 2,
      openstack_id: null,
      task: { id: expect.any(String) },
    });
    expect(res.headers.Location ?? res.headers.location).toBe(`/api/v1/tasks/${res.body.task.id}`);
    expect((await api.task(res.body.task.id)).status).toBe('succeeded');

    const got = await getSnapshot(res.body.id);
    expect(got.status).toBe(200);
    const volumeCloudId = (await getVolume(vol.id)).body.openstack_id;
    expect(got.body).toMatchObject({
      name: 'nightly',
      status: 'available',
      size: 2,
      progress: '100%',
      volume_id: vol.id,
      openstack_volume_id: volumeCloudId,
      description: 'before upgrade',
      metadata: {},
      department: api.baseDn,
    });
    // Cinder's progress while it copies (the simulator's snapshot held in `creating`).
    const sim = simSnapshots().find((s) => s.id === got.body.openstack_id)!;
    Object.assign(sim, { status: 'creating', progress: '42%' });
    expect((await getSnapshot(res.body.id)).body).toMatchObject({ status: 'creating', progress: '42%' });
    Object.assign(sim, { status: 'available', progress: '100%' });

    const other = await snapshot({ volume_id: vol.id, name: 'weekly' });
    expect(other.task.status).toBe('succeeded');
    const list = await call('GET', `/api/v1/snapshots?filter=volume_id:eq:${vol.id}`);
    expect(list.body.data.map((s: any) => s.name).sort()).toEqual(['nightly', 'weekly']);
    expect(list.body.data.every((s: any) => s.status === 'available')).toBe(true);

    const [a, b] = await Promise.all([call('DELETE', `/api/v1/snapshot/${other.id}`), call('DELETE', `/api/v1/snapshot/${other.id}`)]);
    expect(b.body.task.id).toBe(a.body.task.id);
    expect((await api.task(a.body.task.id)).status).toBe('succeeded');
    expect((await getSnapshot(other.id)).status).toBe(404);
    expect(named(simSnapshots(), 'weekly')).toHaveLength(0);

    // A volume with snapshots: 409 as in Cinder, unless cascade=true, which takes the snapshots' records too.
    const refused = await call('DELETE', `/api/v1/volume/${vol.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'VOLUME_HAS_SNAPSHOTS', details: { snapshots: [res.body.id] } });
    await deleted(`/api/v1/volume/${vol.id}?cascade=true`);
    expect((await getSnapshot(res.body.id)).status).toBe(404);
    expect(named(simSnapshots(), 'nightly')).toHaveLength(0);
    expect(simVolumes().find((v) => v.id === volumeCloudId)).toBeUndefined();
  });

  it('an attached volume needs force (409 naming it); validation names the fields; an unknown volume is a 400', async () => {
    const vol = await volume({ name: 'hot-data', size: 1, instance_id: vm.id });
    const noForce = await call('POST', '/api/v1/snapshot', { volume_id: vol.id, name: 'hot' });
    expect(noForce.status).toBe(409);
    expect(noForce.body.error).toMatchObject({ code: 'VOLUME_IN_USE', details: { field: 'body.force', status: 'in-use' } });
    const forced = await snapshot({ volume_id: vol.id, name: 'hot', force: true });
    expect(forced.task.status).toBe('succeeded');
    expect((await getSnapshot(forced.id)).body.status).toBe('available');

    const bad = await call('POST', '/api/v1/snapshot', { volume_id: 'nope', name: '', force: 'yes' });
    expect(fields(bad)).toEqual(['body.force', 'body.name', 'body.volume_id']);
    const unknown = await call('POST', '/api/v1/snapshot', { volume_id: randomUUID(), name: 's' });
    expect(unknown.status).toBe(400);
    expect(fields(unknown)).toEqual(['body.volume_id']);

    await deleted(`/api/v1/snapshot/${forced.id}`);
    const off = await call('POST', `/api/v1/volume/${vol.id}/detach`);
    expect((await api.task(off.body.task.id)).status).toBe('succeeded');
    await deleted(`/api/v1/volume/${vol.id}`);
  });

  it('a snapshot that goes ERROR, or that Cinder refuses, fails its task and leaves nothing behind', async () => {
    const vol = await volume({ name: 'fragile', size: 1 });
    api.cloud.setFaults({ buildErrorFor: [{ kind: 'snapshot', times: 1 }] });
    const doomed = await snapshot({ volume_id: vol.id, name: 'doomed-snap' });
    expect(doomed.task.status).toBe('failed');
    expect(doomed.task.error.message).toMatch(/Snapshot .* went into ERROR/);
    expect((await getSnapshot(doomed.id)).body).toMatchObject({ status: 'error', openstack_id: null, fault: { code: 'CLOUD_FAULT' } });
    expect(named(simSnapshots(), 'doomed-snap')).toHaveLength(0);

    api.cloud.setFaults({
      rules: [{ method: 'POST', path: '^/snapshots$', status: 400, message: 'Invalid volume: backend busy', times: 1 }],
    });
    const refused = await snapshot({ volume_id: vol.id, name: 'refused-snap' });
    expect(refused.task.status).toBe('failed');
    expect(refused.task.error.message).toContain('backend busy');
    expect(named(simSnapshots(), 'refused-snap')).toHaveLength(0);

    // The failed records go with their volume.
    await deleted(`/api/v1/volume/${vol.id}`);
    expect((await getSnapshot(doomed.id)).status).toBe(404);
  });
});

describe('departments', () => {
  it('scopes volumes and snapshots by department: 403 elsewhere, lists only the department', async () => {
    const dept = `ou=research,${api.baseDn}`;
    const alice = `uid=alice,ou=people,${dept}`;
    await api.grant(alice, ['volume:crwd', 'snapshot:crwd', 'instance:rw'], { dn: dept, type: 'subtree' });
    const token = await api.tokenFor(alice);
    const admins = await volume({ name: 'admin-vol', size: 1 });

    const mine = await call('POST', '/api/v1/volume', { name: 'alice-vol', size: 1 }, token);
    expect(mine.status).toBe(202);
    expect(mine.body).toMatchObject({ department: dept, owner: alice });
    await api.task(mine.body.task.id);
    expect((await call('POST', '/api/v1/volume', { name: 'v', size: 1, department_dn: `ou=sales,${api.baseDn}` }, token)).status).toBe(403);
    expect((await call('GET', '/api/v1/volumes', undefined, token)).body.data.map((v: any) => v.name)).toEqual(['alice-vol']);
    expect((await getVolume(admins.id, token)).status).toBe(403);
    // 403 before 404: nothing is learnt of ids outside the department.
    expect((await getVolume(randomUUID(), token)).status).toBe(403);
    expect((await call('DELETE', `/api/v1/volume/${admins.id}`, undefined, token)).status).toBe(403);
    expect((await call('POST', `/api/v1/volume/${admins.id}/extend`, { new_size: 5 }, token)).status).toBe(403);
    // Someone else's instance or volume as a target.
    expect((await call('POST', `/api/v1/volume/${mine.body.id}/attach`, { instance_id: vm.id }, token)).status).toBe(403);
    expect((await call('POST', '/api/v1/snapshot', { volume_id: admins.id, name: 's' }, token)).status).toBe(403);

    const snap = await call('POST', '/api/v1/snapshot', { volume_id: mine.body.id, name: 'alice-snap' }, token);
    expect(snap.status).toBe(202);
    expect(snap.body.department).toBe(dept);
    await api.task(snap.body.task.id);
    expect((await call('GET', '/api/v1/snapshots', undefined, token)).body.data.map((s: any) => s.name)).toEqual(['alice-snap']);
    const guest = await api.tokenFor(`uid=guest,ou=people,${api.baseDn}`);
    expect((await call('GET', '/api/v1/volumes', undefined, guest)).status).toBe(403);
    expect((await call('GET', '/api/v1/snapshots', undefined, guest)).status).toBe(403);

    // Attached by an administrator to an instance she may not change: she may not take it off either.
    const attach = await call('POST', `/api/v1/volume/${mine.body.id}/attach`, { instance_id: vm.id });
    expect((await api.task(attach.body.task.id)).status).toBe('succeeded');
    expect((await call('POST', `/api/v1/volume/${mine.body.id}/detach`, undefined, token)).status).toBe(403);
    const detach = await call('POST', `/api/v1/volume/${mine.body.id}/detach`);
    expect((await api.task(detach.body.task.id)).status).toBe('succeeded');

    await deleted(`/api/v1/volume/${mine.body.id}?cascade=true`);
    await deleted(`/api/v1/volume/${admins.id}`);
  });
});
