/**
 * Differential probe: the same calls (mostly refusals and response shapes the contract does not check) on
 * the simulator and on the real control plane of up.sh, side by side; lines marked `≠` disagree.
 * `npx tsx test/openstack/probe.ts` with the control plane up and seeded (BASE / OPENSTACK_OPENRC as the spec).
 */
import { readFileSync } from 'node:fs';
import { collect, createOpenStackClient, openStackConfigFromEnv, type OpenStackClient } from '../../lib/providers/openstack/index.js';
import { startOpenStackSimulator } from '../../local/openstack/index.js';

const BOGUS = '00000000-0000-4000-8000-000000000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function openrc(file: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?(OS_[A-Z0-9_]+)=(.*)$/.exec(l);
    if (m) env[m[1]!] = m[2]!.trim();
  }
  return env;
}

type Outcome = string;
async function outcome(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    const r = await fn();
    if (r && typeof r === 'object' && !Array.isArray(r)) return `ok keys=${Object.keys(r).sort().join(',')}`;
    return `ok ${JSON.stringify(r)?.slice(0, 200)}`;
  } catch (e) {
    const x = e as { status?: number; code?: string; details?: { cloudCode?: string; cloudMessage?: string } };
    return `ERR ${x.status} ${x.code} ${x.details?.cloudCode ?? ''} :: ${(x.details?.cloudMessage ?? String(e)).slice(0, 160)}`;
  }
}

async function until<T>(get: () => Promise<T>, ok: (t: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const t = await get().catch(() => undefined as T);
    if ((t !== undefined && ok(t)) || Date.now() > end) return t;
    await sleep(200);
  }
}

