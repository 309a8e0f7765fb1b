/**
 * Creating a network: Neutron network → subnet → (router to the external network → interface).
 *
 * No state machine: each of these calls is answered at once with the object made (Neutron has no BUILD
 * phase to wait out, unlike a server, a volume or a load balancer), so the whole create takes a few
 * hundred milliseconds and answers 201. Compensation runs in process instead: every object is recorded on
 * the record (`made`) as soon as it exists, and any failure deletes what was made, newest first, before the
 * error is answered. Whatever the cloud would not delete yet stays in `made` on an `error` record, which the
 * reconciliation job sweeps again (and a DELETE finishes).
 */
import { ApiError, ValidationError } from '../../core/errors.js';
import { logger } from '../../core/logger.js';
import type { Network, OpenStackClient, Router, Subnet } from '../../providers/openstack/index.js';
import type { Db } from '../../store/dynamo.js';
import { resolveExternalNetwork } from '../catalog.js';
import { removeMade, sweepMade } from '../compensation.js';
import { addMade, patchRecord, type CloudRecord, type MadeResource } from '../records.js';
import { firstHost, normalizeIp, parseCidr } from './addresses.js';
import { assertNetworkQuota, withQuotaLimit } from './quota.js';
import type { CreateNetworkBody } from './schemas.js';
import { networkView, type NetworkSpec } from './view.js';

/** The request, normalised, with the external network resolved and the quotas checked: what the record keeps. */
export async function prepareNetwork(os: OpenStackClient, body: CreateNetworkBody): Promise<NetworkSpec> {
  const parsed = parseCidr(body.cidr);
  // The body schema already refused a bad cidr; this narrows the type.
  if ('error' in parsed) throw new ValidationError([{ field: 'body.cidr', code: 'invalid_cidr', message: parsed.error }]);
  const cidr = parsed.cidr;
  const gateway = body.gateway_ip === null ? null : body.gateway_ip !== undefined ? normalizeIp(body.gateway_ip)! : firstHost(cidr);
  const external = body.external_router ? await resolveExternalNetwork(os, undefined, 'body.external_router') : undefined;
  await assertNetworkQuota(os, {
    network: 1,
    subnet: 1,
    router: external ? 1 : 0,
    // The router's interface, and the DHCP port Neutron's agent adds to the network.
    port: (external ? 1 : 0) + (body.enable_dhcp ? 1 : 0),
  });
  return {
    cidr: cidr.text,
    ip_version: cidr.version,
    gateway_ip: gateway,
    dns_nameservers: (body.dns_nameservers ?? []).map((d) => normalizeIp(d)!),
    enable_dhcp: body.enable_dhcp,
    external_router: body.external_router,
    ...(body.description !== undefined && { description: body.description }),
    ...(external && { external_network_id: external.id, external_network_name: external.name }),
  };
}

/** Neutron's 400s on a subnet or a router interface, named at the field of ours they are about. */
function namedField(e: unknown): unknown {
  if (!(e instanceof ApiError) || e.status !== 400 || e.code !== 'CLOUD_BAD_REQUEST') return e;
  const message = String(e.details?.cloudMessage ?? e.message);
  const field = /gateway/i.test(message)
    ? 'body.gateway_ip'
    : /cidr|overlap/i.test(message)
      ? 'body.cidr'
      : /nameserver|dns/i.test(message)
        ? 'body.dns_nameservers'
        : undefined;
  if (!field) return e;
  return new ValidationError([{ field, code: 'refused_by_cloud', message }], `The cloud refused the network: ${message}`);
}

const suffixed = (name: string, suffix: string) => `${name.slice(0, 255 - suffix.length)}${suffix}`;

/**
 * Makes the network of a `creating` record (held by its creator, see record-lock.ts, so that a concurrent
 * delete waits for the create); on success the record is active and the view is returned. On
 * failure what was made is deleted, the record becomes a tombstone (or `error` if something could not be
 * deleted yet) and the cloud's error is thrown, mapped to ours.
 */
