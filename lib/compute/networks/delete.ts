/**
 * Deleting a network: refused (409 NETWORK_IN_USE, naming the devices) while anything but its DHCP ports and
 * our router's interface is plugged into it; otherwise interface → router → subnet → network, each step
 * tolerating a 404 so that a repeated or resumed delete finishes the job. Also the `network` hooks of the
 * generic machinery (cloud-delete, reconciliation, safety net).
 */
import { ConflictError, is404 } from '../../core/errors.js';
import type { OpenStackClient, Port } from '../../providers/openstack/index.js';
import type { Db } from '../../store/dynamo.js';
import { removeMade } from '../compensation.js';
import type { KindHooks } from '../kinds.js';
import { holdRecord, withRecord } from '../record-lock.js';
import { listRecords, type CloudRecord, type MadeResource } from '../records.js';
import type { PortInUse } from './schemas.js';
import { portsInUse, specOf } from './view.js';

/** Every cloud object of a network record, in creation order: the ids of the spec and any compensation leftovers. */
export function objectsOf(r: CloudRecord): MadeResource[] {
  const s = specOf(r);
  const out: MadeResource[] = [];
  const add = (m: MadeResource) => {
    if (!out.some((x) => x.type === m.type && x.id === m.id)) out.push(m);
  };
  if (r.cloud_id) add({ type: 'network', id: r.cloud_id });
  if (s.subnet_id) add({ type: 'subnet', id: s.subnet_id });
  if (s.router_id) add({ type: 'router', id: s.router_id });
  if (s.router_id && s.subnet_id) add({ type: 'router-interface', id: s.subnet_id, parent: s.router_id });
  for (const m of r.made) add(m);
  const order = ['network', 'subnet', 'router', 'router-interface'];
  return out.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** Removes every object of the record, newest first (each call tolerates objects already gone). */
export async function destroyNetwork(os: OpenStackClient, r: CloudRecord): Promise<void> {
  for (const m of objectsOf(r).reverse()) await removeMade(os, m);
}

const networkIdOf = (r: CloudRecord) => r.cloud_id ?? r.made.find((m) => m.type === 'network')?.id;
const routerIdOf = (r: CloudRecord) => specOf(r).router_id ?? r.made.find((m) => m.type === 'router')?.id;

/** The devices keeping the network in use, with our record when the device is one of ours. */
export async function devicesOn(db: Db, os: OpenStackClient, r: CloudRecord): Promise<PortInUse[]> {
  const networkId = networkIdOf(r);
  if (!networkId) return [];
  const ports: Port[] = [];
  for await (const p of os.neutron.ports.list({ network_id: networkId })) ports.push(p);
  const used = portsInUse(ports, routerIdOf(r));
  if (used.length === 0) return [];
  const [instances, balancers] = await Promise.all([listRecords(db, 'instance'), listRecords(db, 'load-balancer')]);
  const ours = (deviceId: string) => {
    const i = instances.find((x) => x.cloud_id === deviceId);
    if (i) return { kind: 'instance', id: i.id };
    // Octavia's VIP ports carry `lb-<load balancer id>`.
    const lb = balancers.find((x) => x.cloud_id && (deviceId === x.cloud_id || deviceId === `lb-${x.cloud_id}`));
    return lb ? { kind: 'load-balancer', id: lb.id } : undefined;
  };
  return used.map((p) => {
    const resource = p.device_id ? ours(p.device_id) : undefined;
    return {
      port_id: p.id,
      device_id: p.device_id,
      device_owner: p.device_owner,
      addresses: p.fixed_ips.map((f) => f.ip_address).filter((a): a is string => !!a),
      ...(resource && { resource }),
    };
  });
}

const inUse = (r: CloudRecord, devices: PortInUse[]) =>
  new ConflictError(
    'NETWORK_IN_USE',
    `Network ${r.id} still has ${devices.length} device(s) plugged in (${devices
      .map((d) => (d.resource ? `${d.resource.kind} ${d.resource.id}` : d.device_owner || d.port_id))
      .join(', ')}): delete or move them first`,
    { id: r.id, devices },
  );

/**
 * DELETE /network/{id}: `deleted` once the record is a tombstone. Two deletes at once are one deletion:
 * the second waits for the first (holding the record) and then finds the network gone.
 */
export async function deleteNetwork(db: Db, os: OpenStackClient, id: string, by: string): Promise<{ before: CloudRecord } | 'gone'> {
  const hold = await holdRecord(db, 'network', id);
  if (hold === 'gone') return 'gone';
  return withRecord(
    db,
    hold,
    async (r) => {
      const devices = await devicesOn(db, os, r);
      if (devices.length > 0) throw inUse(r, devices);
      try {
        await destroyNetwork(os, r);
      } catch (e) {
        // Something was plugged in between the check and the delete (Neutron's NetworkInUse / SubnetInUse).
        if (e instanceof ConflictError && /InUse/.test(String(e.details?.cloudCode))) {
          const now = await devicesOn(db, os, r);
          if (now.length > 0) throw inUse(r, now);
        }
        throw e;
      }
      const now = new Date().toISOString();
      return { patch: { state: 'deleted', deleted_at: now, deleted_by: by, made: [] }, result: { before: r } };
    },
    // A refusal changes nothing; a failure half-way is worth showing on the network until a delete finishes.
    (e) => (e instanceof ConflictError ? {} : { fault: faultOf(e) }),
  );
}

const faultOf = (e: unknown) => ({ code: 'DELETE_FAILED', message: `The delete failed: ${(e as Error).message}`.slice(0, 500) });

export const networkHooks: KindHooks = {
  async destroy(r, os) {
    await destroyNetwork(os, r);
  },
  async gone(r, os) {
    const id = networkIdOf(r);
    if (!id) return true;
    return is404(() => os.neutron.networks.get(id));
  },
};
