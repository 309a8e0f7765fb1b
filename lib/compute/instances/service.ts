/**
 * Instances (OpenStack Nova servers): the synchronous half of every endpoint. Requests are resolved and
 * checked here (flavor, image, network and key pair exist; quotas allow it; the state allows the action),
 * so that a bad request is a 4xx at once; the long work runs in the state machines (steps.ts).
 */
import { ConflictError, UnprocessableError, ValidationError, is404 } from '../../core/errors.js';
import type { OpenStackClient, Server } from '../../providers/openstack/index.js';
import type { Db } from '../../store/dynamo.js';
import { assertWithinQuota, quotas, resolveFlavor, resolveImage, resolveNetwork, unknownField } from '../catalog.js';
import { findRecord, type CloudRecord } from '../records.js';
import { composeUserData, digest } from '../user-data.js';
import type { CreateInstanceBody, InstanceActionBody, InstanceView, UpdateInstanceBody } from './schemas.js';
import { byCloudId, liveObject, recordFields } from '../views.js';

type ServerWithVolumes = Server & { 'os-extended-volumes:volumes_attached'?: { id: string }[] };

export function instanceView(r: CloudRecord, server: ServerWithVolumes | null | undefined): InstanceView {
  const spec = r.spec as Record<string, any>;
  let status: string;
  if (r.state === 'error') status = 'ERROR';
  else if (r.state === 'deleted') status = 'DELETED';
  else if (server === null) status = r.cloud_id ? 'DELETED' : 'BUILD';
  else status = server?.status ?? (r.cloud_id ? 'UNKNOWN' : 'BUILD');
  const addresses = Object.entries(server?.addresses ?? {}).flatMap(([network, list]) =>
    list.map((a) => ({
      network,
      addr: a.addr,
      version: a.version,
      type: a['OS-EXT-IPS:type'] ?? 'fixed',
      ...(a['OS-EXT-IPS-MAC:mac_addr'] && { mac: a['OS-EXT-IPS-MAC:mac_addr'] }),
    })),
  );
  const flavor = server?.flavor;
  const userMeta = Object.fromEntries(Object.entries(server?.metadata ?? spec.metadata ?? {}).filter(([k]) => !k.startsWith('apibibind_')));
  return {
    id: r.id,
    name: server?.name ?? r.name,
    status,
    ...(server && { task_state: server['OS-EXT-STS:task_state'] ?? null }),
    openstack_id: r.cloud_id ?? null,
    flavor: {
      id: spec.flavor_id ?? flavor?.id ?? null,
      name: flavor?.original_name ?? spec.flavor_name ?? null,
      ...(flavor?.vcpus !== undefined && { vcpus: flavor.vcpus }),
      ...(flavor?.ram !== undefined && { ram_mb: flavor.ram }),
      ...(flavor?.disk !== undefined && { disk_gb: flavor.disk }),
    },
    image: { id: spec.image_id ?? null, name: spec.image_name ?? null },
    network: { id: spec.network_id ?? null, name: spec.network_name ?? null },
    addresses,
    floating_ips: addresses.filter((a) => a.type === 'floating').map((a) => a.addr),
    volumes: (server?.['os-extended-volumes:volumes_attached'] ?? []).map((v) => ({ id: v.id })),
    ...(spec.volume_size !== undefined && { volume_size: spec.volume_size }),
    key_name: server?.key_name ?? spec.key_name ?? null,
    metadata: userMeta as Record<string, string>,
    ...recordFields(r),
  };
}

/** The server behind a record: null when the cloud answers 404, undefined when there is none yet. */
export const serverOf = (os: OpenStackClient, r: CloudRecord): Promise<ServerWithVolumes | null | undefined> =>
  liveObject(r, (id) => os.nova.getServer(id));

/** Every server of the project by id (one paged list): the live half of `GET /instances`. */
export const serversById = (os: OpenStackClient): Promise<Map<string, ServerWithVolumes>> => byCloudId(os.nova.listServers());

const MAX_USER_DATA_B64 = 65_535;

