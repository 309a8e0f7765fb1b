/**
 * Floating IPs (Neutron): allocate from an external network and associate with an instance's port, move,
 * disassociate, release. All synchronous — Neutron answers each call with the result — so no state machine:
 * an allocation whose association fails is released before the error is answered (no orphan), and changes
 * to one floating IP hold its record (one at a time).
 */
import { ApiError, ConflictError, NotFoundError } from '../../core/errors.js';
import { logger } from '../../core/logger.js';
import type { Network, OpenStackClient, Port, Server } from '../../providers/openstack/index.js';
import type { Db } from '../../store/dynamo.js';
import { removeMade, sweepMade } from '../compensation.js';
import { assertNetworkQuota, withQuotaLimit } from '../networks/quota.js';
import { holdRecord, withRecord } from '../record-lock.js';
import { addMade, patchRecord, type CloudRecord, type MadeResource } from '../records.js';
import { fipSpecOf, floatingIpView, liveFloatingIp, type FloatingIpSpec, type LiveFloatingIp } from './view.js';

export interface Target {
  instance: CloudRecord;
  server: Server;
  port: Port;
}

const isV4 = (a: string | undefined) => !!a && /^\d+\.\d+\.\d+\.\d+$/.test(a);

/** The port of an ACTIVE instance a floating IP goes to (its first with an IPv4 address, on the instance's network if several). */
export async function targetPort(os: OpenStackClient, instance: CloudRecord): Promise<Target> {
  const conflict = (message: string, extra: Record<string, unknown> = {}) =>
    new ConflictError('INSTANCE_STATE_CONFLICT', message, { instance_id: instance.id, ...extra });
  if (instance.state !== 'active' || !instance.cloud_id)
    throw conflict(`Instance ${instance.id} is ${instance.state}: it needs to be ACTIVE`);
  let server: Server;
  try {
    server = await os.nova.getServer(instance.cloud_id);
  } catch (e) {
    if (e instanceof NotFoundError) throw conflict(`Instance ${instance.id} has no server in the cloud (deleted outside the API)`);
    throw e;
  }
  if (server.status !== 'ACTIVE')
    throw conflict(`Instance ${instance.id} is ${server.status}: it needs to be ACTIVE`, { status: server.status });
  const ports: Port[] = [];
  for await (const p of os.neutron.serverPorts(server.id)) ports.push(p);
  const withV4 = ports.filter((p) => p.fixed_ips.some((f) => isV4(f.ip_address)));
  const networkId = (instance.spec as Record<string, unknown>).network_id;
  const port = withV4.find((p) => p.network_id === networkId) ?? withV4[0];
  if (!port) {
    throw new ConflictError('INSTANCE_HAS_NO_PORT', `Instance ${instance.id} has no port with an IPv4 address to give a floating IP to`, {
      instance_id: instance.id,
    });
  }
  return { instance, server, port };
}

/** Neutron's refusals of an association, in our words. */
function associationError(e: unknown, t: Target, fip: { pool: string }): unknown {
  if (!(e instanceof ApiError)) return e;
  const cloudCode = String(e.details?.cloudCode ?? '');
  const cloudMessage = String(e.details?.cloudMessage ?? e.message);
  if (cloudCode === 'ExternalGatewayForFloatingIPNotFound') {
    return new ConflictError(
      'EXTERNAL_NETWORK_UNREACHABLE',
      `The network of instance ${t.instance.id} has no router to the external network ${fip.pool}: create the network with external_router: true, or plug its subnet into a router whose gateway is ${fip.pool}`,
      { instance_id: t.instance.id, port_id: t.port.id, pool: fip.pool, cloudMessage },
    );
  }
  if (cloudCode === 'FloatingIPPortAlreadyAssociated') {
    return new ConflictError('INSTANCE_HAS_FLOATING_IP', `Instance ${t.instance.id} already has a floating IP from ${fip.pool}`, {
      instance_id: t.instance.id,
      cloudMessage,
    });
  }
  // The port went away meanwhile (the instance being deleted).
  if (e instanceof NotFoundError)
    return new ConflictError('INSTANCE_STATE_CONFLICT', `Instance ${t.instance.id} changed meanwhile: ${cloudMessage}`, {
      instance_id: t.instance.id,
      cloudMessage,
    });
  return e;
}

const associated = (t: Target, live: LiveFloatingIp): Partial<FloatingIpSpec> => ({
  instance_id: t.instance.id,
  port_id: t.port.id,
  ...(live.fixed_ip_address && { fixed_ip: live.fixed_ip_address }),
});

/**
 * Allocates from `pool` and associates with the target, for a `creating` record; on failure the allocation
 * is released and the record becomes a tombstone (or `error`, holding what the cloud would not release yet).
 */
