/** How Nova renders servers and flavors, including what changes with the microversion; and compute usage. */
import type { OsRequest } from './http.js';
import type { Microversion } from './microversion.js';
import { quotaOf, type Flavor, type Server } from './model.js';
import { wrappedFault } from './microversion.js';
import type { Sim } from './sim.js';

/** nova.api.openstack.common's vm_state/task_state → status table (the parts this simulator reaches). */
export function serverStatus(s: Server): string {
  const t = s.taskState;
  switch (s.vmState) {
    case 'building':
      return 'BUILD';
    case 'active':
      if (t === 'rebooting' || t === 'reboot_pending' || t === 'reboot_started') return 'REBOOT';
      if (t?.startsWith('reboot') && t.endsWith('hard')) return 'HARD_REBOOT';
      if (t?.startsWith('resize_')) return 'RESIZE';
      return 'ACTIVE';
    case 'stopped':
      if (t?.startsWith('resize_')) return 'RESIZE';
      if (t === 'reboot_started_hard' || t === 'rebooting_hard') return 'HARD_REBOOT';
      return 'SHUTOFF';
    case 'resized':
      return t === 'resize_reverting' ? 'REVERT_RESIZE' : 'VERIFY_RESIZE';
    case 'error':
      return 'ERROR';
    default:
      return 'UNKNOWN';
  }
}

const links = (req: OsRequest, kind: string, id: string) => [
  { rel: 'self', href: `${req.serviceUrl}/v2.1/${kind}/${id}` },
  { rel: 'bookmark', href: `${req.serviceUrl}/${kind}/${id}` },
];

export function flavorView(req: OsRequest, mv: Microversion, f: Flavor, detail: boolean): Record<string, unknown> {
  const v: Record<string, unknown> = { id: f.id, name: f.name, links: links(req, 'flavors', f.id) };
  if (mv.minor >= 55) v.description = null;
  if (!detail) return v;
  Object.assign(v, {
    ram: f.ram,
    disk: f.disk,
    swap: mv.minor >= 75 ? 0 : '',
    'OS-FLV-EXT-DATA:ephemeral': 0,
    'OS-FLV-DISABLED:disabled': false,
    vcpus: f.vcpus,
    'os-flavor-access:is_public': true,
    rxtx_factor: 1.0,
  });
  if (mv.minor >= 61) v.extra_specs = {};
  return v;
}

