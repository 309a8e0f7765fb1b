import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../lib/core/errors.js';
import { collect, openStackConfigFromEnv, OpenStackUnavailableError } from '../../lib/providers/openstack/index.js';
import {
  APP_SECRET,
  defaultCatalog,
  failure,
  FakeOpenStack,
  PASSWORD,
  PROJECT_ID,
  root,
  useFakeOpenStack,
  type LogLine,
} from '../helpers/fake-openstack.js';

const bed = useFakeOpenStack();
const { client } = bed;
let cloud: FakeOpenStack;
let logs: LogLine[];
beforeEach(() => {
  ({ cloud, logs } = bed);
});

const server = (id: string) => ({ id, name: id, status: 'ACTIVE', flavor: {}, image: '', addresses: {} });

describe('Keystone authentication and catalog', () => {
  it('authenticates with a project-scoped password and appends /v3 to an unversioned auth URL', async () => {
    cloud.on('GET', `${root('compute')}/servers/s1`, { status: 200, body: { server: server('s1') } });
    await client({ authUrl: `${cloud.url}/identity/` }).nova.getServer('s1');
    const [auth] = cloud.calls('/identity/v3/auth/tokens', 'POST');
    expect(auth?.body).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password: PASSWORD } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    });
    expect(cloud.calls(`${root('compute')}/servers/s1`)[0]?.headers['x-auth-token']).toBe('gAAAAAtoken-1');
  });

  it('authenticates with an application credential and sends no scope', async () => {
    const os = client({ auth: { type: 'application_credential', id: 'ac-1', secret: APP_SECRET } });
    expect(await os.session()).toMatchObject({ projectId: PROJECT_ID });
    expect(cloud.requests[0]?.body).toEqual({
      auth: { identity: { methods: ['application_credential'], application_credential: { id: 'ac-1', secret: APP_SECRET } } },
    });
  });

  it('selects endpoints by service type, interface and region', async () => {
    expect(await client().endpoint('compute')).toBe(`${cloud.url}/compute/RegionOne/public/v2.1`);
    expect(await client({ region: 'RegionTwo', interface: 'internal' }).endpoint('compute')).toBe(
      `${cloud.url}/compute/RegionTwo/internal/v2.1`,
    );
    cloud.on('GET', `${root('network', 'RegionTwo', 'admin')}/networks/n1`, { status: 200, body: { network: { id: 'n1' } } });
    expect(await client({ region: 'RegionTwo', interface: 'admin' }).neutron.networks.get('n1')).toEqual({ id: 'n1' });
  });

  it('finds Cinder under block-storage as under volumev3, and adds the project to an unscoped v3 URL', async () => {
    cloud.catalog = [{ type: 'block-storage', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `${cloud.url}/bs/v3/` }] }];
    cloud.on('GET', `/bs/v3/${PROJECT_ID}/volumes/v1`, { status: 200, body: { volume: { id: 'v1' } } });
    expect(await client().cinder.getVolume('v1')).toEqual({ id: 'v1' });
  });

  it('answers a dependency error naming the service when the catalog lacks it', async () => {
    cloud.catalog = defaultCatalog(cloud.url).filter((s) => s.type !== 'load-balancer');
    const e = await failure(client().octavia.loadBalancers.get('lb1'));
    expect(e).toBeInstanceOf(DependencyUnavailableError);
    expect(e.details).toMatchObject({ dependency: 'openstack', service: 'load-balancer', reason: 'no_endpoint', region: 'RegionOne' });
  });

  it('renews the token before expires_at minus the margin, not earlier', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    cloud.now = () => now;
    cloud.on('GET', `${root('compute')}/servers/s1`, { status: 200, body: { server: server('s1') } });
    const os = client({ tokenRenewalMarginMs: 60_000 }, () => now);
    await os.nova.getServer('s1');
    now += 3600_000 - 61_000;
    await os.nova.getServer('s1');
    expect(cloud.authCount).toBe(1);
    now += 2_000;
    await os.nova.getServer('s1');
    expect(cloud.authCount).toBe(2);
    expect(cloud.calls(`${root('compute')}/servers/s1`).map((r) => r.headers['x-auth-token'])).toEqual([
      'gAAAAAtoken-1',
      'gAAAAAtoken-1',
      'gAAAAAtoken-2',
    ]);
  });

  it('shares one authentication between concurrent first calls', async () => {
    cloud.on('GET', `${root('image')}/images/i1`, { status: 200, body: { id: 'i1' } });
    const os = client();
    await Promise.all([os.glance.getImage('i1'), os.glance.getImage('i1'), os.glance.getImage('i1')]);
    expect(cloud.authCount).toBe(1);
  });

  it('re-authenticates once on a 401 and replays the call, a POST included', async () => {
    cloud.on('POST', `${root('compute')}/servers/s1/action`, (r) =>
      r.headers['x-auth-token'] === 'gAAAAAtoken-2'
        ? { status: 202 }
        : { status: 401, body: { error: { code: 401, title: 'Unauthorized' } } },
    );
    await client().nova.start('s1');
    expect(cloud.authCount).toBe(2);
    expect(cloud.calls(`${root('compute')}/servers/s1/action`)).toHaveLength(2);
  });

  it('does not loop on a second 401: one re-authentication, then a dependency error', async () => {
    cloud.on('GET', `${root('compute')}/servers/s1`, {
      status: 401,
      body: { error: { code: 401, title: 'Unauthorized', message: 'nope' } },
    });
    const e = await failure(client().nova.getServer('s1'));
    expect(e).toBeInstanceOf(OpenStackUnavailableError);
    expect(e.status).toBe(503);
    expect(e.details).toMatchObject({ service: 'compute', status: 401, reason: 'unauthorized' });
    expect(cloud.authCount).toBe(2);
    expect(cloud.calls(`${root('compute')}/servers/s1`)).toHaveLength(2);
  });

  it('turns rejected credentials into a dependency error that never shows them', async () => {
    cloud.on('POST', '/identity/v3/auth/tokens', {
      status: 401,
      body: { error: { code: 401, title: 'Unauthorized', message: `The password ${PASSWORD} is wrong for ${APP_SECRET}` } },
    });
    const e = await failure(client({ auth: { type: 'application_credential', id: 'ac', secret: APP_SECRET } }).nova.getServer('s1'));
    expect(e).toBeInstanceOf(DependencyUnavailableError);
    expect(e.details).toMatchObject({ reason: 'authentication_failed', requestId: 'req-1', cloudCode: 'Unauthorized' });
    const everything = JSON.stringify(e) + e.message + inspect(e, { depth: 10 }) + JSON.stringify(logs);
    expect(everything).not.toContain(APP_SECRET);
    expect(everything).toContain('[REDACTED]');
  });
});