export async function createNetwork(db: Db, os: OpenStackClient, r: CloudRecord) {
  const spec = r.spec as unknown as NetworkSpec;
  const made: MadeResource[] = [];
  const record = async (m: MadeResource) => {
    made.push(m);
    await addMade(db, 'network', r.id, m);
  };
  let step = 'network';
  try {
    const network: Network = await os.neutron.networks.create({
      name: r.name,
      admin_state_up: true,
      ...(spec.description !== undefined && { description: spec.description }),
    });
    await record({ type: 'network', id: network.id });
    step = 'subnet';
    const subnet: Subnet = await os.neutron.subnets.create({
      network_id: network.id,
      name: suffixed(r.name, '-subnet'),
      cidr: spec.cidr,
      ip_version: spec.ip_version,
      gateway_ip: spec.gateway_ip,
      enable_dhcp: spec.enable_dhcp,
      ...(spec.dns_nameservers.length > 0 && { dns_nameservers: spec.dns_nameservers }),
    });
    await record({ type: 'subnet', id: subnet.id });
    let router: Router | undefined;
    if (spec.external_network_id) {
      step = 'router';
      router = await os.neutron.routers.create({
        name: suffixed(r.name, '-router'),
        admin_state_up: true,
        external_gateway_info: { network_id: spec.external_network_id },
      });
      await record({ type: 'router', id: router.id });
      step = 'router interface';
      await os.neutron.addRouterInterface(router.id, { subnet_id: subnet.id });
      await record({ type: 'router-interface', id: subnet.id, parent: router.id });
    }
    const done: NetworkSpec = { ...spec, gateway_ip: subnet.gateway_ip, subnet_id: subnet.id, ...(router && { router_id: router.id }) };
    const patch = { state: 'active' as const, cloud_id: network.id, spec: { ...done }, made: [], busy_task: undefined };
    await patchRecord(db, 'network', r.id, patch);
    return networkView({ ...r, ...patch }, { network, subnet, ...(router && { router }), ports: [] });
  } catch (e) {
    const mapped = namedField(await withQuotaLimit(os, e));
    await undo(db, os, r, made, { step, error: mapped });
    throw mapped;
  }
}

/** Deletes what a failed create made; the record becomes a tombstone, or `error` with what is left. */
async function undo(db: Db, os: OpenStackClient, r: CloudRecord, made: MadeResource[], why: { step: string; error: unknown }) {
  const message = `Creating the ${why.step} failed: ${why.error instanceof ApiError ? String(why.error.details?.cloudMessage ?? why.error.message) : (why.error as Error).message}`;
  const code = why.error instanceof ApiError ? why.error.code : 'CLOUD_OPERATION_FAILED';
  let left: MadeResource[];
  try {
    for (const m of made) await addMade(db, 'network', r.id, m);
    left = await sweepMade(db, os, 'network', r.id);
  } catch (e) {
    // The table is unreachable: delete from what this process knows, so nothing is left in the cloud.
    logger.error('network compensation: record unavailable', { id: r.id, error: e as Error });
    left = [];
    for (const m of [...made].reverse()) {
      try {
        if ((await removeMade(os, m)) === 'pending') left.push(m);
      } catch {
        left.push(m);
      }
    }
  }
  const now = new Date().toISOString();
  const settle =
    left.length === 0
      ? { state: 'deleted' as const, deleted_at: now, deleted_by: r.owner, made: [], fault: { code, message }, busy_task: undefined }
      : {
          state: 'error' as const,
          busy_task: undefined,
          fault: { code, message: `${message} (not yet removed from the cloud: ${left.map((m) => `${m.type} ${m.id}`).join(', ')})` },
        };
  await patchRecord(db, 'network', r.id, settle).catch((e) =>
    logger.error('network compensation: record not settled', { id: r.id, error: e as Error }),
  );
}
