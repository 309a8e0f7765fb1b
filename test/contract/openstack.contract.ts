/**
 * The provider contract of the OpenStack client, written against the real protocol only: any cloud that
 * passes it (the simulator in local/openstack, the real control plane of tools/openstack, a production
 * project) behaves as the client expects. Not a test file: a suite that a test file runs with its cloud.
 *
 * Flow: network + subnet + router to the external network (and the 409s of deleting what a router uses) →
 * server with metadata (ACTIVE, found by a name regex) → resize + confirm → stop/start/reboot and their
 * 409s → volume with metadata (found by a metadata filter) → attach, extend while in-use (3.42+), detach →
 * snapshot (progress) → floating IP associate/disassociate/delete → boot from a new volume made from the
 * image (deleted with the server) → quotas with usage → load balancer step by step (409 while PENDING_*,
 * cascade delete) when the catalog has Octavia.
 * Every resource is registered for cleanup as soon as it exists; cleanup runs in reverse order, in the last
 * test (which checks nothing remains) and again in afterAll when a step failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/core/errors.js';
import {
  collect,
  path,
  type LoadBalancer,
  type OpenStackClient,
  type QuotaUsage,
  type Server,
  type ServerStatus,
} from '../../lib/providers/openstack/index.js';

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

/** Nova's `os-extended-volumes:volumes_attached` (with `delete_on_termination` since 2.3). */
const volumesAttached = (s: Server) =>
  ((s as unknown as Record<string, unknown>)['os-extended-volumes:volumes_attached'] ?? []) as {
    id: string;
    delete_on_termination?: boolean;
  }[];

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
    | 'flavor'
    | 'resizeFlavor'
    | 'image'
    | 'external'
    | 'network'
    | 'subnet'
    | 'router'
    | 'server'
    | 'volume'
    | 'fip'
    | 'bfvServer'
    | 'bfvVolume'
    | 'lb',
    string
  >;
  const expectConflict = async (what: Promise<unknown>, cloudCode?: string) =>
    expect(
      await what.then(
        () => 'succeeded',
        (e: unknown) => e,
      ),
    ).toMatchObject({
      code: 'CLOUD_CONFLICT',
      status: 409,
      ...(cloudCode && { details: { cloudCode } }),
    });

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

    it('finds the network by name and refuses (409) to delete a subnet, network or router the interface uses', async () => {
      expect((await collect(os.neutron.networks.list({ name: `${prefix}-net` }))).map((n) => n.id)).toEqual([ids.network]);
      expect(await collect(os.neutron.networks.list({ name: `${prefix}-none` }))).toEqual([]);
      await expectConflict(os.neutron.subnets.delete(ids.subnet), 'SubnetInUse');
      await expectConflict(os.neutron.networks.delete(ids.network), 'NetworkInUse');
      await expectConflict(os.neutron.routers.delete(ids.router), 'RouterInUse');
    });

    it('creates IPv6 subnets in canonical form, the default gateway being the subnet-router anycast address', async () => {
      const network = await os.neutron.networks.create({ name: `${prefix}-v6`, admin_state_up: true });
      cleanups.push({ what: 'IPv6 network', run: () => untilNoConflict(() => os.neutron.networks.delete(network.id)) });
      const given = await os.neutron.subnets.create({
        network_id: network.id,
        ip_version: 6,
        cidr: '2001:DB8:7:0:0::/64',
        gateway_ip: '2001:db8:7:0::1',
        dns_nameservers: ['2001:4860:4860:0:0:0:0:8888'],
      } as never);
      expect(given).toMatchObject({
        cidr: '2001:db8:7::/64',
        gateway_ip: '2001:db8:7::1',
        dns_nameservers: ['2001:4860:4860:0:0:0:0:8888'],
        allocation_pools: [{ start: '2001:db8:7::2', end: '2001:db8:7:0:ffff:ffff:ffff:ffff' }],
      });
      const byDefault = await os.neutron.subnets.create({ network_id: network.id, ip_version: 6, cidr: '2001:db8:8::/64' } as never);
      expect(byDefault).toMatchObject({ gateway_ip: '2001:db8:8::', allocation_pools: [{ start: '2001:db8:8::1' }] });
      const refused = await os.neutron.subnets
        .create({ network_id: network.id, ip_version: 6, cidr: '2001:db8:9::/64', dns_nameservers: ['8.8.8.8'] } as never)
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 400, code: 'CLOUD_BAD_REQUEST', details: { cloudCode: 'InvalidInput' } });
      await os.neutron.networks.delete(network.id);
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
      expect(server.metadata).toEqual({ suite: 'contract' });
      expect(server.addresses[`${prefix}-net`]?.[0]?.addr).toMatch(/^10\.251\.7\./);
      const listed = await collect(os.nova.listServers({ name: prefix }));
      expect(listed.map((s) => s.id)).toContain(created.id);
      // Nova's name filter is a regular expression.
      expect((await collect(os.nova.listServers({ name: `^${prefix}-v.$` }))).map((s) => s.id)).toEqual([created.id]);
      expect(await collect(os.nova.listServers({ name: `^${prefix}-vm-` }))).toEqual([]);
    });

    it("updates the server's metadata: merge, set one key, delete one key", async () => {
      const { http } = os.nova;
      const merged = await http.post<{ metadata: Record<string, string> }>(path`/servers/${ids.server}/metadata`, {
        metadata: { role: 'web' },
      });
      expect(merged.data.metadata).toEqual({ suite: 'contract', role: 'web' });
      const set = await http.put<{ meta: Record<string, string> }>(path`/servers/${ids.server}/metadata/role`, { meta: { role: 'db' } });
      expect(set.data.meta).toEqual({ role: 'db' });
      expect((await os.nova.getServer(ids.server)).metadata).toEqual({ suite: 'contract', role: 'db' });
      await http.delete(path`/servers/${ids.server}/metadata/role`);
      expect((await os.nova.getServer(ids.server)).metadata).toEqual({ suite: 'contract' });
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
      await expectConflict(os.nova.stop(ids.server));
      await expectConflict(os.nova.reboot(ids.server, 'SOFT'));
      await os.nova.start(ids.server);
      await waitFor('start', () => os.nova.getServer(ids.server), serverIn('ACTIVE'), serverFailed);
    });

    it('reboots the server (SOFT, then HARD) back to ACTIVE', async () => {
      for (const type of ['SOFT', 'HARD'] as const) {
        await os.nova.reboot(ids.server, type);
        const s = await waitFor(`${type} reboot`, () => os.nova.getServer(ids.server), serverIn('ACTIVE'), serverFailed);
        expect(s['OS-EXT-STS:power_state']).toBe(1);
      }
    });

    it('creates a volume and waits for available', async () => {
      const created = await os.cinder.createVolume({ size: 1, name: `${prefix}-vol`, metadata: { suite: 'contract', run: prefix } });
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
      expect(volume).toMatchObject({ size: 1, name: `${prefix}-vol`, attachments: [], metadata: { suite: 'contract', run: prefix } });
    });

    it('finds the volume by a metadata filter (all pairs must match)', async () => {
      const found = await collect(os.cinder.listVolumes({ metadata: JSON.stringify({ run: prefix }) }));
      expect(found.map((v) => v.id)).toEqual([ids.volume]);
      expect(await collect(os.cinder.listVolumes({ metadata: JSON.stringify({ run: prefix, suite: 'other' }) }))).toEqual([]);
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
      expect(volumesAttached(await os.nova.getServer(ids.server))).toContainEqual(expect.objectContaining({ id: ids.volume }));

      // Extending an attached volume needs volume microversion 3.42+ (the client sends 3.59).
      await os.cinder.extendVolume(ids.volume, 2);
      const extended = await waitFor(
        'extend in-use',
        () => os.cinder.getVolume(ids.volume),
        (v) => v.status === 'in-use' && v.size === 2,
        (v) => v.status.startsWith('error'),
      );
      expect(extended.attachments[0]?.server_id).toBe(ids.server);

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
      expect(snapshot).toMatchObject({ volume_id: ids.volume, size: 2 });
      expect((snapshot as unknown as Record<string, unknown>)['os-extended-snapshot-attributes:progress']).toBe('100%');
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
      await os.neutron.floatingIps.delete(fip.id);
      expect(await os.neutron.floatingIps.get(fip.id).catch((e: unknown) => (isNotFound(e) ? 'gone' : e))).toBe('gone');
    });

    it('boots a server from a new volume made from the image, and deletes the volume with the server', async () => {
      const created = await os.nova.createServer({
        name: `${prefix}-bfv`,
        flavorRef: ids.flavor,
        networks: [{ uuid: ids.network }],
        block_device_mapping_v2: [
          { boot_index: 0, uuid: ids.image, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: true },
        ],
      });
      ids.bfvServer = created.id;
      cleanups.push({
        what: 'boot-from-volume server',
        run: async () => {
          await os.nova.deleteServer(created.id).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
          await waitGone('boot-from-volume server', () => os.nova.getServer(created.id));
        },
      });
      const server = await waitFor('boot from volume', () => os.nova.getServer(created.id), serverIn('ACTIVE'), serverFailed);
      expect(server.image).toBe('');
      const attached = volumesAttached(server);
      expect(attached).toHaveLength(1);
      expect(attached[0]).toMatchObject({ delete_on_termination: true });
      ids.bfvVolume = attached[0]!.id;
      const volume = await os.cinder.getVolume(ids.bfvVolume);
      expect(volume).toMatchObject({ status: 'in-use', size: 1, bootable: 'true' });
      expect(volume.attachments.map((a) => a.server_id)).toEqual([created.id]);

      await os.nova.deleteServer(created.id);
      await waitGone('boot-from-volume server delete', () => os.nova.getServer(created.id));
      await waitGone('its volume (delete_on_termination)', () => os.cinder.getVolume(ids.bfvVolume));
    });

    it('reports compute, network and volume quotas with their usage', async () => {
      const compute = await os.nova.getQuotas();
      expect(compute.instances).toMatchObject({ in_use: expect.any(Number), limit: expect.any(Number) });
      expect((compute.instances as QuotaUsage).in_use).toBeGreaterThanOrEqual(1);
      expect((compute.cores as QuotaUsage).in_use).toBeGreaterThanOrEqual(1);
      const network = await os.neutron.getQuotas();
      expect(network.network).toMatchObject({ used: expect.any(Number), limit: expect.any(Number) });
      expect(network.network!.used).toBeGreaterThanOrEqual(1);
      expect(network.router!.used).toBeGreaterThanOrEqual(1);
      const volume = await os.cinder.getQuotas();
      expect(volume.volumes).toMatchObject({ in_use: expect.any(Number), limit: expect.any(Number) });
      expect((volume.volumes as { in_use: number }).in_use).toBeGreaterThanOrEqual(1);
    });

    it('builds a load balancer step by step (409 while PENDING_*) and deletes it with cascade', async (ctx) => {
      if (!(await os.endpoint('load-balancer').catch(() => undefined))) ctx.skip();
      const lbIn = (lb: LoadBalancer) => lb.provisioning_status === 'ACTIVE';
      const lbFailed = (lb: LoadBalancer) => lb.provisioning_status === 'ERROR';
      const settled = (what: string) => waitFor(what, () => os.octavia.loadBalancers.get(ids.lb), lbIn, lbFailed);

      const lb = await os.octavia.loadBalancers.create({ name: `${prefix}-lb`, vip_subnet_id: ids.subnet });
      ids.lb = lb.id;
      cleanups.push({
        what: 'load balancer',
        run: async () => {
          await untilNoConflict(() => os.octavia.deleteLoadBalancerCascade(lb.id));
          await waitGone('load balancer', () => os.octavia.loadBalancers.get(lb.id));
        },
      });
      expect(lb.provisioning_status).toBe('PENDING_CREATE');
      await expectConflict(os.octavia.listeners.create({ loadbalancer_id: lb.id, protocol: 'HTTP', protocol_port: 80 }));
      await settled('load balancer create');

      const listener = await os.octavia.listeners.create({
        name: `${prefix}-l`,
        loadbalancer_id: lb.id,
        protocol: 'HTTP',
        protocol_port: 80,
      });
      expect(listener.provisioning_status).toBe('PENDING_CREATE');
      await settled('listener create');
      // Ports are unique per L4 protocol: TCP on 80 again is refused, UDP on 80 is not.
      await expectConflict(os.octavia.listeners.create({ loadbalancer_id: lb.id, protocol: 'TCP', protocol_port: 80 }));
      await os.octavia.listeners.create({ name: `${prefix}-udp`, loadbalancer_id: lb.id, protocol: 'UDP', protocol_port: 80 });
      await settled('UDP listener create');
      const pool = await os.octavia.pools.create({ listener_id: listener.id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' });
      await settled('pool create');
      const [port] = await collect(os.neutron.serverPorts(ids.server));
      const member = await os.octavia.members(pool.id).create({
        address: String(port!.fixed_ips[0]!.ip_address),
        protocol_port: 8080,
        subnet_id: ids.subnet,
      });
      expect(member.operating_status).toBe('NO_MONITOR');
      await settled('member create');
      await os.octavia.healthMonitors.create({ pool_id: pool.id, type: 'HTTP', delay: 5, timeout: 3, max_retries: 3 });
      await settled('health monitor create');
      expect((await os.octavia.listeners.get(listener.id)).default_pool_id).toBe(pool.id);
      expect((await collect(os.octavia.members(pool.id).list())).map((m) => m.provisioning_status)).toEqual(['ACTIVE']);

      const refused = await os.octavia.loadBalancers.delete(lb.id).catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 400 });
      await os.octavia.deleteLoadBalancerCascade(lb.id);
      await waitGone('load balancer cascade delete', () => os.octavia.loadBalancers.get(lb.id));
      expect(await os.octavia.listeners.get(listener.id).catch((e: unknown) => (isNotFound(e) ? 'gone' : e))).toBe('gone');
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
        () => os.nova.getServer(ids.bfvServer),
        () => os.cinder.getVolume(ids.bfvVolume),
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