describe('retries', () => {
  const flaky = (failures: number, ok: { status: number; body?: unknown }) => {
    let n = 0;
    return () => (n++ < failures ? { status: 503, body: { computeFault: { code: 503, message: 'busy' } } } : ok);
  };

  it('retries a GET on 5xx with backoff until it succeeds', async () => {
    cloud.on('GET', `${root('compute')}/flavors/f1`, flaky(2, { status: 200, body: { flavor: { id: 'f1' } } }));
    expect(await client().nova.getFlavor('f1')).toEqual({ id: 'f1' });
    expect(cloud.calls(`${root('compute')}/flavors/f1`)).toHaveLength(3);
  });

  it('gives up after the configured retries with a dependency error carrying the last request id', async () => {
    cloud.on('DELETE', `${root('compute')}/servers/s1`, flaky(10, { status: 204 }));
    const e = await failure(client().nova.deleteServer('s1'));
    expect(e).toBeInstanceOf(DependencyUnavailableError);
    expect(cloud.calls(`${root('compute')}/servers/s1`)).toHaveLength(3);
    expect(e.details).toMatchObject({ status: 503, requestId: 'req-4', cloudMessage: 'busy' });
  });

  it('retries the token request on 5xx: issuing a token has no side effect', async () => {
    let n = 0;
    cloud.on('POST', '/identity/v3/auth/tokens', (r) =>
      n++ === 0 ? { status: 503, body: { error: { code: 503, title: 'Service Unavailable', message: 'busy' } } } : cloud.issueToken(r),
    );
    expect(await client().session()).toMatchObject({ projectId: PROJECT_ID });
    expect(cloud.authCount).toBe(2);
  });

  it('never retries a POST or a PUT', async () => {
    cloud.on('POST', `${root('compute')}/servers/s1/action`, flaky(1, { status: 202 }));
    cloud.on('PUT', `${root('network')}/floatingips/f1`, flaky(1, { status: 200, body: { floatingip: { id: 'f1' } } }));
    await failure(client().nova.reboot('s1'));
    await failure(client().neutron.disassociateFloatingIp('f1'));
    expect(cloud.calls(`${root('compute')}/servers/s1/action`)).toHaveLength(1);
    expect(cloud.calls(`${root('network')}/floatingips/f1`)).toHaveLength(1);
  });

  it('retries a GET that times out, and not a POST', async () => {
    let n = 0;
    cloud.on('GET', `${root('image')}/images/i1`, () => (n++ === 0 ? 'hang' : { status: 200, body: { id: 'i1' } }));
    cloud.on('POST', `${root('volume')}/volumes`, () => 'hang');
    const os = client({ timeoutMs: 200 });
    expect(await os.glance.getImage('i1')).toEqual({ id: 'i1' });
    const e = await failure(os.cinder.createVolume({ size: 1 }));
    expect(e.details).toMatchObject({ dependency: 'openstack', service: 'block-storage', reason: 'timeout' });
    expect(cloud.calls(`${root('volume')}/volumes`)).toHaveLength(1);
  });

  it('reports an unreachable endpoint without the password or the token', async () => {
    cloud.catalog = [{ type: 'compute', endpoints: [{ interface: 'public', region_id: 'RegionOne', url: 'http://127.0.0.1:1/v2.1' }] }];
    const e = await failure(client().nova.getServer('s1'));
    expect(e.details).toMatchObject({ reason: 'unreachable', errorCode: 'ECONNREFUSED' });
    const everything = JSON.stringify(e) + inspect(e, { depth: 10 }) + JSON.stringify(logs);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('gAAAAAtoken');
  });
});

