/** A floating IP through the API: our record joined with Neutron's live floating IP. */
import type { FloatingIp, OpenStackClient } from '../../providers/openstack/index.js';
import type { Db } from '../../store/dynamo.js';
import { listRecords, type CloudRecord } from '../records.js';
import { liveObject } from '../views.js';
import type { FloatingIpView } from './schemas.js';

/** With Neutron's `fip-port-details` extension: the device behind the port. */
export type LiveFloatingIp = FloatingIp & { port_details?: { device_id?: string } | null };

export interface FloatingIpSpec {
  address?: string;
  pool_id: string;
  pool_name: string;
  instance_id?: string;
  port_id?: string;
  fixed_ip?: string;
}

export const fipSpecOf = (r: CloudRecord) => r.spec as unknown as FloatingIpSpec;

/** The live floating IP: null when Neutron answers 404, undefined when there is none yet. */
export async function liveFloatingIp(os: OpenStackClient, r: CloudRecord): Promise<LiveFloatingIp | null | undefined> {
  return liveObject(r, (id) => os.neutron.floatingIps.get(id));
}

/** Our instance id by server id, for floating IPs moved outside the API. */
export async function instanceIdsByServer(db: Db): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of await listRecords(db, 'instance')) if (r.cloud_id) out.set(r.cloud_id, r.id);
  return out;
}

function statusOf(r: CloudRecord, live: LiveFloatingIp | null | undefined): string {
  if (r.state === 'error') return 'ERROR';
  if (r.state === 'deleted' || live === null) return 'DELETED';
  if (r.state === 'creating') return 'BUILD';
  return live?.status ?? 'UNKNOWN';
}

export function floatingIpView(r: CloudRecord, live: LiveFloatingIp | null | undefined, byServer?: Map<string, string>): FloatingIpView {
  const s = fipSpecOf(r);
  let instanceId: string | null = s.instance_id ?? null;
  if (live) {
    // The port may have changed outside the API (or the instance was deleted, which disassociates it).
    if (!live.port_id) instanceId = null;
    else if (live.port_id !== s.port_id) instanceId = (live.port_details?.device_id && byServer?.get(live.port_details.device_id)) || null;
  }
  return {
    id: r.id,
    name: r.name,
    address: live?.floating_ip_address ?? s.address ?? null,
    status: statusOf(r, live),
    openstack_id: r.cloud_id ?? null,
    pool: s.pool_name ?? null,
    pool_id: live?.floating_network_id ?? s.pool_id ?? null,
    instance_id: instanceId,
    port_id: live ? live.port_id : (s.port_id ?? null),
    fixed_ip: live ? live.fixed_ip_address : (s.fixed_ip ?? null),
    owner: r.owner,
    department: r.department,
    created_at: r.created_at,
    updated_at: r.updated_at,
    ...(r.fault && { fault: r.fault }),
    ...(r.drift && { drift: r.drift }),
  };
}
