/**
 * The cloud surface driven over HTTP against the stack exactly as `npm run dev` starts it: serverless
 * offline, the Step Functions emulator running state-machines/* through the step Lambda, the SQS
 * workflow-events consumer, dynalite, and the OpenStack simulator with faults injected over its
 * `/_sim/faults` endpoint. The cloud itself is checked through its own API (no orphan left).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startDevStack, type DevStack } from '../helpers/dev-stack.js';
import { createOpenStackClient, type OpenStackClient } from '../../lib/providers/openstack/index.js';

let stack: DevStack;
let call: ReturnType<typeof client>;
let token: string;
let os: OpenStackClient;

async function waitTask(id: string) {
  for (let i = 0; i < 600; i++) {
    const r = await call('GET', `/tasks/${id}`, { token });
    if (['succeeded', 'failed', 'cancelled'].includes(r.json.status)) return r.json;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`task ${id} did not finish`);
}

async function faults(body: unknown) {
  const res = await fetch(`${stack.openstack}/_sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function serverNames(): Promise<string[]> {
  const out: string[] = [];
  for await (const s of os.nova.listServers()) out.push(s.name);
  return out;
}

beforeAll(async () => {
  stack = await startDevStack({ CLOUD_POLL_SECONDS: '1' });
  call = client(stack.api);
  token = (await call('POST', '/auth/login', { body: { username: 'admin', password: stack.adminPassword } })).json.access_token;
  os = createOpenStackClient({
    authUrl: `${stack.openstack}/identity/v3`,
    auth: { type: 'password', username: 'admin', password: 'admin', userDomain: 'Default', projectName: 'admin', projectDomain: 'Default' },
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('cloud over HTTP', () => {
  it('serves the catalog from the simulator', async () => {
    const flavors = await call('GET', '/flavors', { token });
    expect(flavors.status).toBe(200);
    expect(flavors.json.data.map((f: any) => f.name)).toEqual(['m1.tiny', 'm1.small', 'm1.medium', 'm1.large']);
    const images = await call('GET', '/images?filter=name:eq:cirros', { token });
    expect(images.json.data).toHaveLength(1);
    expect((await call('GET', '/quotas', { token })).json.compute.instances.limit).toBeGreaterThan(0);
  });

  it('creates an instance once per Idempotency-Key, resizes, stops and deletes it through the state machines', async () => {
    const body = { name: 'e2e-web', flavor: 'm1.tiny', image: 'cirros', volume_size: 1 };
    const headers = { 'Idempotency-Key': 'e2e-create-1' };
    const a = await call('POST', '/instances', { token, body, headers });
    const b = await call('POST', '/instances', { token, body, headers });
    expect(a.status).toBe(202);
    expect(a.json.status).toBe('BUILD');
    expect(a.headers.get('location')).toBe(`/api/v1/tasks/${a.json.task.id}`);
    expect(b.json.id).toBe(a.json.id);
    expect((await waitTask(a.json.task.id)).status).toBe('succeeded');
    const id = a.json.id;
    expect((await serverNames()).filter((n) => n === 'e2e-web')).toHaveLength(1);

    const resize = await call('PUT', `/instances/${id}`, { token, body: { flavor: 'm1.small', volume_size: 3 } });
    expect(resize.status).toBe(202);
    expect((await waitTask(resize.json.task.id)).status).toBe('succeeded');
    const got = await call('GET', `/instances/${id}`, { token });
    expect(got.json).toMatchObject({ status: 'ACTIVE', flavor: { name: 'm1.small' }, volume_size: 3 });

    const stop = await call('POST', `/instances/${id}/actions`, { token, body: { action: 'stop' } });
    expect((await waitTask(stop.json.task.id)).status).toBe('succeeded');
    expect((await call('GET', `/instances/${id}`, { token })).json.status).toBe('SHUTOFF');

    const logs = await call('GET', `/tasks/${resize.json.task.id}/logs`, { token });
    expect(logs.json.data.map((l: any) => l.message).join('\n')).toMatch(/Resiz/);

    const del = await call('DELETE', `/instances/${id}`, { token });
    expect(del.status).toBe(202);
    expect((await waitTask(del.json.task.id)).status).toBe('succeeded');
    expect((await call('GET', `/instances/${id}`, { token })).status).toBe(404);
    expect(await serverNames()).not.toContain('e2e-web');
  });

  it('an injected fault at each step ends the task failed, compensated, with no server left', async () => {
    const cases: [string, unknown][] = [
      ['fault-create', { rules: [{ method: 'POST', path: '^/servers$', service: 'compute', status: 400, message: 'Injected refusal' }] }],
      ['fault-build', { buildErrorFor: [{ kind: 'server', times: 1 }] }],
      ['fault-poll', { rules: [{ method: 'GET', path: '^/servers/[^/]+$', service: 'compute', status: 404, times: 1 }] }],
    ];
    for (const [name, f] of cases) {
      await faults(f);
      const res = await call('POST', '/instances', { token, body: { name, flavor: 'm1.tiny', image: 'cirros' } });
      expect(res.status, name).toBe(202);
      const task = await waitTask(res.json.task.id);
      expect(task.status, name).toBe('failed');
      expect(task.error.message.length, name).toBeGreaterThan(0);
      expect(await serverNames(), name).not.toContain(name);
      const got = await call('GET', `/instances/${res.json.id}`, { token });
      expect(got.json.status, name).toBe('ERROR');
    }
    await fetch(`${stack.openstack}/_sim/faults`, { method: 'DELETE' });
  });

  it('a cancelled create is compensated by the workflow-events consumer', async () => {
    await faults({});
    const res = await call('POST', '/instances', { token, body: { name: 'cancel-me', flavor: 'm1.tiny', image: 'cirros' } });
    await call('POST', `/tasks/${res.json.task.id}/cancel`, { token });
    expect((await waitTask(res.json.task.id)).status).toBe('cancelled');
    for (let i = 0; i < 100 && (await serverNames()).includes('cancel-me'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await serverNames()).not.toContain('cancel-me');
    let got;
    for (let i = 0; i < 100; i++) {
      got = await call('GET', `/instances/${res.json.id}`, { token });
      if (!got.json.current_task) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(got!.json).toMatchObject({ status: 'ERROR', fault: { code: 'WORKFLOW_ENDED' } });
  });

  it('networks and floating IPs: a routed network, an instance on it, a floating IP, in-use 409, clean delete', async () => {
    const net = await call('POST', '/network', { token, body: { name: 'e2e-net', cidr: '10.60.0.0/24', external_router: true } });
    expect(net.status, JSON.stringify(net.json)).toBe(201);
    expect(net.headers.get('location')).toBe(`/api/v1/network/${net.json.id}`);
    const bad = await call('POST', '/network', { token, body: { name: 'bad', cidr: '10.61.0.5/24' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.fields[0].field).toBe('body.cidr');
    const vm = await call('POST', '/instances', {
      token,
      body: { name: 'e2e-fip-vm', flavor: 'm1.tiny', image: 'cirros', network: net.json.id },
    });
    expect((await waitTask(vm.json.task.id)).status).toBe('succeeded');
    const fip = await call('POST', '/floating-ip', { token, body: { instance_id: vm.json.id } });
    expect(fip.status, JSON.stringify(fip.json)).toBe(201);
    expect((await call('GET', `/instances/${vm.json.id}`, { token })).json.floating_ips).toEqual([fip.json.address]);
    expect((await call('GET', '/floating-ips', { token })).json.data.map((f: any) => f.id)).toContain(fip.json.id);
    expect((await call('POST', `/floating-ip/${fip.json.id}/disassociate`, { token })).status).toBe(200);
    expect((await call('DELETE', `/floating-ip/${fip.json.id}`, { token })).status).toBe(204);
    const inUse = await call('DELETE', `/network/${net.json.id}`, { token });
    expect(inUse.status).toBe(409);
    expect(inUse.json.error.code).toBe('NETWORK_IN_USE');
    const del = await call('DELETE', `/instances/${vm.json.id}`, { token });
    expect((await waitTask(del.json.task.id)).status).toBe('succeeded');
    expect((await call('DELETE', `/network/${net.json.id}`, { token })).status).toBe(204);
    const names: string[] = [];
    for await (const n of os.neutron.networks.list()) names.push(n.name);
    expect(names).not.toContain('e2e-net');
  });

  it('volumes and snapshots: create attached, extend, snapshot with progress, 409s, deletes; a volume that goes ERROR leaves nothing', async () => {
    const vm = await call('POST', '/instances', { token, body: { name: 'e2e-vol-vm', flavor: 'm1.tiny', image: 'cirros' } });
    expect((await waitTask(vm.json.task.id)).status).toBe('succeeded');
    const vol = await call('POST', '/volume', { token, body: { name: 'e2e-vol', size: 1, instance_id: vm.json.id } });
    expect(vol.status, JSON.stringify(vol.json)).toBe(202);
    expect((await waitTask(vol.json.task.id)).status).toBe('succeeded');
    expect((await call('GET', `/volume/${vol.json.id}`, { token })).json.status).toBe('in-use');
    const ext = await call('POST', `/volume/${vol.json.id}/extend`, { token, body: { new_size: 2 } });
    expect((await waitTask(ext.json.task.id)).status).toBe('succeeded');
    expect((await call('GET', `/volume/${vol.json.id}`, { token })).json.size).toBe(2);
    const noForce = await call('POST', '/snapshot', { token, body: { volume_id: vol.json.id, name: 'e2e-snap' } });
    expect(noForce.status).toBe(409);
    const snap = await call('POST', '/snapshot', { token, body: { volume_id: vol.json.id, name: 'e2e-snap', force: true } });
    expect((await waitTask(snap.json.task.id)).status).toBe('succeeded');
    const s = await call('GET', `/snapshot/${snap.json.id}`, { token });
    expect(s.json).toMatchObject({ status: 'available', size: 2, progress: '100%' });
    expect((await call('DELETE', `/volume/${vol.json.id}`, { token })).status).toBe(409);
    const detach = await call('POST', `/volume/${vol.json.id}/detach`, { token });
    expect((await waitTask(detach.json.task.id)).status).toBe('succeeded');
    const ds = await call('DELETE', `/snapshot/${snap.json.id}`, { token });
    expect((await waitTask(ds.json.task.id)).status).toBe('succeeded');
    const dv = await call('DELETE', `/volume/${vol.json.id}`, { token });
    expect((await waitTask(dv.json.task.id)).status).toBe('succeeded');
    expect((await call('GET', `/volume/${vol.json.id}`, { token })).status).toBe(404);

    await faults({ buildErrorFor: [{ kind: 'volume', times: 1 }] });
    const doomed = await call('POST', '/volume', { token, body: { name: 'e2e-doomed-vol', size: 1 } });
    const t = await waitTask(doomed.json.task.id);
    expect(t.status).toBe('failed');
    const volumes: string[] = [];
    for await (const v of os.cinder.listVolumes()) volumes.push(v.name ?? '');
    expect(volumes).not.toContain('e2e-doomed-vol');
    await fetch(`${stack.openstack}/_sim/faults`, { method: 'DELETE' });
    const dvm = await call('DELETE', `/instances/${vm.json.id}`, { token });
    expect((await waitTask(dvm.json.task.id)).status).toBe('succeeded');
  });

  it('load balancers: listener, pool, member, monitor built in order; a refused member leaves no load balancer', async () => {
    const body = {
      name: 'e2e-lb',
      network_id: 'private',
      listeners: [{ protocol: 'HTTP', port: 80 }],
      members: [{ address: '10.0.0.50', port: 8080 }],
      health_monitor: { type: 'HTTP', delay: 5, timeout: 3, max_retries: 3, url_path: '/health' },
    };
    const lb = await call('POST', '/load-balancer', { token, body });
    expect(lb.status, JSON.stringify(lb.json)).toBe(202);
    expect((await waitTask(lb.json.task.id)).status).toBe('succeeded');
    const got = await call('GET', `/load-balancer/${lb.json.id}`, { token });
    expect(got.json.provisioning_status).toBe('ACTIVE');
    expect(got.json.listeners[0].pool.members).toHaveLength(1);
    const [d1, d2] = await Promise.all([
      call('DELETE', `/load-balancer/${lb.json.id}`, { token }),
      call('DELETE', `/load-balancer/${lb.json.id}`, { token }),
    ]);
    expect(d2.json.task.id).toBe(d1.json.task.id);
    expect((await waitTask(d1.json.task.id)).status).toBe('succeeded');

    await faults({
      rules: [{ method: 'POST', path: '/members$', service: 'load-balancer', status: 400, message: 'Injected member refusal' }],
    });
    const bad = await call('POST', '/load-balancer', { token, body: { ...body, name: 'e2e-lb-doomed' } });
    const t = await waitTask(bad.json.task.id);
    expect(t.status).toBe('failed');
    expect(t.error.message).toContain('Injected member refusal');
    const lbs: string[] = [];
    for await (const l of os.octavia.loadBalancers.list()) lbs.push(l.name ?? '');
    expect(lbs).not.toContain('e2e-lb-doomed');
    await fetch(`${stack.openstack}/_sim/faults`, { method: 'DELETE' });
  });
});