describe('pagination and headers', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  const page = (q: URLSearchParams) => {
    const limit = Number(q.get('limit'));
    const start = q.get('marker') ? ids.indexOf(q.get('marker')!) + 1 : 0;
    return { items: ids.slice(start, start + limit), more: start + limit < ids.length, limit };
  };

  it('follows Nova marker pagination to the end, and serves a single page with its next marker', async () => {
    cloud.on('GET', `${root('compute')}/servers/detail`, (r) => {
      const p = page(r.query);
      const next = p.more ? [{ rel: 'next', href: `x?limit=${p.limit}&marker=${p.items.at(-1)}` }] : [];
      return { status: 200, body: { servers: p.items.map(server), servers_links: next } };
    });
    const os = client();
    const all = await collect(os.nova.listServers({ status: 'ACTIVE' }, { pageSize: 2 }));
    expect(all.map((s) => s.id)).toEqual(ids);
    const sent = cloud.calls(`${root('compute')}/servers/detail`).map((r) => r.query.toString());
    expect(sent).toEqual(['status=ACTIVE&limit=2', 'status=ACTIVE&limit=2&marker=b', 'status=ACTIVE&limit=2&marker=d']);
    const one = await os.nova.listServersPage({ limit: 2, marker: 'a' });
    expect(one).toMatchObject({ items: [{ id: 'b' }, { id: 'c' }], nextMarker: 'c' });
  });

  it("follows Glance's top-level next link and Neutron's and Octavia's *_links", async () => {
    cloud.on('GET', `${root('image')}/images`, (r) => {
      const p = page(r.query);
      return {
        status: 200,
        body: { images: p.items.map((id) => ({ id })), ...(p.more && { next: `/v2/images?marker=${p.items.at(-1)}` }) },
      };
    });
    cloud.on('GET', `${root('network')}/ports`, (r) => {
      const p = page(r.query);
      return { status: 200, body: { ports: p.items.map((id) => ({ id })), ports_links: p.more ? [{ rel: 'next', href: 'x' }] : [] } };
    });
    cloud.on('GET', `${root('load-balancer')}/lbaas/loadbalancers`, (r) => {
      const p = page(r.query);
      return { status: 200, body: { loadbalancers: p.items.map((id) => ({ id })), loadbalancers_links: [] } };
    });
    const os = client();
    expect((await collect(os.glance.listImages({}, { pageSize: 3 }))).map((i) => i.id)).toEqual(ids);
    expect((await collect(os.neutron.serverPorts('s1'))).map((p) => p.id)).toEqual(ids);
    expect(cloud.calls(`${root('network')}/ports`)[0]?.query.get('device_id')).toBe('s1');
    // A full page without a link is still followed: two pages of 2, then one of 1.
    expect((await collect(os.octavia.loadBalancers.list({}, { pageSize: 2 }))).map((l) => l.id)).toEqual(ids);
  });

  it('pages keypairs by name and unwraps them', async () => {
    cloud.on('GET', `${root('compute')}/os-keypairs`, (r) => {
      const p = page(r.query);
      const keypairs = p.items.map((name) => ({ keypair: { name, public_key: 'ssh-ed25519 AAA', fingerprint: 'fp' } }));
      return { status: 200, body: { keypairs, keypairs_links: p.more ? [{ rel: 'next', href: 'x' }] : [] } };
    });
    expect((await collect(client().nova.listKeypairs({ pageSize: 2 }))).map((k) => k.name)).toEqual(ids);
  });

  it('sends the compute and volume microversions, configurable, and none to Neutron', async () => {
    cloud.on('GET', `${root('compute')}/flavors/f`, { status: 200, body: { flavor: { id: 'f' } } });
    cloud.on('GET', `${root('volume')}/volumes/v`, { status: 200, body: { volume: { id: 'v' } } });
    cloud.on('GET', `${root('network')}/networks/n`, { status: 200, body: { network: { id: 'n' } } });
    await client().nova.getFlavor('f');
    await client().cinder.getVolume('v');
    await client({ microversions: { compute: '2.95' } }).nova.getFlavor('f');
    await client().neutron.networks.get('n');
    const [nova1, nova2] = cloud.calls(`${root('compute')}/flavors/f`);
    expect(nova1?.headers['openstack-api-version']).toBe('compute 2.79');
    expect(nova1?.headers['x-openstack-nova-api-version']).toBe('2.79');
    expect(nova2?.headers['openstack-api-version']).toBe('compute 2.95');
    expect(cloud.calls(`${root('volume')}/volumes/v`)[0]?.headers['openstack-api-version']).toBe('volume 3.59');
    expect(cloud.calls(`${root('network')}/networks/n`)[0]?.headers['openstack-api-version']).toBeUndefined();
  });

  it('reads quotas of the token project on each service', async () => {
    cloud.on('GET', `${root('compute')}/os-quota-sets/${PROJECT_ID}/detail`, { status: 200, body: { quota_set: { id: PROJECT_ID } } });
    cloud.on('GET', `${root('network')}/quotas/${PROJECT_ID}/details.json`, {
      status: 200,
      body: { quota: { network: { used: 1, limit: 10, reserved: 0 } } },
    });
    cloud.on('GET', `${root('volume')}/os-quota-sets/${PROJECT_ID}`, { status: 200, body: { quota_set: { id: PROJECT_ID } } });
    const os = client();
    expect(await os.nova.getQuotas()).toEqual({ id: PROJECT_ID });
    expect(await os.neutron.getQuotas()).toEqual({ network: { used: 1, limit: 10, reserved: 0 } });
    expect(await os.cinder.getQuotas()).toEqual({ id: PROJECT_ID });
    expect(cloud.calls(`${root('volume')}/os-quota-sets/${PROJECT_ID}`)[0]?.query.get('usage')).toBe('true');
  });
});