export async function allocateFloatingIp(db: Db, os: OpenStackClient, r: CloudRecord, pool: Network, t: Target) {
  await assertNetworkQuota(os, { floatingip: 1 });
  const made: MadeResource[] = [];
  let step = 'allocation';
  try {
    const fip = await os.neutron.floatingIps.create({ floating_network_id: pool.id, description: `apibibind floating-ip ${r.id}` });
    made.push({ type: 'floatingip', id: fip.id });
    await addMade(db, 'floating-ip', r.id, made[0]!, { name: fip.floating_ip_address, cloud_id: fip.id });
    step = 'association';
    let live: LiveFloatingIp;
    try {
      live = await os.neutron.associateFloatingIp(fip.id, t.port.id);
    } catch (e) {
      throw associationError(e, t, { pool: pool.name });
    }
    const spec: FloatingIpSpec = { ...fipSpecOf(r), address: fip.floating_ip_address, ...associated(t, live) };
    const patch = {
      state: 'active' as const,
      name: fip.floating_ip_address,
      cloud_id: fip.id,
      spec: { ...spec },
      made: [],
      busy_task: undefined,
    };
    await patchRecord(db, 'floating-ip', r.id, patch);
    return floatingIpView({ ...r, ...patch }, live);
  } catch (e) {
    const mapped = await withQuotaLimit(os, e);
    await undo(db, os, r, made, step, mapped);
    throw mapped;
  }
}

async function undo(db: Db, os: OpenStackClient, r: CloudRecord, made: MadeResource[], step: string, error: unknown) {
  const code = error instanceof ApiError ? error.code : 'CLOUD_OPERATION_FAILED';
  const message = `The ${step} failed: ${error instanceof ApiError ? String(error.details?.cloudMessage ?? error.message) : (error as Error).message}`;
  let left: MadeResource[] = [];
  try {
    left = await sweepMade(db, os, 'floating-ip', r.id);
  } catch (e) {
    logger.error('floating IP compensation: record unavailable', { id: r.id, error: e as Error });
    for (const m of made) await removeMade(os, m).catch(() => left.push(m));
  }
  const now = new Date().toISOString();
  const settle =
    left.length === 0
      ? { state: 'deleted' as const, deleted_at: now, deleted_by: r.owner, made: [], fault: { code, message }, busy_task: undefined }
      : {
          state: 'error' as const,
          busy_task: undefined,
          fault: { code, message: `${message} (not yet released: ${left.map((m) => m.id).join(', ')})` },
        };
  await patchRecord(db, 'floating-ip', r.id, settle).catch((e) =>
    logger.error('floating IP compensation: record not settled', { id: r.id, error: e as Error }),
  );
}

function assertActive(r: CloudRecord) {
  if (r.state !== 'active')
    throw new ConflictError('FLOATING_IP_STATE_CONFLICT', `Floating IP ${r.id} is ${r.state}: release it instead`, {
      id: r.id,
      state: r.state,
    });
}

const gone = (r: CloudRecord) => new NotFoundError('FLOATING_IP_NOT_FOUND', `Floating IP ${r.id} not found`, { id: r.id });

/** Points the floating IP at the target (moving it from another instance if need be). */
export async function associateFloatingIp(db: Db, os: OpenStackClient, id: string, t: Target) {
  const hold = await holdRecord(db, 'floating-ip', id);
  if (hold === 'gone') throw gone({ id } as CloudRecord);
  return withRecord(db, hold, async (r) => {
    assertActive(r);
    const live = await liveFloatingIp(os, r);
    if (!live)
      throw new ConflictError(
        'FLOATING_IP_STATE_CONFLICT',
        `Floating IP ${r.id} is not in the cloud (${live === null ? 'released outside the API' : r.state})`,
        { id: r.id },
      );
    let now = live;
    if (live.port_id !== t.port.id) {
      try {
        now = await os.neutron.associateFloatingIp(live.id, t.port.id);
      } catch (e) {
        throw associationError(e, t, { pool: fipSpecOf(r).pool_name });
      }
    }
    const spec = { ...fipSpecOf(r), ...associated(t, now) };
    return { patch: { spec: { ...spec } }, result: { before: r, view: floatingIpView({ ...r, spec: { ...spec } }, now) } };
  });
}

export async function disassociateFloatingIp(db: Db, os: OpenStackClient, id: string) {
  const hold = await holdRecord(db, 'floating-ip', id);
  if (hold === 'gone') throw gone({ id } as CloudRecord);
  return withRecord(db, hold, async (r) => {
    assertActive(r);
    let live = await liveFloatingIp(os, r);
    if (live?.port_id) live = await os.neutron.disassociateFloatingIp(live.id);
    const { instance_id: _i, port_id: _p, fixed_ip: _f, ...spec } = fipSpecOf(r);
    return { patch: { spec: { ...spec } }, result: { before: r, view: floatingIpView({ ...r, spec: { ...spec } }, live) } };
  });
}

/** Releases the address (disassociating it); `gone` when a concurrent release did it first. */
export async function releaseFloatingIp(db: Db, os: OpenStackClient, id: string, by: string) {
  const hold = await holdRecord(db, 'floating-ip', id);
  if (hold === 'gone') return 'gone' as const;
  return withRecord(db, hold, async (r) => {
    const objects: MadeResource[] = [...r.made];
    if (r.cloud_id && !objects.some((m) => m.id === r.cloud_id)) objects.push({ type: 'floatingip', id: r.cloud_id });
    for (const m of objects) await removeMade(os, m);
    const now = new Date().toISOString();
    return { patch: { state: 'deleted' as const, deleted_at: now, deleted_by: by, made: [] }, result: { before: r } };
  });
}
