/** Cinder v3 (`/v3/{project_id}/…`): volumes, actions (extend, reset status), snapshots, types, quotas, limits. */
import { reply, Router, type OsRequest } from './http.js';
import { negotiate, wrappedFault as fault, type Microversion } from './microversion.js';
import type { Snapshot, Volume } from './model.js';
import {
  checkVolumeQuota,
  findSnapshot,
  findVolume,
  newVolume,
  registerCinderJobs,
  snapshotView,
  VOLUME_TYPES,
  volumeView,
} from './cinder-core.js';
import { registerCinderQuotas } from './cinder-quotas.js';
import { isAdmin } from './neutron-api.js';
import type { Sim } from './sim.js';
import { isObject, nextHref, pageAfter, pageParams } from './util.js';

export const CINDER_MAX_MINOR = 70;

export const cinderMicroversion = (req: OsRequest): Microversion =>
  negotiate(req, { service: 'volume', major: 3, min: 0, max: CINDER_MAX_MINOR, fault });

const DELETABLE = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];

const invalid = (field: string, value: unknown, reason: string) =>
  fault(400, `Invalid input for field/attribute ${field}. Value: ${JSON.stringify(value)}. ${reason}`);

export function createCinder(sim: Sim): Router {
  const st = () => sim.state;
  registerCinderJobs(sim);
  const versionDoc = (req: OsRequest) => ({
    id: 'v3.0',
    status: 'CURRENT',
    version: `3.${CINDER_MAX_MINOR}`,
    min_version: '3.0',
    updated: '2023-08-31T00:00:00Z',
    links: [{ rel: 'self', href: `${req.serviceUrl}/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  });

  /** The project in the path must be the token's (Cinder's policy check), admins excepted. */
  const scoped = (req: OsRequest, pid: string): Microversion => {
    const mv = cinderMicroversion(req);
    if (pid !== req.token!.projectId && !isAdmin(sim, req.token!)) throw fault(403, `Policy doesn't allow volume:get_all to be performed.`);
    return mv;
  };

  /**
   * Cinder's list filters (its default resource_filters.json): `metadata` is a dict literal (JSON or Python
   * quoting) whose pairs must all match; other keys compare with the rendered attribute. A key outside the
   * list is refused with 400, except for admins (their unknown keys match nothing).
   */
  const FILTERS: Record<'volumes' | 'snapshots', string[]> = {
    volumes: [
      'name',
      'status',
      'metadata',
      'bootable',
      'migration_status',
      'availability_zone',
      'group_id',
      'size',
      'created_at',
      'updated_at',
    ],
    snapshots: ['name', 'status', 'volume_id', 'metadata', 'availability_zone'],
  };
  const NOT_FILTERS = new Set(['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'offset', 'with_count', 'all_tenants', 'fields']);
  const parseMetadata = (raw: string): Record<string, string> => {
    for (const text of [raw, raw.replace(/'/g, '"')]) {
      try {
        const v: unknown = JSON.parse(text);
        if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
      } catch {
        // next form
      }
    }
    throw fault(400, `Invalid input received: Invalid metadata filter ${raw}.`);
  };
  const filtered = <T extends { id: string; seq: number; metadata: Record<string, string> }>(
    req: OsRequest,
    kind: 'volumes' | 'snapshots',
    items: T[],
    view: (x: T) => Record<string, unknown>,
  ): T[] => {
    const keys = [...new Set(req.query.keys())].filter((k) => !NOT_FILTERS.has(k));
    const invalid = keys.filter((k) => !FILTERS[kind].includes(k));
    if (invalid.length && !isAdmin(sim, req.token!)) throw fault(400, `Invalid filters ${invalid.join(',')} are found in query options.`);
    let list = items;
    for (const key of keys) {
      const want = req.query.get(key)!;
      if (key === 'metadata') {
        const md = parseMetadata(want);
        list = list.filter((x) => Object.entries(md).every(([k, v]) => x.metadata[k] === v));
      } else list = list.filter((x) => String(view(x)[key] ?? '') === want);
    }
    return list;
  };

  const page = <T extends { id: string; seq: number }>(req: OsRequest, items: T[], collection: string) => {
    const p = pageParams(req.query);
    if ('error' in p) throw fault(400, `Invalid input received: ${p.error}`);
    const list = items.sort((a, b) => b.seq - a.seq);
    const slice = pageAfter(list, p);
    if (!slice) throw fault(404, `Marker ${p.marker ?? ''} could not be found.`);
    const href =
      p.limit && slice.length === p.limit ? nextHref(`${req.serviceUrl}${collection}`, req.query, slice.at(-1)!.id, p.limit) : undefined;
    return { slice, links: href ? [{ rel: 'next', href }] : undefined };
  };

  const router = new Router()
    .on('GET', '/', (req) => reply(300, { versions: [versionDoc(req)] }))
    .on('GET', '/v3', (req) => reply(200, { versions: [versionDoc(req)] }));

  const listVolumes =
    (detail: boolean) =>
    (req: OsRequest, { pid }: Record<string, string>) => {
      const mv = scoped(req, pid!);
      const own = filtered(
        req,
        'volumes',
        Object.values(st().volumes).filter((v) => v.projectId === pid),
        (v) => volumeView(sim, req, mv, v, true),
      );
      const { slice, links } = page(req, own, `/v3/${pid}/volumes${detail ? '/detail' : ''}`);
      return reply(200, { volumes: slice.map((v) => volumeView(sim, req, mv, v, detail)), ...(links ? { volumes_links: links } : {}) });
    };
  router
    .on('GET', '/v3/:pid/volumes', listVolumes(false))
    .on('GET', '/v3/:pid/volumes/detail', listVolumes(true))
    .on('GET', '/v3/:pid/volumes/:id', (req, { pid, id }) =>
      reply(200, { volume: volumeView(sim, req, scoped(req, pid!), findVolume(sim, req.token!, id!), true) }),
    )
    .on('POST', '/v3/:pid/volumes', (req, { pid }) => {
      const mv = scoped(req, pid!);
      const body = isObject(req.body) && isObject(req.body.volume) ? req.body.volume : undefined;
      if (!body)
        throw fault(
          400,
          `Invalid input for field/attribute volume. Value: ${JSON.stringify(req.body ?? null)}. 'volume' is a required property`,
        );
      let size: number | undefined;
      if (body.size !== undefined && body.size !== null) {
        size = typeof body.size === 'string' && /^\d+$/.test(body.size) ? Number(body.size) : (body.size as number);
        if (typeof size !== 'number' || !Number.isInteger(size))
          throw invalid('size', body.size, `${JSON.stringify(body.size)} is not of type 'integer', 'string'`);
        if (size < 1) throw invalid('size', body.size, `${size} is less than the minimum of 1`);
      }
      let snapshotId: string | null = null;
      if (typeof body.snapshot_id === 'string') {
        const snap = findSnapshot(sim, req.token!, body.snapshot_id);
        if (snap.status !== 'available')
          throw fault(400, `Invalid snapshot: Originating snapshot status must be one of 'available' values`);
        size ??= snap.size;
        if (size < snap.size)
          throw fault(
            400,
            `Invalid input received: Volume size '${size}'GB cannot be smaller than the snapshot size ${snap.size}GB. They must be >= original snapshot size.`,
          );
        snapshotId = snap.id;
      }
      let imageId: string | null = null;
      const imageRef = body.imageRef ?? body.image_id;
      if (typeof imageRef === 'string') {
        const image = st().images[imageRef];
        if (!image || image.status !== 'active') throw fault(400, 'Invalid image identifier or unable to access requested image.');
        const imageGb = Math.ceil((image.size ?? 0) / 1024 ** 3);
        if (size !== undefined && size < imageGb)
          throw fault(400, `Invalid input received: Size of specified image ${imageGb}GB is larger than volume size ${size}GB.`);
        if (size !== undefined && size < image.min_disk)
          throw fault(
            400,
            `Invalid input received: Volume size ${size}GB cannot be smaller than the image minDisk size ${image.min_disk}GB.`,
          );
        imageId = image.id;
      }
      if (size === undefined)
        throw fault(400, `Invalid input received: Volume size '${String(body.size)}' must be an integer and greater than 0`);
      const volumeType = typeof body.volume_type === 'string' ? body.volume_type : 'lvmdriver-1';
      if (!VOLUME_TYPES.some((t) => t.name === volumeType || t.id === volumeType))
        throw fault(404, `Volume type with name ${volumeType} could not be found.`);
      checkVolumeQuota(sim, pid!, { volumes: 1, gigabytes: size });
      const v = newVolume(sim, req.token!, {
        size,
        name: typeof body.name === 'string' ? body.name : null,
        description: typeof body.description === 'string' ? body.description : null,
        imageId,
        snapshotId,
        volumeType: VOLUME_TYPES.find((t) => t.id === volumeType)?.name ?? volumeType,
        metadata: isObject(body.metadata) ? (body.metadata as Record<string, string>) : {},
      });
      return reply(202, { volume: volumeView(sim, req, mv, v, true, false) });
    })
    .on('PUT', '/v3/:pid/volumes/:id', (req, { pid, id }) => {
      const mv = scoped(req, pid!);
      const v = findVolume(sim, req.token!, id!);
      const body = isObject(req.body) && isObject(req.body.volume) ? req.body.volume : {};
      if (typeof body.name === 'string') v.name = body.name;
      if (typeof body.description === 'string') v.description = body.description;
      if (isObject(body.metadata)) v.metadata = body.metadata as Record<string, string>;
      v.updated = sim.iso();
      return reply(200, { volume: volumeView(sim, req, mv, v, true, false) });
    })
    .on('DELETE', '/v3/:pid/volumes/:id', (req, { pid, id }) => {
      scoped(req, pid!);
      const v = findVolume(sim, req.token!, id!);
      const snaps = Object.values(st().snapshots).filter((s) => s.volumeId === v.id);
      const cascade = req.query.get('cascade')?.toLowerCase() === 'true';
      if (!DELETABLE.includes(v.status) || v.attachments.length || (snaps.length && !cascade))
        throw fault(
          400,
          'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
        );
      for (const s of snaps) (Object.assign(s, { status: 'deleting' }), sim.later('cinder.snapshot.delete', s.id, 0.5));
      sim.cancel(v.id);
      Object.assign(v, { status: 'deleting', updated: sim.iso() });
      sim.later('cinder.volume.delete', v.id);
      return reply(202);
    })
    .on('POST', '/v3/:pid/volumes/:id/action', (req, { pid, id }) => {
      const mv = scoped(req, pid!);
      const v = findVolume(sim, req.token!, id!);
      if (!isObject(req.body) || Object.keys(req.body).length !== 1) throw fault(400, 'Malformed request body');
      const [name, arg] = Object.entries(req.body)[0]!;
      if (name === 'os-extend') return extend(mv, v, arg);
      if (name === 'os-reset_status') {
        if (!isAdmin(sim, req.token!))
          throw fault(403, `Policy doesn't allow volume_extension:volume_admin_actions:reset_status to be performed.`);
        if (!isObject(arg) || typeof arg.status !== 'string') throw fault(400, 'Must specify a valid status');
        Object.assign(v, { status: arg.status, updated: sim.iso() });
        sim.cancel(v.id);
        return reply(202);
      }
      throw fault(400, `There is no such action: ${name}`);
    });

  const extend = (mv: Microversion, v: Volume, arg: unknown) => {
    const newSize = isObject(arg) ? Number(arg.new_size) : NaN;
    if (!Number.isInteger(newSize) || newSize < 1)
      throw invalid('new_size', isObject(arg) ? arg.new_size : arg, `is not of type 'integer'`);
    const allowed = mv.minor >= 42 ? ['in-use', 'available'] : ['available'];
    if (!allowed.includes(v.status)) {
      // Cinder formats its conditional-update filter into the message as it is.
      const expected = allowed.length > 1 ? `('${allowed.join("', '")}')` : `'${allowed[0]}'`;
      throw fault(400, `Invalid volume: Volume ${v.id} status must be '{'status': ${expected}}' to extend, currently ${v.status}.`);
    }
    if (newSize <= v.size)
      throw fault(
        400,
        `Invalid input received: New size for extend must be greater than current size. (current: ${v.size}, extended: ${newSize}).`,
      );
    checkVolumeQuota(sim, v.projectId, { gigabytes: newSize - v.size });
    const back = v.status;
    Object.assign(v, { status: 'extending', extendTo: newSize, updated: sim.iso() });
    sim.later('cinder.volume.extended', v.id, 1, back);
    return reply(202);
  };

  const listSnapshots =
    (detail: boolean) =>
    (req: OsRequest, { pid }: Record<string, string>) => {
      const mv = scoped(req, pid!);
      const own = filtered(
        req,
        'snapshots',
        Object.values(st().snapshots).filter((s) => s.projectId === pid),
        (s) => snapshotView(mv, s, true),
      );
      const { slice, links } = page(req, own, `/v3/${pid}/snapshots${detail ? '/detail' : ''}`);
      return reply(200, { snapshots: slice.map((s) => snapshotView(mv, s, detail)), ...(links ? { snapshots_links: links } : {}) });
    };
  router
    .on('GET', '/v3/:pid/snapshots', listSnapshots(false))
    .on('GET', '/v3/:pid/snapshots/detail', listSnapshots(true))
    .on('GET', '/v3/:pid/snapshots/:id', (req, { pid, id }) =>
      reply(200, { snapshot: snapshotView(scoped(req, pid!), findSnapshot(sim, req.token!, id!), true) }),
    )
    .on('POST', '/v3/:pid/snapshots', (req, { pid }) => {
      const mv = scoped(req, pid!);
      const body = isObject(req.body) && isObject(req.body.snapshot) ? req.body.snapshot : undefined;
      if (!body || typeof body.volume_id !== 'string')
        throw fault(
          400,
          `Invalid input for field/attribute snapshot. Value: ${JSON.stringify(req.body ?? null)}. 'volume_id' is a required property`,
        );
      const v = findVolume(sim, req.token!, body.volume_id);
      const force = body.force === true || String(body.force).toLowerCase() === 'true';
      const ok = v.status === 'available' || (v.status === 'in-use' && (force || mv.minor >= 66));
      if (!ok) throw fault(400, `Invalid volume: Volume ${v.id} status must be available, but current status is: ${v.status}.`);
      checkVolumeQuota(sim, pid!, { snapshots: 1, gigabytes: v.size });
      const now = sim.iso().replace('Z', '.000000');
      const s: Snapshot = {
        id: sim.ids.uuid(),
        seq: sim.nextSeq(),
        projectId: pid!,
        userId: req.token!.userId,
        volumeId: v.id,
        name: typeof body.name === 'string' ? body.name : null,
        description: typeof body.description === 'string' ? body.description : null,
        size: v.size,
        status: 'creating',
        progress: '0%',
        metadata: isObject(body.metadata) ? (body.metadata as Record<string, string>) : {},
        created: now,
        updated: null,
      };
      st().snapshots[s.id] = s;
      sim.later('cinder.snapshot.progress', s.id, 0.5);
      sim.later('cinder.snapshot.ready', s.id, 1, sim.drawBuildError('snapshot') ? 'error' : undefined);
      return reply(202, { snapshot: snapshotView(mv, s, true, false) });
    })
    .on('DELETE', '/v3/:pid/snapshots/:id', (req, { pid, id }) => {
      scoped(req, pid!);
      const s = findSnapshot(sim, req.token!, id!);
      if (s.status !== 'available' && s.status !== 'error')
        throw fault(400, 'Invalid snapshot: Volume Snapshot status must be available or error and must not be part of a group.');
      sim.cancel(s.id);
      Object.assign(s, { status: 'deleting', updated: sim.iso() });
      sim.later('cinder.snapshot.delete', s.id);
      return reply(202);
    });

  registerCinderQuotas(sim, router, scoped);
  return router;
}