describe('openStackConfigFromEnv', () => {
  it('reads a password openrc with its defaults', () => {
    const env = {
      OS_AUTH_URL: 'https://keystone:5000/v3',
      OS_USERNAME: 'u',
      OS_PASSWORD: 'p',
      OS_PROJECT_NAME: 'proj',
      OS_INTERFACE: 'internalURL',
      OS_REGION_NAME: 'R1',
    };
    expect(openStackConfigFromEnv(env)).toEqual({
      authUrl: 'https://keystone:5000/v3',
      auth: { type: 'password', username: 'u', password: 'p', userDomain: 'Default', projectName: 'proj', projectDomain: 'Default' },
      region: 'R1',
      interface: 'internal',
    });
  });

  it('prefers an application credential and reads the microversion variables', () => {
    const env = {
      OS_AUTH_URL: 'https://k/v3',
      OS_APPLICATION_CREDENTIAL_ID: 'id',
      OS_APPLICATION_CREDENTIAL_SECRET: 's',
      OS_COMPUTE_API_VERSION: '2.90',
      OS_VOLUME_API_VERSION: '3',
    };
    expect(openStackConfigFromEnv(env)).toMatchObject({
      auth: { type: 'application_credential', id: 'id', secret: 's' },
      microversions: { compute: '2.90' },
    });
  });

  it('names the missing variables, never the values', () => {
    expect(() => openStackConfigFromEnv({ OS_PASSWORD: 'hunter2' })).toThrow(/OS_AUTH_URL, OS_USERNAME, OS_PROJECT_NAME/);
    expect(() => openStackConfigFromEnv({ OS_PASSWORD: 'hunter2' })).not.toThrow(/hunter2/);
  });
});
