/**
 * Targeted fault injection of the OpenStack simulator: fault rules (method/path/service, times, skip, in
 * order), forced build errors per kind, and the HTTP admin endpoint `/_sim/faults` that a stack run as a
 * child process is driven through. Each test clears the faults it set.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenStackClient, openStackConfigFromEnv } from '../../lib/providers/openstack/index.js';
import { startOpenStackSimulator, type RunningOpenStackSimulator } from '../../local/openstack/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- JSON payloads are asserted field by field */
type Json = any;

interface Answer {
  status: number;
  body: Json;
  text: string;
}

async function call(method: string, url: string, opts: { token?: string; body?: unknown; raw?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', 'OpenStack-API-Version': 'compute 2.79, volume 3.59' };
  if (opts.token) headers['x-auth-token'] = opts.token;
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  let body: Json;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let sim: RunningOpenStackSimulator;
let token: string;
let ep: Record<string, string>;
let privateNet: Json;
let cirros: Json;

const nova = (p: string) => `${ep.compute}${p}`;
const neutron = (p: string) => `${ep.network}/v2.0${p}`;
const cinder = (p: string) => `${ep['block-storage']}${p}`;
const glance = (p: string) => `${ep.image}/v2${p}`;
const octavia = (p: string) => `${ep['load-balancer']}/v2/lbaas${p}`;
const admin = () => `${sim.origin}/_sim/faults`;

const auth = {
  auth: {
    identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password: 'admin' } } },
    scope: { project: { name: 'admin', domain: { name: 'Default' } } },
  },
};

const createServer = (name: string, extra: Record<string, unknown> = {}) =>
  call('POST', nova('/servers'), {
    token,
    body: { server: { name, flavorRef: '1', imageRef: cirros.id, networks: [{ uuid: privateNet.id }], ...extra } },
  });
const createVolume = (size = 1) => call('POST', cinder('/volumes'), { token, body: { volume: { size } } });

