import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseFault } from '../../lib/providers/openstack/index.js';
import { failure, FakeOpenStack, PASSWORD, root, useFakeOpenStack, type LogLine } from '../helpers/fake-openstack.js';

const bed = useFakeOpenStack();
const { client } = bed;
let cloud: FakeOpenStack;
let logs: LogLine[];
beforeEach(() => {
  ({ cloud, logs } = bed);
});

describe('errors of each service', () => {
  const cases = [
    ['compute', 'GET', 404, { itemNotFound: { code: 404, message: 'Instance s1 could not be found.' } }, 'CLOUD_NOT_FOUND', 404],
    ['compute', 'POST', 400, { badRequest: { code: 400, message: 'Invalid flavorRef provided.' } }, 'CLOUD_BAD_REQUEST', 400],
    ['compute', 'POST', 403, { forbidden: { code: 403, message: 'Policy does not allow it.' } }, 'FORBIDDEN', 403],
    [
      'compute',
      'POST',
      409,
      { conflictingRequest: { code: 409, message: 'Cannot stop while in vm_state stopped' } },
      'CLOUD_CONFLICT',
      409,
    ],
    [
      'compute',
      'POST',
      403,
      { overLimit: { code: 403, message: 'Quota exceeded for cores: Requested 4, but already used 20 of 20 cores' } },
      'QUOTA_EXCEEDED',
      422,
    ],
    [
      'network',
      'GET',
      404,
      { NeutronError: { type: 'NetworkNotFound', message: 'Network n1 could not be found.', detail: '' } },
      'CLOUD_NOT_FOUND',
      404,
    ],
    [
      'network',
      'DELETE',
      409,
      { NeutronError: { type: 'NetworkInUse', message: 'Unable to complete operation', detail: '' } },
      'CLOUD_CONFLICT',
      409,
    ],
    [
      'network',
      'POST',
      409,
      { NeutronError: { type: 'OverQuota', message: "Quota exceeded for resources: ['floatingip'].", detail: '' } },
      'QUOTA_EXCEEDED',
      422,
    ],
    [
      'volume',
      'POST',
      413,
      { overLimit: { code: 413, message: 'VolumeSizeExceedsAvailableQuota: Requested 100G, quota is 1000G and 950G has been consumed.' } },
      'QUOTA_EXCEEDED',
      422,
    ],
    ['volume', 'GET', 404, { itemNotFound: { code: 404, message: 'Volume v1 could not be found.' } }, 'CLOUD_NOT_FOUND', 404],
    [
      'load-balancer',
      'GET',
      404,
      { faultcode: 'Client', faultstring: 'Load Balancer lb1 not found.', debuginfo: null },
      'CLOUD_NOT_FOUND',
      404,
    ],
    [
      'load-balancer',
      'POST',
      403,
      { faultcode: 'Client', faultstring: 'Quota has been met for resources: Load Balancer' },
      'QUOTA_EXCEEDED',
      422,
    ],
    ['load-balancer', 'POST', 409, { faultcode: 'Client', faultstring: 'Load Balancer lb1 is immutable' }, 'CLOUD_CONFLICT', 409],
    ['image', 'GET', 404, '404 Not Found\n\nNo image found with ID i1\n\n   ', 'CLOUD_NOT_FOUND', 404],
    [
      'image',
      'GET',
      404,
      { code: '404 Not Found', title: 'Not Found', message: 'The resource could not be found.<br /><br />\nNo image found with ID i1\n\n' },
      'CLOUD_NOT_FOUND',
      404,
    ],
    ['compute', 'POST', 500, { computeFault: { code: 500, message: 'Unexpected API Error.' } }, 'DEPENDENCY_UNAVAILABLE', 503],
  ] as const;

  const call = (service: string, method: string) => {
    const os = client({ retry: { retries: 0 } });
    const calls: Record<string, () => Promise<unknown>> = {
      'compute GET': () => os.nova.getServer('x'),
      'compute POST': () => os.nova.createServer({ name: 'x', flavorRef: 'f', imageRef: 'i', networks: 'none' }),
      'network GET': () => os.neutron.networks.get('x'),
      'network DELETE': () => os.neutron.networks.delete('x'),
      'network POST': () => os.neutron.floatingIps.create({ floating_network_id: 'x' }),
      'volume GET': () => os.cinder.getVolume('x'),
      'volume POST': () => os.cinder.createVolume({ size: 100 }),
      'load-balancer GET': () => os.octavia.loadBalancers.get('x'),
      'load-balancer POST': () => os.octavia.loadBalancers.create({ vip_subnet_id: 'x' }),
      'image GET': () => os.glance.getImage('x'),
    };
    return calls[`${service} ${method}`]!();
  };

  it.each(cases)('%s %s %i %j → %s', async (service, method, status, body, code, apiStatus) => {
    for (const p of [
      '/servers/x',
      '/servers',
      '/networks/x',
      '/floatingips',
      '/volumes/x',
      '/volumes',
      '/lbaas/loadbalancers/x',
      '/lbaas/loadbalancers',
      '/images/x',
    ]) {
      cloud.on(method, root(service) + p, { status, body });
    }
    const e = await failure(call(service, method));
    expect({ code: e.code, status: e.status }).toEqual({ code, status: apiStatus });
    expect(e.details).toMatchObject({
      service: service === 'volume' ? 'block-storage' : service,
      status,
      requestId: expect.stringMatching(/^req-/),
    });
    if (code !== 'DEPENDENCY_UNAVAILABLE') expect(e.details?.cloudMessage).toEqual(expect.any(String));
  });

  it.each([
    [{ itemNotFound: { code: 404, message: 'Instance s1 could not be found.' } }, 'itemNotFound', 'Instance s1 could not be found.'],
    [
      { NeutronError: { type: 'PortNotFound', message: 'Port p1 could not be found.', detail: '' } },
      'PortNotFound',
      'Port p1 could not be found.',
    ],
    [{ faultcode: 'Client', faultstring: 'Pool p1 not found.', debuginfo: null }, 'Client', 'Pool p1 not found.'],
    [
      { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } },
      'Unauthorized',
      'The request you have made requires authentication.',
    ],
    [
      { code: '404 Not Found', title: 'Not Found', message: 'The resource could not be found.<br /><br />\nNo image found with ID i1\n\n' },
      'Not Found',
      'The resource could not be found. No image found with ID i1',
    ],
    ['404 Not Found\n\nThe resource could not be found.\n\n   ', undefined, 'The resource could not be found.'],
    ['<html><body><h1>503 Service Unavailable</h1>No server is available.</body></html>', undefined, 'No server is available.'],
  ])('reads the fault %j', (body, type, message) => {
    expect(parseFault(body)).toEqual({ type, message });
  });

  it('keeps the limits of a quota fault in the details', async () => {
    cloud.on('POST', `${root('compute')}/servers`, {
      status: 403,
      body: { forbidden: { code: 403, message: 'Quota exceeded for cores: Requested 4, but already used 20 of 20 cores' } },
    });
    const e = await failure(client().nova.createServer({ name: 'x', flavorRef: 'f', networks: 'none' }));
    expect(e.details).toMatchObject({ resource: 'cores', requested: 4, used: 20, limit: 20, cloudCode: 'forbidden' });
  });

  it('scrubs the token from a fault message and keeps no request config in the error', async () => {
    cloud.on('GET', `${root('network')}/ports/p1`, (r) => ({
      status: 400,
      body: { NeutronError: { type: 'BadRequest', message: `bad token ${String(r.headers['x-auth-token'])}` } },
    }));
    const e = await failure(client().neutron.ports.get('p1'));
    const everything = JSON.stringify(e) + e.message + inspect(e, { depth: 10 });
    expect(everything).not.toContain('gAAAAAtoken-1');
    expect(everything).not.toContain(PASSWORD);
    expect(e.details?.cloudMessage).toBe('bad token [REDACTED]');
  });

  it('surfaces the request id in the error and logs it', async () => {
    cloud.on('DELETE', `${root('volume')}/snapshots/s1`, { status: 409, body: { badRequest: { code: 409, message: 'busy' } } });
    const e = await failure(client().cinder.deleteSnapshot('s1'));
    expect(e.details?.requestId).toBe('req-2');
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        extra: expect.objectContaining({ cloud_service: 'block-storage', status: 409, requestId: 'req-2' }),
      }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({ extra: expect.objectContaining({ cloud_service: 'identity', requestId: 'req-1' }) }),
    );
  });
});