async function cases(os: OpenStackClient, tag: string): Promise<[string, Outcome][]> {
  const out: [string, Outcome][] = [];
  const run = async (name: string, fn: () => Promise<unknown>) => out.push([name, await outcome(fn)]);
  const p = `probe-${tag}-${Date.now().toString(36)}`;
  const flavors = await collect(os.nova.listFlavors({}));
  const tiny = flavors.find((f) => f.name === 'm1.tiny')!.id;
  const [image] = await collect(os.glance.listImages({ name: 'cirros' }));
  const [ext] = await collect(os.neutron.networks.list({ 'router:external': true }));

  await run('nova getServer bogus', () => os.nova.getServer(BOGUS));
  await run('nova getFlavor 9999', () => os.nova.getFlavor('9999'));
  await run('neutron networks.get bogus', () => os.neutron.networks.get(BOGUS));
  await run('cinder getVolume bogus', () => os.cinder.getVolume(BOGUS));
  await run('cinder getSnapshot bogus', () => os.cinder.getSnapshot(BOGUS));
  await run('glance getImage bogus', () => os.glance.getImage(BOGUS));
  await run('glance getImage not-a-uuid', () => os.glance.getImage('nope'));
  await run('nova getKeypair missing', () => os.nova.getKeypair(`${p}-none`));
  await run('nova deleteServer bogus', () => os.nova.deleteServer(BOGUS));
  await run('neutron networks.delete bogus', () => os.neutron.networks.delete(BOGUS));
  await run('cinder deleteVolume bogus', () => os.cinder.deleteVolume(BOGUS));
  await run('cinder createVolume size 0', () => os.cinder.createVolume({ size: 0, name: `${p}-v0` }));
  await run('nova createServer bad flavor', () =>
    os.nova.createServer({ name: `${p}-x`, flavorRef: '9999', imageRef: image!.id, networks: 'none' } as never),
  );
  await run('nova createServer bad image', () =>
    os.nova.createServer({ name: `${p}-x`, flavorRef: tiny, imageRef: BOGUS, networks: 'none' } as never),
  );
  await run('nova createServer bad network', () =>
    os.nova.createServer({ name: `${p}-x`, flavorRef: tiny, imageRef: image!.id, networks: [{ uuid: BOGUS }] }),
  );
  await run('neutron floatingIps.create bogus network', () => os.neutron.floatingIps.create({ floating_network_id: BOGUS }));

  const net = await os.neutron.networks.create({ name: `${p}-net` });
  await run('neutron networks.create shape', async () => net);
  await run('neutron subnets.create cidr /33', () =>
    os.neutron.subnets.create({ network_id: net.id, cidr: '10.9.0.0/33', ip_version: 4 } as never),
  );
  const sub = await os.neutron.subnets.create({ network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4, name: `${p}-sub` });
  await run('neutron subnets.create shape', async () => sub);
  await run('neutron subnets.create overlapping', () =>
    os.neutron.subnets.create({ network_id: net.id, cidr: '10.9.0.128/25', ip_version: 4 }),
  );
  await run('neutron floatingIps.create on internal net', () => os.neutron.floatingIps.create({ floating_network_id: net.id }));
  const port = await os.neutron.ports.create({ network_id: net.id, name: `${p}-port` } as never);
  await run('neutron ports.create shape', async () => port);
  await run('neutron port status', async () => (port as { status: string }).status);
  await run('neutron networks.delete in use (port)', () => os.neutron.networks.delete(net.id));
  await run('neutron subnets.delete in use (port)', () => os.neutron.subnets.delete(sub.id));
  const router = await os.neutron.routers.create({ name: `${p}-r`, external_gateway_info: { network_id: ext!.id } });
  await run('neutron routers.create shape', async () => router);
  await run('neutron router gw external_fixed_ips', async () => router.external_gateway_info);
  await run('neutron addRouterInterface', () => os.neutron.addRouterInterface(router.id, { subnet_id: sub.id }));
  await run('neutron addRouterInterface twice', () => os.neutron.addRouterInterface(router.id, { subnet_id: sub.id }));
  await run('neutron routers.delete with interface', () => os.neutron.routers.delete(router.id));
  const fip = await os.neutron.floatingIps.create({ floating_network_id: ext!.id });
  await run('neutron floatingIps.create shape', async () => fip);
  await run('neutron associate fip port w/o device', () => os.neutron.associateFloatingIp(fip.id, port.id));
  await run('neutron fip status after assoc', async () => (await os.neutron.floatingIps.get(fip.id)).status);
  await run('neutron removeRouterInterface with fip', () => os.neutron.removeRouterInterface(router.id, { subnet_id: sub.id }));
  await run('neutron quotas', () => os.neutron.getQuotas());

  const srv = await os.nova.createServer({ name: `${p}-vm`, flavorRef: tiny, imageRef: image!.id, networks: [{ uuid: net.id }] });
  await run('nova createServer shape', async () => srv);
  const active = await until(
    () => os.nova.getServer(srv.id),
    (s) => s.status === 'ACTIVE' && !s['OS-EXT-STS:task_state'],
  );
  await run('nova getServer shape', async () => active);
  await run('nova server addresses', async () => active.addresses);
  await run('nova resize to same flavor', () => os.nova.resize(srv.id, tiny));
  await run('nova confirmResize when ACTIVE', () => os.nova.confirmResize(srv.id));
  await run('nova revertResize when ACTIVE', () => os.nova.revertResize(srv.id));
  await run('nova reboot SOFT', () => os.nova.reboot(srv.id, 'SOFT' as never));
  await until(
    () => os.nova.getServer(srv.id),
    (s) => s.status === 'ACTIVE' && !s['OS-EXT-STS:task_state'],
  );
  await run('nova listServers pageSize 1', async () => (await collect(os.nova.listServers({ name: p }, { pageSize: 1 } as never))).length);
  await run('nova quotas', () => os.nova.getQuotas());

  const vol = await os.cinder.createVolume({ size: 1, name: `${p}-vol` });
  await run('cinder createVolume shape', async () => vol);
  await until(
    () => os.cinder.getVolume(vol.id),
    (v) => v.status === 'available',
  );
  await run('cinder getVolume shape', () => os.cinder.getVolume(vol.id));
  await run('nova attachVolume', () => os.nova.attachVolume(srv.id, vol.id));
  await until(
    () => os.cinder.getVolume(vol.id),
    (v) => v.status === 'in-use',
  );
  await run('nova attachVolume twice', () => os.nova.attachVolume(srv.id, vol.id));
  await run('cinder deleteVolume in-use', () => os.cinder.deleteVolume(vol.id));
  await run('cinder createSnapshot in-use no force', () => os.cinder.createSnapshot({ volume_id: vol.id, name: `${p}-s` }));
  await run('cinder extend in-use', () => os.cinder.extendVolume(vol.id, 3));
  await sleep(1000);
  await run('nova detachVolume', () => os.nova.detachVolume(srv.id, vol.id));
  await until(
    () => os.cinder.getVolume(vol.id),
    (v) => v.status === 'available',
  );
  await run('nova detachVolume not attached', () => os.nova.detachVolume(srv.id, vol.id));
  await run('cinder extendVolume 2', () => os.cinder.extendVolume(vol.id, 2));
  await until(
    () => os.cinder.getVolume(vol.id),
    (v) => v.status === 'available',
  );
  await run(
    'cinder size after extend',
    async () => `${(await os.cinder.getVolume(vol.id)).size} ${(await os.cinder.getVolume(vol.id)).status}`,
  );
  await run('cinder listVolumeTypes', async () => (await os.cinder.listVolumeTypes()).map((t) => t.name));
  await run('cinder quotas', () => os.cinder.getQuotas());
  await run('nova stop', () => os.nova.stop(srv.id));
  await run('nova stop while stopping', () => os.nova.stop(srv.id));
  await until(
    () => os.nova.getServer(srv.id),
    (s) => s.status === 'SHUTOFF' && !s['OS-EXT-STS:task_state'],
  );
  await run('nova stop when SHUTOFF', () => os.nova.stop(srv.id));
  await run('nova reboot when SHUTOFF', () => os.nova.reboot(srv.id, 'SOFT' as never));
  await run('nova resize when SHUTOFF', async () => {
    const small = flavors.find((f) => f.name === 'm1.small')!.id;
    await os.nova.resize(srv.id, small);
    return until(
      () => os.nova.getServer(srv.id),
      (s) => !s['OS-EXT-STS:task_state'],
    ).then((s) => s.status);
  });
  await run('nova revertResize', async () => {
    await os.nova.revertResize(srv.id);
    return until(
      () => os.nova.getServer(srv.id),
      (s) => !s['OS-EXT-STS:task_state'],
    ).then((s) => `${s.status} ${s.flavor.original_name}`);
  });

  // cleanup
  await os.neutron.floatingIps.delete(fip.id).catch(() => undefined);
  await os.nova.deleteServer(srv.id).catch(() => undefined);
  await until(
    () =>
      os.nova.getServer(srv.id).then(
        () => false,
        () => true,
      ),
    (gone) => gone,
  );
  await os.cinder.deleteVolume(vol.id).catch(() => undefined);
  await os.neutron.ports.delete(port.id).catch(() => undefined);
  await os.neutron.removeRouterInterface(router.id, { subnet_id: sub.id }).catch(() => undefined);
  await os.neutron.routers.delete(router.id).catch(() => undefined);
  await os.neutron.subnets.delete(sub.id).catch(() => undefined);
  await os.neutron.networks.delete(net.id).catch(() => undefined);
  return out;
}

const noLog = { debug() {}, info() {}, warn() {} };
const sim = await startOpenStackSimulator({ port: 0, transitionMs: 30 });
const simOs = createOpenStackClient(
  {
    ...openStackConfigFromEnv({
      OS_AUTH_URL: sim.url,
      OS_USERNAME: 'admin',
      OS_PASSWORD: 'admin',
      OS_PROJECT_NAME: 'admin',
      OS_REGION_NAME: 'RegionOne',
    }),
    timeoutMs: 5000,
  },
  { logger: noLog },
);
const realOs = createOpenStackClient(
  openStackConfigFromEnv(openrc(process.env.OPENSTACK_OPENRC ?? `${process.env.BASE ?? '/var/tmp/openstack-dev'}/admin-openrc.sh`)),
  { logger: noLog },
);
try {
  const [a, b] = [await cases(simOs, 'sim'), await cases(realOs, 'real')];
  const norm = (s: string) => s.replace(/ :: .*/, '');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [name, s] = a[i] ?? ['?', ''];
    const [, r] = b[i] ?? ['?', ''];
    const same = norm(s) === norm(r);
    console.log(`${same ? '=' : '≠'} ${name}\n    sim : ${s}\n    real: ${r}`);
  }
} finally {
  await sim.stop();
}