beforeAll(async () => {
  sim = await startOpenStackSimulator({ port: 0, transitionMs: 20, seed: 3 });
  const res = await fetch(`${sim.url}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(auth),
  });
  token = res.headers.get('x-subject-token')!;
  const body = (await res.json()) as Json;
  ep = {};
  for (const svc of body.token.catalog) ep[svc.type] = svc.endpoints.find((e: Json) => e.interface === 'public').url;
  privateNet = (await call('GET', neutron('/networks?name=private'), { token })).body.networks[0];
  cirros = (await call('GET', glance('/images?name=cirros'), { token })).body.images[0];
});

afterEach(() => sim.clearFaults());
afterAll(async () => sim?.stop());

describe('fault rules', () => {
  it('fails the next `times` matching calls in the service fault shape, then serves again; other calls pass', async () => {
    sim.setFaults({ rules: [{ method: 'POST', path: '^/servers$', service: 'compute', status: 409, times: 2 }] });
    for (let i = 0; i < 2; i++) {
      const r = await createServer(`f-${i}`);
      expect(r.status).toBe(409);
      expect(r.body).toEqual({ conflictingRequest: { code: 409, message: 'Injected fault (HTTP 409)' } });
    }
    // A GET on the same path and a POST elsewhere are not matched.
    expect((await call('GET', nova('/servers'), { token })).status).toBe(200);
    expect((await call('POST', nova('/servers/nope/action'), { token, body: { 'os-stop': null } })).status).toBe(404);
    expect(sim.faults.rules).toEqual([]);
    const ok = await createServer('f-ok');
    expect(ok.status).toBe(202);
    await call('DELETE', nova(`/servers/${ok.body.server.id}`), { token });
  });

  it('lets `skip` matching calls through first, and fails reads too', async () => {
    sim.setFaults({ rules: [{ method: 'get', path: '^/volumes/detail$', status: 503, skip: 1, times: 1 }] });
    expect((await call('GET', cinder('/volumes/detail'), { token })).status).toBe(200);
    const failed = await call('GET', cinder('/volumes/detail'), { token });
    expect(failed.status).toBe(503);
    // Cinder's wrapped fault; for 5xx without a message, Cinder's own internal-error text.
    expect(failed.body.serviceUnavailable).toMatchObject({ code: 503 });
    expect((await call('GET', cinder('/volumes/detail'), { token })).status).toBe(200);
  });

  it("answers each service's own fault body, with the rule's message verbatim (5xx included)", async () => {
    sim.setFaults({
      rules: [
        { path: '^/networks$', method: 'POST', status: 409, message: 'net conflict' },
        { path: '^/lbaas/loadbalancers$', method: 'POST', status: 500, message: 'octavia down' },
        { path: '^/images$', status: 404, message: 'no images today' },
        { path: '^/flavors/detail$', status: 500, message: 'nova exploded' },
        { path: '^/auth/tokens$', service: 'identity', method: 'POST', status: 503, message: 'keystone busy' },
      ],
    });
    const net = await call('POST', neutron('/networks'), { token, body: { network: { name: 'x' } } });
    expect(net).toMatchObject({ status: 409, body: { NeutronError: { type: 'HTTPConflict', message: 'net conflict', detail: '' } } });
    const lb = await call('POST', octavia('/loadbalancers'), { token, body: { loadbalancer: { vip_subnet_id: privateNet.subnets[0] } } });
    expect(lb).toMatchObject({ status: 500, body: { faultcode: 'Server', faultstring: 'octavia down', debuginfo: null } });
    const img = await call('GET', glance('/images'), { token });
    expect(img.status).toBe(404);
    expect(img.body.message).toContain('no images today');
    const fl = await call('GET', nova('/flavors/detail'), { token });
    expect(fl).toMatchObject({ status: 500, body: { computeFault: { code: 500, message: 'nova exploded' } } });
    const ks = await call('POST', `${sim.url}/auth/tokens`, { body: auth });
    expect(ks.status).toBe(503);
    expect(ks.body.error).toMatchObject({ code: 503, message: 'keystone busy' });
    expect(sim.faults.rules).toEqual([]);
  });

  it('uses the service’s internal-error text for a 5xx without a message, as errorRate does', async () => {
    sim.setFaults({ rules: [{ path: '^/servers/detail$', status: 500 }] });
    const r = await call('GET', nova('/servers/detail'), { token });
    expect(r.status).toBe(500);
    expect(r.body.computeFault.message).toMatch(/^Unexpected API Error/);
  });

  it('consults rules in order: the first that matches fails the call, the next one takes the following call', async () => {
    sim.setFaults({
      rules: [
        { path: '^/networks$', method: 'GET', status: 409, message: 'first' },
        { path: '^/v2\\.0/networks$', method: 'GET', status: 503, message: 'second (full path)' },
      ],
    });
    expect((await call('GET', neutron('/networks'), { token })).body.NeutronError.message).toBe('first');
    expect((await call('GET', neutron('/networks'), { token })).body.NeutronError).toMatchObject({
      type: 'HTTPServiceUnavailable',
      message: 'second (full path)',
    });
    expect((await call('GET', neutron('/networks'), { token })).status).toBe(200);
  });

  it('a rule still skipping counts the call and lets a later rule decide it', async () => {
    sim.setFaults({
      rules: [
        { path: '^/ports$', status: 500, message: 'A', skip: 1 },
        { path: '^/ports$', status: 409, message: 'B' },
      ],
    });
    expect((await call('GET', neutron('/ports'), { token })).body.NeutronError.message).toBe('B');
    expect((await call('GET', neutron('/ports'), { token })).body.NeutronError.message).toBe('A');
    expect((await call('GET', neutron('/ports'), { token })).status).toBe(200);
  });

  it('restricts a rule to its service, and matches Cinder paths without the project segment', async () => {
    sim.setFaults({ rules: [{ path: '^/', service: 'network', status: 503, times: 5 }] });
    expect((await call('GET', nova('/servers'), { token })).status).toBe(200);
    expect((await call('GET', cinder('/volumes'), { token })).status).toBe(200);
    expect((await call('GET', neutron('/routers'), { token })).status).toBe(503);
    sim.clearFaults();
    sim.setFaults({ rules: [{ path: '^/volumes/[^/]+/action$', service: 'block-storage' as never, status: 413, message: 'too big' }] });
    const v = (await createVolume()).body.volume;
    await until(
      () => call('GET', cinder(`/volumes/${v.id}`), { token }),
      (r) => r.body.volume.status === 'available',
    );
    const ext = await call('POST', cinder(`/volumes/${v.id}/action`), { token, body: { 'os-extend': { new_size: 2 } } });
    expect(ext).toMatchObject({ status: 413, body: { overLimit: { code: 413, message: 'too big' } } });
    expect((await call('DELETE', cinder(`/volumes/${v.id}`), { token })).status).toBe(202);
  });

  it('drives the provider client: 5xx on reads are retried, a 401 re-authenticates once', async () => {
    const os = createOpenStackClient({
      ...openStackConfigFromEnv({
        OS_AUTH_URL: sim.url,
        OS_USERNAME: 'admin',
        OS_PASSWORD: 'admin',
        OS_PROJECT_NAME: 'admin',
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_NAME: 'Default',
      }),
      retry: { retries: 2, baseDelayMs: 1 },
    });
    sim.setFaults({ rules: [{ path: '^/flavors/1$', method: 'GET', status: 503, times: 2 }] });
    expect((await os.nova.getFlavor('1')).name).toBe('m1.tiny');
    sim.setFaults({ rules: [{ path: '^/flavors/1$', method: 'GET', status: 503, times: 3 }] });
    await expect(os.nova.getFlavor('1')).rejects.toMatchObject({ name: 'DependencyUnavailableError', status: 503 });
    sim.setFaults({ rules: [{ path: '^/flavors/2$', status: 401, message: 'The request you have made requires authentication.' }] });
    expect((await os.nova.getFlavor('2')).name).toBe('m1.small');
    expect(sim.faults.rules).toEqual([]);
  });
});

describe('forced build errors', () => {
  it('ends the next server build in ERROR with a Nova fault, then builds normally', async () => {
    sim.setFaults({ buildErrorFor: { kind: 'server' } });
    const bad = (await createServer('doomed')).body.server.id;
    const good = (await createServer('fine')).body.server.id;
    const b = await until(
      () => call('GET', nova(`/servers/${bad}`), { token }),
      (r) => r.body.server.status === 'ERROR',
    );
    expect(b.body.server.fault).toMatchObject({ code: 500, message: expect.any(String) });
    const g = await until(
      () => call('GET', nova(`/servers/${good}`), { token }),
      (r) => r.body.server.status !== 'BUILD',
    );
    expect(g.body.server.status).toBe('ACTIVE');
    expect(sim.faults.buildErrorFor).toBeUndefined();
    for (const id of [bad, good]) await call('DELETE', nova(`/servers/${id}`), { token });
  });

  it('forces volume, snapshot and load balancer errors, `times` each, and leaves other kinds alone', async () => {
    sim.setFaults({ buildErrorFor: [{ kind: 'volume', times: 2 }, { kind: 'snapshot' }, { kind: 'loadbalancer' }] });
    const ids = [(await createVolume()).body.volume.id, (await createVolume()).body.volume.id, (await createVolume()).body.volume.id];
    const statuses = [];
    for (const id of ids)
      statuses.push(
        (
          await until(
            () => call('GET', cinder(`/volumes/${id}`), { token }),
            (r) => r.body.volume.status !== 'creating',
          )
        ).body.volume.status,
      );
    expect(statuses).toEqual(['error', 'error', 'available']);
    const snap = (await call('POST', cinder('/snapshots'), { token, body: { snapshot: { volume_id: ids[2] } } })).body.snapshot.id;
    const s = await until(
      () => call('GET', cinder(`/snapshots/${snap}`), { token }),
      (r) => r.body.snapshot.status !== 'creating',
    );
    expect(s.body.snapshot.status).toBe('error');
    const lb = (await call('POST', octavia('/loadbalancers'), { token, body: { loadbalancer: { vip_subnet_id: privateNet.subnets[0] } } }))
      .body.loadbalancer.id;
    const l = await until(
      () => call('GET', octavia(`/loadbalancers/${lb}`), { token }),
      (r) => r.body.loadbalancer.provisioning_status !== 'PENDING_CREATE',
    );
    expect(l.body.loadbalancer.provisioning_status).toBe('ERROR');
    expect(sim.faults).toEqual({});
    await call('DELETE', cinder(`/snapshots/${snap}`), { token });
    await call('DELETE', octavia(`/loadbalancers/${lb}`), { token });
  });

  it('a failed boot from volume leaves no volume behind (Nova never created it)', async () => {
    const before = Object.keys(sim.state.volumes).length;
    sim.setFaults({ buildErrorFor: { kind: 'server' } });
    const r = await createServer('bfv-doomed', {
      imageRef: '',
      block_device_mapping_v2: [
        { boot_index: 0, uuid: cirros.id, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true },
      ],
    });
    expect(r.status).toBe(202);
    const id = r.body.server.id;
    const s = await until(
      () => call('GET', nova(`/servers/${id}`), { token }),
      (x) => x.body.server.status === 'ERROR',
    );
    expect(s.body.server['os-extended-volumes:volumes_attached']).toEqual([]);
    expect(Object.keys(sim.state.volumes)).toHaveLength(before);
    await call('DELETE', nova(`/servers/${id}`), { token });
  });
});

describe('HTTP admin endpoint /_sim/faults', () => {
  it('PUT replaces the faults, GET shows what is left, DELETE clears them', async () => {
    sim.setFaults({ errorRate: 0.5 });
    const put = await call('PUT', admin(), {
      body: { rules: [{ method: 'delete', path: '^/servers/[^/]+$', status: 409, times: 2 }], buildErrorFor: { kind: 'volume' } },
    });
    expect(put.status).toBe(200);
    expect(put.body.faults).toEqual({
      rules: [{ method: 'DELETE', path: '^/servers/[^/]+$', status: 409, times: 2 }],
      buildErrorFor: [{ kind: 'volume', times: 1 }],
    });
    expect(sim.faults.errorRate).toBeUndefined();
    const r = await call('DELETE', nova('/servers/00000000-0000-4000-8000-000000000000'), { token });
    expect(r.body.conflictingRequest.code).toBe(409);
    expect((await call('GET', admin())).body.faults.rules).toEqual([{ method: 'DELETE', path: '^/servers/[^/]+$', status: 409, times: 1 }]);
    const del = await call('DELETE', admin());
    expect(del.status).toBe(204);
    expect((await call('GET', admin())).body).toEqual({ faults: {} });
    expect((await call('DELETE', nova('/servers/00000000-0000-4000-8000-000000000000'), { token })).status).toBe(404);
  });

  it('refuses malformed faults with 400 and a reason, leaving the faults in force; other methods 405', async () => {
    sim.setFaults({ rules: [{ path: '^/keep$', status: 500 }] });
    for (const [body, reason] of [
      [{ rules: [{ path: '(', status: 500 }] }, /rules\[0\]\.path/],
      [{ rules: [{ path: '^/x', status: 200 }] }, /status/],
      [{ rules: [{ path: '^/x', status: 500, times: 0 }] }, /times/],
      [{ rules: [{ path: '^/x', status: 500, service: 'dns' }] }, /service/],
      [{ buildErrorFor: { kind: 'router' } }, /kind/],
      [{ errorRate: 2 }, /errorRate/],
      [{ bogus: true }, /bogus/],
    ] as const) {
      const r = await call('PUT', admin(), { body });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(reason);
    }
    expect((await call('PUT', admin(), { raw: '{nope' })).status).toBe(400);
    expect((await call('POST', admin(), { body: {} })).status).toBe(405);
    expect(sim.faults.rules).toHaveLength(1);
  });

  it('needs no token and is not under any service prefix', async () => {
    expect((await call('GET', admin())).status).toBe(200);
    const catalogUrls = Object.values(ep);
    expect(catalogUrls.every((u) => !u.includes('/_sim'))).toBe(true);
  });
});
