/**
 * The steps of the instance state machines:
 * - instance-create: `instance.create` → Wait/`instance.check-build` → `instance.finish-create`
 * - instance-resize: `instance.resize` → Wait/`instance.check-resize` (confirms VERIFY_RESIZE) →
 *   `instance.extend-volume` → Wait/`instance.check-volume` → `instance.finish-resize`
 * - cloud-action (start/stop/reboot) and cloud-delete through the hooks.
 */
import { is404, unless404 } from '../../core/errors.js';
import { reportProgress } from '../../tasks/workflows.js';
import type { OpenStackClient, Server } from '../../providers/openstack/index.js';
import { type KindHooks } from '../kinds.js';
import { getRecord, patchRecord, type CloudRecord } from '../records.js';
import { dropUserData, readUserData } from '../user-data.js';
import {
  madeMainObject,
  cloudFault,
  CloudStepError,
  finishCloudTask,
  nextRound,
  progress,
  readyState,
  type CloudState,
  type Step,
  type StepEnv,
} from '../workflow.js';
import { ACTION_RULES, instanceView, serverOf } from './service.js';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function server(os: OpenStackClient, r: CloudRecord): Promise<Server> {
  const found = await unless404(() => os.nova.getServer(r.cloud_id!));
  if (!found) throw cloudFault('The server', 'it disappeared from the cloud');
  return found;
}

/** A server a previous attempt of this step made (the answer was lost): found by name and our id in its metadata. */
async function adoptable(os: OpenStackClient, r: CloudRecord): Promise<Server | undefined> {
  for await (const s of os.nova.listServers({ name: `^${escapeRegex(r.name)}$` })) if (s.metadata?.apibibind_id === r.id) return s;
  return undefined;
}

const flavorMatches = (srv: Server, want: { id: string; name: string }) =>
  srv.flavor.id === want.id || srv.flavor.original_name === want.name;

export const instanceSteps: Record<string, Step> = {
  async 'instance.create'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'instance', s.id);
    if (r.cloud_id) return { ...s, ready: false };
    const spec = r.spec as Record<string, any>;
    // Only a retried step can have made a server already (its answer lost): the first attempt marks the record
    // before asking Nova, and only a marked record pays for the search by name.
    let id = spec.create_requested_at ? (await adoptable(os, r))?.id : undefined;
    if (!spec.create_requested_at) {
      await patchRecord(db, 'instance', r.id, { spec: { ...spec, create_requested_at: new Date().toISOString() } }, { version: r.version });
    }
    if (!id) {
      const userData = await readUserData(db, r.id);
      const created = await os.nova.createServer({
        name: r.name,
        flavorRef: spec.flavor_id,
        ...(spec.volume_size === undefined && { imageRef: spec.image_id }),
        networks: [{ uuid: spec.network_id }],
        ...(spec.key_name && { key_name: spec.key_name }),
        ...(userData !== undefined && { user_data: Buffer.from(userData).toString('base64') }),
        metadata: { ...(spec.metadata ?? {}), apibibind_id: r.id },
        ...(spec.volume_size !== undefined && {
          block_device_mapping_v2: [
            {
              boot_index: 0,
              uuid: spec.image_id,
              source_type: 'image',
              destination_type: 'volume',
              volume_size: spec.volume_size,
              delete_on_termination: true,
            },
          ],
        }),
      });
      id = created.id;
    }
    return madeMainObject(db, s, { type: 'server', id }, { progress: 15, step: 'build', message: `Server ${id} requested` });
  },

  async 'instance.check-build'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'instance', s.id);
    const srv = await server(os, r);
    if (srv.status === 'ERROR') throw cloudFault(`Server ${srv.id}`, srv.fault?.message);
    if (srv.status === 'ACTIVE') return readyState(s);
    await progress(db, s, 'build', 15, 90);
    return nextRound(s, `server ${srv.id} to become ACTIVE`);
  },

  async 'instance.finish-create'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'instance', s.id);
    const srv = (await serverOf(os, r)) ?? undefined;
    const attached = (srv as { 'os-extended-volumes:volumes_attached'?: { id: string }[] } | undefined)?.[
      'os-extended-volumes:volumes_attached'
    ];
    const volumeId = (r.spec as Record<string, unknown>).volume_size !== undefined ? attached?.[0]?.id : undefined;
    const spec = { ...r.spec, ...(volumeId && { volume_id: volumeId }) };
    await dropUserData(db, r.id);
    await finishCloudTask(db, s, { state: 'active', made: [], spec }, { instance: instanceView({ ...r, spec, state: 'active' }, srv) });
    return s;
  },

  async 'instance.resize'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'instance', s.id);
    const want = s.input.flavor as { id: string; name: string } | undefined;
    if (!want) return readyState(s);
    const srv = await server(os, r);
    if (flavorMatches(srv, want) || srv.status === 'RESIZE' || srv.status === 'VERIFY_RESIZE') return { ...s, ready: false };
    await os.nova.resize(r.cloud_id!, want.id);
    await reportProgress(db, s.taskId, { progress: 10, step: 'resize', message: `Resizing to ${want.name}` });
    return { ...s, ready: false, poll: { ...s.poll, round: 0 } };
  },

  async 'instance.check-resize'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'instance', s.id);
    const want = s.input.flavor as { id: string; name: string } | undefined;
    if (!want) return readyState(s);
    const srv = await server(os, r);
    if (srv.status === 'ERROR') throw cloudFault(`Server ${srv.id}`, srv.fault?.message);
    if (srv.status === 'VERIFY_RESIZE') {
      await os.nova.confirmResize(srv.id);
      await reportProgress(db, s.taskId, { progress: 50, step: 'resize', message: 'Resize confirmed' });
    } else if (['ACTIVE', 'SHUTOFF'].includes(srv.status) && flavorMatches(srv, want) && !srv['OS-EXT-STS:task_state']) {
      return readyState(s);
    }
    await progress(db, s, 'resize', 10, 60);
    return nextRound(s, `server ${srv.id} to be resized`);
  },

  async 'instance.extend-volume'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'instance', s.id);
    const size = s.input.volume_size as number | undefined;
    const volumeId = (r.spec as Record<string, any>).volume_id as string | undefined;
    if (!size || !volumeId) return readyState(s);
    const v = await os.cinder.getVolume(volumeId);
    if (v.size < size && v.status !== 'extending') {
      await os.cinder.extendVolume(volumeId, size);
      await reportProgress(db, s.taskId, { progress: 65, step: 'extend', message: `Extending volume ${volumeId} to ${size} GiB` });
    }
    return { ...s, ready: false, poll: { ...s.poll, round: 0 } };
  },

  async 'instance.check-volume'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'instance', s.id);
    const size = s.input.volume_size as number | undefined;
    const volumeId = (r.spec as Record<string, any>).volume_id as string | undefined;
    if (!size || !volumeId) return readyState(s);
    const v = await os.cinder.getVolume(volumeId);
    if (v.status === 'error_extending' || v.status === 'error') throw cloudFault(`Volume ${volumeId}`, `status ${v.status}`);
    if (v.size >= size && v.status !== 'extending') return readyState(s);
    await progress(db, s, 'extend', 65, 95);
    return nextRound(s, `volume ${volumeId} to reach ${size} GiB`);
  },

  async 'instance.finish-resize'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'instance', s.id);
    const want = s.input.flavor as { id: string; name: string } | undefined;
    const size = s.input.volume_size as number | undefined;
    const spec = { ...r.spec, ...(want && { flavor_id: want.id, flavor_name: want.name }), ...(size && { volume_size: size }) };
    const srv = (await serverOf(os, r)) ?? undefined;
    await finishCloudTask(db, s, { state: 'active', spec }, { instance: instanceView({ ...r, spec, state: 'active' }, srv) });
    return s;
  },
};

