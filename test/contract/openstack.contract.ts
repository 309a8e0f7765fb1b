/**
 * The provider contract of the OpenStack client, written against the real protocol only: any cloud that
 * passes it (the simulator in local/openstack, the real control plane of tools/openstack, a production
 * project) behaves as the client expects. Not a test file: a suite that a test file runs with its cloud.
 *
 * Flow: network + subnet + router to the external network → server (ACTIVE) → resize + confirm →
 * stop/start → volume (available) → attach/detach → snapshot → floating IP associate/disassociate.
 * Every resource is registered for cleanup as soon as it exists; cleanup runs in reverse order, in the last
 * test (which checks nothing remains) and again in afterAll when a step failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/core/errors.js';
import { collect, type OpenStackClient, type Server, type ServerStatus } from '../../lib/providers/openstack/index.js';

export interface OpenStackContractOptions {
  /** Image to boot, by name (default `cirros`). */
  image?: string;
  /** Flavor to boot, by name (default `m1.tiny`), and to resize to (default `m1.small`). */
  flavor?: string;
  resizeFlavor?: string;
  /** External network of floating IPs, by name (default: the first `router:external` network). */
  externalNetwork?: string;
  /** CIDR of the subnet the suite creates (default 10.251.7.0/24). */
  cidr?: string;
  /** Polling interval and the longest wait of one transition, ms (defaults 250 and 120 000). */
  pollMs?: number;
  waitMs?: number;
}

const isNotFound = (e: unknown) => e instanceof ApiError && e.code === 'CLOUD_NOT_FOUND';
const isConflict = (e: unknown) => e instanceof ApiError && e.code === 'CLOUD_CONFLICT';

