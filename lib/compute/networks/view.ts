/**
 * What a network looks like through the API: our record (owner, department, what was asked) joined with
 * Neutron's live network, subnet, router and ports. Reads are live: Neutron is the source of truth.
 */
import { unless404 } from '../../core/errors.js';
import type { Network, OpenStackClient, Port, Router, Subnet } from '../../providers/openstack/index.js';
import type { CloudRecord } from '../records.js';
import type { NetworkView } from './schemas.js';

/** What the record says of the cloud objects (ids set once made). */
export interface NetworkSpec {
  cidr: string;
  ip_version: 4 | 6;
  gateway_ip: string | null;
  dns_nameservers: string[];
  enable_dhcp: boolean;
  external_router: boolean;
  description?: string;
  subnet_id?: string;
  router_id?: string;
  external_network_id?: string;
  external_network_name?: string;
}

/** The live objects: `null` when Neutron answers 404, `undefined` when there is none to read. */
export interface LiveNetwork {
  network?: Network | null;
  subnet?: Subnet | null;
  router?: Router | null;
  ports?: Port[];
}

export const specOf = (r: CloudRecord) => r.spec as unknown as NetworkSpec;

/** Ports that keep a network in use: not its DHCP ports, not our router's interface. */
export const portsInUse = (ports: Port[], routerId: string | undefined) =>
  ports.filter((p) => p.device_owner !== 'network:dhcp' && !(routerId && p.device_id === routerId));

const orNull = async <T>(fn: () => Promise<T>): Promise<T | null> => (await unless404(fn)) ?? null;

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function liveNetwork(os: OpenStackClient, r: CloudRecord): Promise<LiveNetwork> {
  if (!r.cloud_id || r.state === 'deleted') return {};
  const s = specOf(r);
  const [network, subnet, router, ports] = await Promise.all([
    orNull(() => os.neutron.networks.get(r.cloud_id!)),
    s.subnet_id ? orNull(() => os.neutron.subnets.get(s.subnet_id!)) : undefined,
    s.router_id ? orNull(() => os.neutron.routers.get(s.router_id!)) : undefined,
    all(os.neutron.ports.list({ network_id: r.cloud_id })),
  ]);
  return { network, subnet, router, ports };
}

const CHUNK = 40;

/** Objects of a Neutron collection whose `key` is one of `values`, a few dozen ids per call (the URL stays short). */
export async function listWhere<T>(
  list: (q: Record<string, readonly string[]>) => AsyncIterable<T>,
  key: string,
  values: string[],
): Promise<T[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < values.length; i += CHUNK) chunks.push(values.slice(i, i + CHUNK));
  return (await Promise.all(chunks.map((c) => all(list({ [key]: c }))))).flat();
}

/** The live objects of many records at once: four list calls (chunked), not four per network. */
export async function liveNetworks(os: OpenStackClient, records: CloudRecord[]): Promise<Map<string, LiveNetwork>> {
  const withCloud = records.filter((r) => r.cloud_id && r.state !== 'deleted');
  const ids = withCloud.map((r) => r.cloud_id!);
  const routerIds = withCloud.map((r) => specOf(r).router_id).filter((x): x is string => !!x);
  const n = os.neutron;
  const [networks, subnets, routers, ports] = await Promise.all([
    listWhere((q) => n.networks.list(q), 'id', ids),
    listWhere((q) => n.subnets.list(q), 'network_id', ids),
    listWhere((q) => n.routers.list(q), 'id', routerIds),
    listWhere((q) => n.ports.list(q), 'network_id', ids),
  ]);
  const out = new Map<string, LiveNetwork>();
  for (const r of withCloud) {
    const s = specOf(r);
    out.set(r.id, {
      network: networks.find((x) => x.id === r.cloud_id) ?? null,
      subnet: s.subnet_id ? (subnets.find((x) => x.id === s.subnet_id) ?? null) : undefined,
      router: s.router_id ? (routers.find((x) => x.id === s.router_id) ?? null) : undefined,
      ports: ports.filter((p) => p.network_id === r.cloud_id),
    });
  }
  return out;
}

function statusOf(r: CloudRecord, live: LiveNetwork): string {
  if (r.state === 'error') return 'ERROR';
  if (r.state === 'deleted') return 'DELETED';
  if (r.state === 'creating') return 'BUILD';
  if (live.network === null) return 'DELETED';
  return live.network?.status ?? 'UNKNOWN';
}

export function networkView(r: CloudRecord, live: LiveNetwork): NetworkView {
  const s = specOf(r);
  const sub = live.subnet ?? undefined;
  const router = live.router ?? undefined;
  const gw = router?.external_gateway_info ?? null;
  const showRouter = s.router_id && live.router !== null;
  return {
    id: r.id,
    name: live.network?.name ?? r.name,
    ...((live.network?.description ?? s.description) && { description: live.network?.description ?? s.description }),
    status: statusOf(r, live),
    openstack_id: r.cloud_id ?? null,
    cidr: sub?.cidr ?? s.cidr,
    subnet: {
      id: s.subnet_id ?? null,
      cidr: sub?.cidr ?? s.cidr,
      ip_version: sub?.ip_version ?? s.ip_version,
      gateway_ip: sub ? sub.gateway_ip : s.gateway_ip,
      dns_nameservers: sub?.dns_nameservers ?? s.dns_nameservers,
      enable_dhcp: sub?.enable_dhcp ?? s.enable_dhcp,
      ...(sub?.allocation_pools && { allocation_pools: sub.allocation_pools }),
    },
    router: showRouter
      ? {
          id: s.router_id!,
          ...(router && { status: router.status }),
          external_network:
            gw || s.external_network_id ? { id: gw?.network_id ?? s.external_network_id!, name: s.external_network_name ?? null } : null,
          external_gateway_ip: gw?.external_fixed_ips?.[0]?.ip_address ?? null,
        }
      : null,
    ports_in_use: portsInUse(live.ports ?? [], s.router_id).length,
    owner: r.owner,
    department: r.department,
    created_at: r.created_at,
    updated_at: r.updated_at,
    ...(r.fault && { fault: r.fault }),
    ...(r.drift && { drift: r.drift }),
  };
}