export const instanceHooks: KindHooks = {
  async destroy(r, os) {
    await is404(() => os.nova.deleteServer(r.cloud_id!));
  },
  async gone(r, os) {
    const srv = await unless404(() => os.nova.getServer(r.cloud_id!));
    if (!srv || srv.status === 'DELETED' || srv.status === 'SOFT_DELETED') return true;
    if (srv.status === 'ERROR' && !srv['OS-EXT-STS:task_state'])
      throw cloudFault(`Server ${srv.id}`, srv.fault?.message ?? 'deletion failed');
    return false;
  },
  async act(s, r, os) {
    const action = s.op as keyof typeof ACTION_RULES;
    const srv = await server(os, r);
    if (action !== 'reboot' && srv.status === ACTION_RULES[action].to) return;
    if (action === 'start') await os.nova.start(srv.id);
    else if (action === 'stop') await os.nova.stop(srv.id);
    else if (action === 'reboot') await os.nova.reboot(srv.id, (s.input.type as 'SOFT' | 'HARD' | undefined) ?? 'SOFT');
    else throw new CloudStepError('CloudRequestError', 'UNKNOWN_ACTION', `Unknown instance action ${action}`);
  },
  async actDone(s, r, os) {
    const srv = await server(os, r);
    if (srv.status === 'ERROR') throw cloudFault(`Server ${srv.id}`, srv.fault?.message);
    return srv.status === ACTION_RULES[s.op as keyof typeof ACTION_RULES].to && !srv['OS-EXT-STS:task_state'];
  },
  async actFinish(s, r, os) {
    return { patch: {}, result: { instance: instanceView(r, (await serverOf(os, r)) ?? undefined) } };
  },
  beforeCompensate: {
    /** A failed resize is reverted (the instance keeps its old flavor); nothing is deleted. */
    async resize(s, { db, os }) {
      const r = await getRecord(db, 'instance', s.id);
      if (!r.cloud_id) return;
      const srv = await os.nova.getServer(r.cloud_id);
      if (srv.status === 'VERIFY_RESIZE') await os.nova.revertResize(srv.id);
    },
    async create(s, { db }) {
      await dropUserData(db, s.id);
    },
  },
};