export function serverAddresses(sim: Sim, s: Server): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const p of Object.values(sim.state.ports)) {
    if (p.device_id !== s.id) continue;
    const net = sim.state.networks[String(p.network_id)];
    const list = (out[String(net?.name ?? p.network_id)] ??= []);
    for (const f of p.fixed_ips as Array<{ ip_address: string }>) {
      const version = f.ip_address.includes(':') ? 6 : 4;
      list.push({ version, addr: f.ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': p.mac_address });
      for (const fip of Object.values(sim.state.floatingips))
        if (fip.port_id === p.id && fip.fixed_ip_address === f.ip_address)
          list.push({ version, addr: fip.floating_ip_address, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': p.mac_address });
    }
  }
  return out;
}

export function serverView(sim: Sim, req: OsRequest, mv: Microversion, s: Server, detail: boolean): Record<string, unknown> {
  const base = { id: s.id, name: s.name, links: links(req, 'servers', s.id) };
  if (!detail) return base;
  const status = serverStatus(s);
  const flavor = sim.state.flavors[s.flavorId];
  const v: Record<string, unknown> = {
    ...base,
    status,
    tenant_id: s.projectId,
    user_id: s.userId,
    metadata: s.metadata,
    hostId: s.vmState === 'building' && s.taskState === 'scheduling' ? '' : s.hostId,
    image: s.imageId ? { id: s.imageId, links: [{ rel: 'bookmark', href: `${req.serviceUrl}/images/${s.imageId}` }] } : '',
    flavor:
      mv.minor >= 47 && flavor
        ? { vcpus: flavor.vcpus, ram: flavor.ram, disk: flavor.disk, ephemeral: 0, swap: 0, original_name: flavor.name, extra_specs: {} }
        : { id: s.flavorId, links: [{ rel: 'bookmark', href: `${req.serviceUrl}/flavors/${s.flavorId}` }] },
    created: s.created,
    updated: s.updated,
    addresses: serverAddresses(sim, s),
    accessIPv4: '',
    accessIPv6: '',
    'OS-DCF:diskConfig': 'MANUAL',
    'OS-EXT-AZ:availability_zone': s.vmState === 'building' && s.taskState === 'scheduling' ? '' : 'nova',
    config_drive: '',
    key_name: s.keyName,
    'OS-SRV-USG:launched_at': s.launchedAt,
    'OS-SRV-USG:terminated_at': null,
    'OS-EXT-STS:task_state': s.taskState,
    'OS-EXT-STS:vm_state': s.vmState,
    'OS-EXT-STS:power_state': s.powerState,
    'os-extended-volumes:volumes_attached': s.volumes.map((a) =>
      mv.minor >= 3 ? { id: a.volumeId, delete_on_termination: a.deleteOnTermination } : { id: a.volumeId },
    ),
  };
  if (s.securityGroups.length) v.security_groups = s.securityGroups.map((name) => ({ name }));
  if (['BUILD', 'RESIZE', 'VERIFY_RESIZE', 'REVERT_RESIZE'].includes(status)) v.progress = 0;
  if (s.fault && status === 'ERROR') v.fault = s.fault;
  if (mv.minor >= 9) v.locked = false;
  if (mv.minor >= 16) v.host_status = s.vmState === 'building' ? '' : 'UP';
  if (mv.minor >= 19) v.description = s.description;
  if (mv.minor >= 26) v.tags = [];
  if (mv.minor >= 63) v.trusted_image_certificates = null;
  if (mv.minor >= 71) v.server_groups = [];
  if (mv.minor >= 73) v.locked_reason = null;
  if (mv.minor >= 96) v.pinned_availability_zone = null;
  return v;
}

export interface ComputeUsage {
  instances: number;
  cores: number;
  ram: number;
  key_pairs: number;
}

export function computeUsage(sim: Sim, projectId: string, userId?: string): ComputeUsage {
  const u: ComputeUsage = { instances: 0, cores: 0, ram: 0, key_pairs: 0 };
  for (const s of Object.values(sim.state.servers)) {
    if (s.projectId !== projectId) continue;
    const f = sim.state.flavors[s.flavorId];
    u.instances += 1;
    u.cores += f?.vcpus ?? 0;
    u.ram += f?.ram ?? 0;
  }
  if (userId) u.key_pairs = Object.values(sim.state.keypairs).filter((k) => k.userId === userId).length;
  return u;
}

/** Nova's OverQuota text, "Quota exceeded for cores, ram: Requested 4, 8192, but already used 18, 40960 of 20, 51200 cores, ram". */
export function checkComputeQuota(sim: Sim, projectId: string, delta: { instances?: number; cores?: number; ram?: number }): void {
  const limits = quotaOf(sim.state, projectId, 'compute');
  const used = computeUsage(sim, projectId);
  const overs = (['instances', 'cores', 'ram'] as const).filter((k) => {
    const d = delta[k] ?? 0;
    const limit = limits[k] ?? -1;
    return d > 0 && limit >= 0 && used[k] + d > limit;
  });
  if (!overs.length) return;
  const join = (f: (k: (typeof overs)[number]) => number) => overs.map(f).join(', ');
  const names = overs.join(', ');
  throw wrappedFault(
    403,
    `Quota exceeded for ${names}: Requested ${join((k) => delta[k] ?? 0)}, but already used ${join((k) => used[k])} of ${join((k) => limits[k] ?? -1)} ${names}`,
  );
}
