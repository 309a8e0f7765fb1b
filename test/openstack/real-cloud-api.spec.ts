/**
 * The cloud surface against a REAL OpenStack: `npm run dev` started with the cloud's OS_* variables (from
 * test/openstack/run.sh, RUN_EXTRA), then instances, volumes, snapshots, networks and floating IPs driven over
 * HTTP exactly as a user would, checking the cloud through its own API that nothing is left behind.
 * Run by `npm run test:openstack` (and so by .ci/run); skipped by design outside it (no OS_AUTH_URL: fails).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startDevStack, type DevStack } from '../helpers/dev-stack.js';
import { createOpenStackClient, openStackConfigFromEnv, type OpenStackClient } from '../../lib/providers/openstack/index.js';

let stack: DevStack;
let call: ReturnType<typeof client>;
let token: string;
let os: OpenStackClient;
const RUN = `rc${Date.now().toString(36)}`;

async function waitTask(id: string, timeoutMs = 240_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const r = await call('GET', `/tasks/${id}`, { token });
    if (['succeeded', 'failed', 'cancelled'].includes(r.json.status)) return r.json;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`task ${id} did not finish`);
}

async function serverNames(): Promise<string[]> {
  const out: string[] = [];
  for await (const s of os.nova.listServers()) out.push(s.name);
  return out;
}

beforeAll(async () => {
  if (!process.env.OS_AUTH_URL) throw new Error('OS_AUTH_URL is not set: run through test/openstack/run.sh');
  os = createOpenStackClient(openStackConfigFromEnv());
  // Room for the suite whatever an earlier run left in the quotas.
  const project = (await os.session()).projectId;
  await os.nova.http.put(`/os-quota-sets/${project}`, { quota_set: { instances: 50, cores: 100, ram: 204800 } });
  stack = await startDevStack({ CLOUD_POLL_SECONDS: '1', SFN_WAIT_SCALE: '1' });
  call = client(stack.api);
  token = (await call('POST', '/auth/login', { body: { username: 'admin', password: stack.adminPassword } })).json.access_token;
}, 300_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('cloud API on a real OpenStack', () => {
  let networkId: string;
  let instanceId: string;

  it('reads the catalog', async () => {
    const flavors = await call('GET', '/flavors', { token });
    expect(flavors.status).toBe(200);
    expect(flavors.json.data.map((f: any) => f.name)).toEqual(expect.arrayContaining(['m1.tiny', 'm1.small']));
    expect((await call('GET', '/images?filter=name:eq:cirros', { token })).json.data).toHaveLength(1);
    const q = await call('GET', '/quotas', { token });
    expect(q.json.compute.instances.limit).toBeGreaterThan(0);
    expect(Object.keys(q.json.network).length).toBeGreaterThan(0);
  });

  it('creates a network with a router to the external network', async () => {
    const res = await call('POST', '/network', { token, body: { name: `${RUN}-net`, cidr: '10.77.0.0/24', external_router: true } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    networkId = res.json.id;
    expect(res.json.openstack_id).toBeTruthy();
  });

  it('creates an instance on it, stops and starts it, resizes it', async () => {
    const res = await call('POST', '/instances', {
      token,
      body: { name: `${RUN}-vm`, flavor: 'm1.tiny', image: 'cirros', network: networkId },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    instanceId = res.json.id;
    const t = await waitTask(res.json.task.id);
    expect(t.status, JSON.stringify(t.error)).toBe('succeeded');
    const got = await call('GET', `/instances/${instanceId}`, { token });
    expect(got.json).toMatchObject({ status: 'ACTIVE', flavor: { name: 'm1.tiny' } });
    expect(got.json.addresses[0].addr).toMatch(/^10\.77\.0\./);

    const stop = await call('POST', `/instances/${instanceId}/actions`, { token, body: { action: 'stop' } });
    expect((await waitTask(stop.json.task.id)).status).toBe('succeeded');
    const start = await call('POST', `/instances/${instanceId}/actions`, { token, body: { action: 'start' } });
    expect((await waitTask(start.json.task.id)).status).toBe('succeeded');
    const resize = await call('PUT', `/instances/${instanceId}`, { token, body: { flavor: 'm1.small' } });
    expect(resize.status).toBe(202);
    const rt = await waitTask(resize.json.task.id);
    expect(rt.status, JSON.stringify(rt.error)).toBe('succeeded');
    expect((await call('GET', `/instances/${instanceId}`, { token })).json.flavor.name).toBe('m1.small');
  });

  it('gives it a floating IP, then releases it', async () => {
    const fip = await call('POST', '/floating-ip', { token, body: { instance_id: instanceId } });
    expect(fip.status, JSON.stringify(fip.json)).toBe(201);
    expect(fip.json.address).toMatch(/^172\.24\.4\./);
    const del = await call('DELETE', `/floating-ip/${fip.json.id}`, { token });
    expect(del.status).toBe(204);
  });

  it('creates a volume attached to the instance, snapshots it, cleans up', async () => {
    const vol = await call('POST', '/volume', { token, body: { name: `${RUN}-vol`, size: 1 } });
    expect(vol.status, JSON.stringify(vol.json)).toBe(202);
    const vt = await waitTask(vol.json.task.id);
    expect(vt.status, JSON.stringify(vt.error)).toBe('succeeded');
    const snap = await call('POST', '/snapshot', { token, body: { volume_id: vol.json.id, name: `${RUN}-snap` } });
    expect(snap.status, JSON.stringify(snap.json)).toBe(202);
    const st = await waitTask(snap.json.task.id);
    expect(st.status, JSON.stringify(st.error)).toBe('succeeded');
    expect((await call('GET', `/snapshot/${snap.json.id}`, { token })).json.status).toBe('available');
    const ds = await call('DELETE', `/snapshot/${snap.json.id}`, { token });
    expect((await waitTask(ds.json.task.id)).status).toBe('succeeded');
    const dv = await call('DELETE', `/volume/${vol.json.id}`, { token });
    expect((await waitTask(dv.json.task.id)).status).toBe('succeeded');
  });

  it('deletes the instance and the network: nothing of this run is left in the cloud', async () => {
    const del = await call('DELETE', `/instances/${instanceId}`, { token });
    expect((await waitTask(del.json.task.id)).status).toBe('succeeded');
    expect(await serverNames()).not.toContain(`${RUN}-vm`);
    let res;
    for (let i = 0; i < 30; i++) {
      res = await call('DELETE', `/network/${networkId}`, { token });
      if (res.status !== 409) break;
      await new Promise((r) => setTimeout(r, 1000)); // the server's port goes with it, a moment later
    }
    expect(res!.status, JSON.stringify(res!.json)).toBe(204);
    const nets: string[] = [];
    for await (const n of os.neutron.networks.list()) nets.push(n.name);
    expect(nets).not.toContain(`${RUN}-net`);
  });
});