/** Everything a create needs, resolved: 400 naming the field for an unknown flavor/image/network/key pair, 422 over quota. */
export async function prepareCreate(os: OpenStackClient, db: Db, body: CreateInstanceBody) {
  const userData = composeUserData(body.user_data, body.ssh_authorized_keys);
  if (userData !== undefined && Buffer.byteLength(Buffer.from(userData).toString('base64')) > MAX_USER_DATA_B64) {
    throw new ValidationError([
      { field: 'body.user_data', code: 'too_big', message: 'user_data is larger than 65535 bytes once base64-encoded' },
    ]);
  }
  // Our own network record (by id) or an OpenStack network.
  const ours = body.network ? await findRecord(db, 'network', body.network) : undefined;
  if (ours && (ours.state === 'deleted' || !ours.cloud_id)) {
    throw unknownField(
      'body.network',
      'network_not_ready',
      `Network ${ours.id} is ${ours.state === 'deleted' ? 'deleted' : 'not created yet'}`,
    );
  }
  const networkRef = ours ? ours.cloud_id : body.network;
  const [flavor, image, network, keyOk, q] = await Promise.all([
    resolveFlavor(os, body.flavor),
    resolveImage(os, body.image),
    resolveNetwork(os, networkRef),
    body.key_name ? is404(() => os.nova.getKeypair(body.key_name!)).then((missing) => !missing) : Promise.resolve(true),
    quotas(os, body.volume_size === undefined ? ['compute'] : ['compute', 'volume']),
  ]);
  if (!keyOk) throw unknownField('body.key_name', 'unknown_key_pair', `No key pair named "${body.key_name}"`);
  if (body.volume_size !== undefined && body.volume_size < Math.max(image.min_disk ?? 0, 1)) {
    throw new ValidationError([
      { field: 'body.volume_size', code: 'too_small', message: `The image needs a volume of at least ${image.min_disk} GiB` },
    ]);
  }
  if (flavor.ram < (image.min_ram ?? 0)) {
    throw new UnprocessableError(
      'FLAVOR_TOO_SMALL',
      `Image ${image.name} needs ${image.min_ram} MiB of RAM; ${flavor.name} has ${flavor.ram}`,
      {
        field: 'body.flavor',
      },
    );
  }
  assertWithinQuota('compute', q.compute, { instances: 1, cores: flavor.vcpus, ram: flavor.ram });
  if (body.volume_size !== undefined) assertWithinQuota('volume', q.volume, { volumes: 1, gigabytes: body.volume_size });
  const spec = {
    flavor_id: flavor.id,
    flavor_name: flavor.name,
    image_id: image.id,
    image_name: image.name,
    network_id: network.id,
    network_name: network.name,
    ...(body.volume_size !== undefined && { volume_size: body.volume_size }),
    ...(body.key_name && { key_name: body.key_name }),
    ...(body.metadata && { metadata: body.metadata }),
  };
  const request = {
    ...body,
    user_data: userData === undefined ? undefined : { digest: digest(userData), bytes: Buffer.byteLength(userData) },
  };
  return { spec, request, userData, networkRecord: ours };
}

/** Resize and/or extend: what changes (nothing → a plain rename or a no-op). */
export async function prepareUpdate(os: OpenStackClient, r: CloudRecord, server: Server, body: UpdateInstanceBody) {
  const spec = r.spec as Record<string, any>;
  let flavor: { id: string; name: string } | undefined;
  if (body.flavor !== undefined) {
    const f = await resolveFlavor(os, body.flavor);
    const current = server.flavor.original_name ?? spec.flavor_name;
    if (f.id !== spec.flavor_id && f.name !== current) flavor = { id: f.id, name: f.name };
  }
  let volumeSize: number | undefined;
  if (body.volume_size !== undefined) {
    if (!spec.volume_id) {
      throw new UnprocessableError('INSTANCE_HAS_NO_VOLUME', 'This instance boots from its image: it has no volume to extend', {
        field: 'body.volume_size',
      });
    }
    const v = await os.cinder.getVolume(spec.volume_id);
    if (body.volume_size < v.size) {
      throw new UnprocessableError('VOLUME_SHRINK_UNSUPPORTED', `A volume can only grow: it has ${v.size} GiB`, {
        field: 'body.volume_size',
        current: v.size,
      });
    }
    if (body.volume_size > v.size) volumeSize = body.volume_size;
  }
  if ((flavor || volumeSize) && !['ACTIVE', 'SHUTOFF'].includes(server.status)) {
    throw new ConflictError('INSTANCE_STATE_CONFLICT', `The instance is ${server.status}: resize needs ACTIVE or SHUTOFF`, {
      status: server.status,
    });
  }
  if (flavor) {
    const q = await quotas(os);
    const f = await os.nova.getFlavor(flavor.id);
    const cur = server.flavor;
    assertWithinQuota('compute', q.compute, { cores: f.vcpus - (cur.vcpus ?? 0), ram: f.ram - (cur.ram ?? 0) });
  }
  return { flavor, volumeSize };
}

/** The status an action needs and the one it reaches. */
export const ACTION_RULES: Record<InstanceActionBody['action'], { from: string[]; to: string }> = {
  start: { from: ['SHUTOFF'], to: 'ACTIVE' },
  stop: { from: ['ACTIVE', 'ERROR'], to: 'SHUTOFF' },
  reboot: { from: ['ACTIVE', 'SHUTOFF', 'REBOOT', 'HARD_REBOOT'], to: 'ACTIVE' },
};

export function assertActionAllowed(server: Server, action: InstanceActionBody['action']): void {
  const rule = ACTION_RULES[action];
  if (!rule.from.includes(server.status)) {
    throw new ConflictError('INSTANCE_STATE_CONFLICT', `Cannot ${action} an instance that is ${server.status}`, {
      status: server.status,
      allowed_from: rule.from,
    });
  }
}