export function openStackContract(getClient: () => OpenStackClient, opts: OpenStackContractOptions = {}): void {
  const pollMs = opts.pollMs ?? 250;
  const waitMs = opts.waitMs ?? 120_000;
  const prefix = `contract-${Date.now().toString(36)}`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Polls `get` until `done`; fails at once on an error status, or when the wait is over. */
  async function waitFor<T>(what: string, get: () => Promise<T>, done: (t: T) => boolean, failed: (t: T) => boolean = () => false) {
    const until = Date.now() + waitMs;
    for (;;) {
      const t = await get();
      if (done(t)) return t;
      if (failed(t)) throw new Error(`${what} failed: ${JSON.stringify(t)}`);
      if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(t)} after ${waitMs} ms`);
      await sleep(pollMs);
    }
  }

  async function waitGone(what: string, get: () => Promise<unknown>) {
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        await get();
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      if (Date.now() > until) throw new Error(`${what} still exists after ${waitMs} ms`);
      await sleep(pollMs);
    }
  }

  /** Deletes that a cloud refuses while a dependent is going away (a port of a deleted server) are retried. */
  async function untilNoConflict(fn: () => Promise<unknown>) {
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || Date.now() > until) throw e;
        await sleep(pollMs);
      }
    }
  }

  const serverIn = (status: ServerStatus) => (s: Server) => s.status === status && !s['OS-EXT-STS:task_state'];
  const serverFailed = (s: Server) => s.status === 'ERROR';

  let os: OpenStackClient;
  const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  const ids = {} as Record<
    'flavor' | 'resizeFlavor' | 'image' | 'external' | 'network' | 'subnet' | 'router' | 'server' | 'volume' | 'fip',
    string
  >;

  async function cleanUp() {
    const errors: string[] = [];
    while (cleanups.length > 0) {
      const step = cleanups.pop()!;
      try {
        await step.run();
      } catch (e) {
        errors.push(`${step.what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (errors.length > 0) throw new Error(`cleanup failed: ${errors.join('; ')}`);
  }

  describe('OpenStack provider contract', () => {
    beforeAll(() => {
      os = getClient();
    });
    afterAll(cleanUp);

    it('authenticates and finds every service in the catalog', async () => {
      const session = await os.session();
      expect(session.projectId).toMatch(/\S/);
      expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now());
      for (const type of ['compute', 'network', 'block-storage', 'image']) expect(await os.endpoint(type)).toMatch(/^https?:\/\//);
    });

    it('lists flavors and images and finds the ones the suite uses', async () => {
      const flavors = await collect(os.nova.listFlavors({}, { pageSize: 2 }));
      const byName = (name: string) => flavors.find((f) => f.name === name);
      ids.flavor = byName(opts.flavor ?? 'm1.tiny')!.id;
      ids.resizeFlavor = byName(opts.resizeFlavor ?? 'm1.small')!.id;
      expect(byName(opts.resizeFlavor ?? 'm1.small')!.ram).toBeGreaterThan(byName(opts.flavor ?? 'm1.tiny')!.ram);
      const images = await collect(os.glance.listImages({ name: opts.image ?? 'cirros', status: 'active' }));
      expect(images).toHaveLength(1);
      ids.image = images[0]!.id;
      expect((await os.glance.getImage(ids.image)).status).toBe('active');
    });

    it('creates a network, a subnet and a router to the external network', async () => {
      const externals = await collect(os.neutron.networks.list({ 'router:external': true }));
      const external = opts.externalNetwork ? externals.find((n) => n.name === opts.externalNetwork) : externals[0];
      ids.external = external!.id;

      const network = await os.neutron.networks.create({ name: `${prefix}-net`, admin_state_up: true });
      cleanups.push({ what: 'network', run: () => untilNoConflict(() => os.neutron.networks.delete(network.id)) });
      ids.network = network.id;
      const subnet = await os.neutron.subnets.create({
        network_id: network.id,
        name: `${prefix}-subnet`,
        cidr: opts.cidr ?? '10.251.7.0/24',
        ip_version: 4,
        enable_dhcp: true,
      });
      cleanups.push({ what: 'subnet', run: () => untilNoConflict(() => os.neutron.subnets.delete(subnet.id)) });
      ids.subnet = subnet.id;
      expect((await os.neutron.networks.get(network.id)).subnets).toContain(subnet.id);

      const router = await os.neutron.routers.create({ name: `${prefix}-router`, external_gateway_info: { network_id: ids.external } });
      cleanups.push({ what: 'router', run: () => untilNoConflict(() => os.neutron.routers.delete(router.id)) });
      ids.router = router.id;
      expect(router.external_gateway_info?.network_id).toBe(ids.external);
      const itf = await os.neutron.addRouterInterface(router.id, { subnet_id: subnet.id });
      cleanups.push({ what: 'router interface', run: () => os.neutron.removeRouterInterface(router.id, { subnet_id: subnet.id }) });
      expect(itf).toMatchObject({ id: router.id, subnet_id: subnet.id, port_id: expect.any(String) });
    });

    it('boots a server on the network and waits for ACTIVE', async () => {
      const created = await os.nova.createServer({
        name: `${prefix}-vm`,
        flavorRef: ids.flavor,
        imageRef: ids.image,
        networks: [{ uuid: ids.network }],
        metadata: { suite: 'contract' },
      });
      cleanups.push({
        what: 'server',
        run: async () => {
          await os.nova.deleteServer(created.id).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
          await waitGone('server', () => os.nova.getServer(created.id));
        },
      });
      ids.server = created.id;
      const server = await waitFor('server build', () => os.nova.getServer(created.id), serverIn('ACTIVE'), serverFailed);
      expect(server.name).toBe(`${prefix}-vm`);
      expect(server.addresses[`${prefix}-net`]?.[0]?.addr).toMatch(/^10\.251\.7\./);
      const listed = await collect(os.nova.listServers({ name: prefix }));
      expect(listed.map((s) => s.id)).toContain(created.id);
    });

    it('resizes the server and confirms the resize', async () => {
      await os.nova.resize(ids.server, ids.resizeFlavor);
      await waitFor('resize', () => os.nova.getServer(ids.server), serverIn('VERIFY_RESIZE'), serverFailed);
      await os.nova.confirmResize(ids.server);
      const server = await waitFor('resize confirm', () => os.nova.getServer(ids.server), serverIn('ACTIVE'), serverFailed);
      // Since 2.47 the flavor is embedded by name.
      expect(server.flavor.original_name).toBe(opts.resizeFlavor ?? 'm1.small');
    });

    it('stops and starts the server, and answers a conflict for a start while ACTIVE', async () => {
      const conflict = await os.nova.start(ids.server).catch((e: unknown) => e);
      expect(conflict).toMatchObject({ code: 'CLOUD_CONFLICT', status: 409 });
      await os.nova.stop(ids.server);
      await waitFor('stop', () => os.nova.getServer(ids.server), serverIn('SHUTOFF'), serverFailed);
      await os.nova.start(ids.server);
      await waitFor('start', () => os.nova.getServer(ids.server), serverIn('ACTIVE'), serverFailed);
    });

    it('creates a volume and waits for available', async () => {
      const created = await os.cinder.createVolume({ size: 1, name: `${prefix}-vol` });
      cleanups.push({
        what: 'volume',
        run: async () => {
          const volume = await os.cinder.getVolume(created.id).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
          if (!volume) return;
          for (const a of volume.attachments) await os.nova.detachVolume(a.server_id, created.id).catch(() => undefined);
          await waitFor(
            'volume detach',
            () => os.cinder.getVolume(created.id),
            (v) => !['in-use', 'attaching', 'detaching'].includes(v.status),
          );
          await os.cinder.deleteVolume(created.id, { cascade: true });
          await waitGone('volume', () => os.cinder.getVolume(created.id));
        },
      });
      ids.volume = created.id;
      const volume = await waitFor(
        'volume create',
        () => os.cinder.getVolume(created.id),
        (v) => v.status === 'available',
        (v) => v.status === 'error',
      );
      expect(volume).toMatchObject({ size: 1, name: `${prefix}-vol`, attachments: [] });
    });

    it('attaches the volume to the server and detaches it', async () => {
      const attachment = await os.nova.attachVolume(ids.server, ids.volume);
      expect(attachment).toMatchObject({ volumeId: ids.volume, serverId: ids.server });
      const inUse = await waitFor(
        'attach',
        () => os.cinder.getVolume(ids.volume),
        (v) => v.status === 'in-use',
        (v) => v.status === 'error' || v.status === 'available',
      );
      expect(inUse.attachments[0]?.server_id).toBe(ids.server);
      expect((await os.nova.listVolumeAttachments(ids.server)).map((a) => a.volumeId)).toContain(ids.volume);

      await os.nova.detachVolume(ids.server, ids.volume);
      const detached = await waitFor(
        'detach',
        () => os.cinder.getVolume(ids.volume),
        (v) => v.status === 'available',
        (v) => v.status.startsWith('error'),
      );
      expect(detached.attachments).toEqual([]);
    });

    it('snapshots the volume and deletes the snapshot', async () => {
      const created = await os.cinder.createSnapshot({ volume_id: ids.volume, name: `${prefix}-snap` });
      cleanups.push({
        what: 'snapshot',
        run: async () => {
          await os.cinder.deleteSnapshot(created.id).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
          await waitGone('snapshot', () => os.cinder.getSnapshot(created.id));
        },
      });
      const snapshot = await waitFor(
        'snapshot create',
        () => os.cinder.getSnapshot(created.id),
        (s) => s.status === 'available',
        (s) => s.status === 'error',
      );
      expect(snapshot).toMatchObject({ volume_id: ids.volume, size: 1 });
      await os.cinder.deleteSnapshot(created.id);
      await waitGone('snapshot delete', () => os.cinder.getSnapshot(created.id));
    });

    it("associates a floating IP with the server's port and disassociates it", async () => {
      const fip = await os.neutron.floatingIps.create({ floating_network_id: ids.external, description: prefix });
      cleanups.push({
        what: 'floating IP',
        run: () => os.neutron.floatingIps.delete(fip.id).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
      });
      ids.fip = fip.id;
      expect(fip.port_id).toBeNull();
      const [port] = await collect(os.neutron.serverPorts(ids.server));
      expect(port?.fixed_ips[0]?.subnet_id).toBe(ids.subnet);

      const associated = await os.neutron.associateFloatingIp(fip.id, port!.id);
      expect(associated).toMatchObject({ port_id: port!.id, fixed_ip_address: port!.fixed_ips[0]!.ip_address, router_id: ids.router });
      const disassociated = await os.neutron.disassociateFloatingIp(fip.id);
      expect(disassociated).toMatchObject({ port_id: null, fixed_ip_address: null });
    });

    it('answers CLOUD_NOT_FOUND with the request id for a server that does not exist', async () => {
      const e = await os.nova.getServer('00000000-0000-4000-8000-000000000000').catch((err: unknown) => err);
      expect(e).toMatchObject({ code: 'CLOUD_NOT_FOUND', status: 404, details: { service: 'compute', requestId: expect.any(String) } });
    });

    it('cleans up everything it made', async () => {
      await cleanUp();
      for (const get of [
        () => os.nova.getServer(ids.server),
        () => os.cinder.getVolume(ids.volume),
        () => os.neutron.floatingIps.get(ids.fip),
        () => os.neutron.routers.get(ids.router),
        () => os.neutron.networks.get(ids.network),
      ]) {
        expect(
          await get().then(
            () => 'exists',
            (e: unknown) => (isNotFound(e) ? 'gone' : e),
          ),
        ).toBe('gone');
      }
    });
  });
}
