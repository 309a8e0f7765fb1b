/**
 * The steps of the volume state machines:
 * - volume-create: `volume.create` → Wait/`volume.check-available` → `volume.attach` (when an instance was
 *   given) → Wait/`volume.check-attached` → `volume.finish-create`; compensation detaches and deletes.
 * - cloud-action (extend, attach, detach) and cloud-delete through the hooks.
 */
import { writeAudit } from '../../audit/audit.js';
import { is404, unless404 } from '../../core/errors.js';
import type { OpenStackClient, Volume } from '../../providers/openstack/index.js';
import { reportProgress } from '../../tasks/workflows.js';
import { type KindHooks } from '../kinds.js';
import { addMade, getRecord, listRecords, patchRecord, type CloudRecord } from '../records.js';
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
import { cinderMessage, DELETABLE, specOf, volumeOf, volumeView, type VolumeSpec } from './service.js';

async function cloudVolume(os: OpenStackClient, r: CloudRecord): Promise<Volume> {
  const found = await unless404(() => os.cinder.getVolume(r.cloud_id!));
  if (!found) throw cloudFault(`Volume ${r.cloud_id}`, 'it disappeared from the cloud');
  return found;
}

/** The volume went ERROR: the task ends with Cinder's user message about it, if any. */
async function volumeFault(os: OpenStackClient, v: Volume) {
  return cloudFault(`Volume ${v.id}`, (await cinderMessage(os, v.id)) ?? `Cinder reports ${v.status}`);
}

const attachedTo = (v: Volume, serverId: string) => v.attachments.some((a) => a.server_id === serverId);

/** A volume a previous attempt of this step made (its answer was lost): found by our id in its metadata. */
async function adoptable(os: OpenStackClient, r: CloudRecord): Promise<Volume | undefined> {
  for await (const v of os.cinder.listVolumes({ metadata: JSON.stringify({ apibibind_id: r.id }) }))
    if (v.metadata?.apibibind_id === r.id) return v;
  return undefined;
}

/** Asks Nova to attach unless it is done or under way (a step may run twice). */
async function requestAttach(os: OpenStackClient, v: Volume, serverId: string) {
  if (attachedTo(v, serverId) || v.status !== 'available') return;
  await os.nova.attachVolume(serverId, v.id);
}

/**
 * Nova reserves the volume before answering an attach, so a volume `available` again without the attachment
 * means Nova gave up (it rolls the reservation back); likewise `in-use` after a detach.
 */
async function attachDone(os: OpenStackClient, v: Volume, serverId: string): Promise<boolean> {
  if (v.status === 'error') throw await volumeFault(os, v);
  if (attachedTo(v, serverId)) return v.status === 'in-use';
  if (v.status === 'available' || v.status === 'in-use')
    throw new CloudStepError('CloudFaultError', 'ATTACH_FAILED', `Nova could not attach volume ${v.id} to server ${serverId}`);
  return false;
}

export const volumeSteps: Record<string, Step> = {
  async 'volume.create'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'volume', s.id);
    if (r.cloud_id) return { ...s, ready: false };
    const spec = specOf(r);
    let id = (await adoptable(os, r))?.id;
    if (!id) {
      const created = await os.cinder.createVolume({
        name: r.name,
        size: spec.size,
        ...(spec.volume_type && { volume_type: spec.volume_type }),
        ...(spec.description !== undefined && { description: spec.description }),
        metadata: { ...(spec.metadata ?? {}), apibibind_id: r.id },
      });
      id = created.id;
    }
    return madeMainObject(db, s, { type: 'volume', id }, { progress: 10, step: 'create', message: `Volume ${id} requested` });
  },

  async 'volume.check-available'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'volume', s.id);
    const v = await cloudVolume(os, r);
    if (v.status === 'error') throw await volumeFault(os, v);
    if (v.status === 'available') return readyState(s);
    await progress(db, s, 'create', 10, 60);
    return nextRound(s, `volume ${v.id} to become available`);
  },

  /** Ready at once when no instance was asked for. */
  async 'volume.attach'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'volume', s.id);
    const serverId = specOf(r).server_id;
    if (!serverId) return readyState(s);
    const v = await cloudVolume(os, r);
    // Recorded first: if the answer is lost, compensation still detaches (a detach of nothing is a 404).
    await addMade(db, 'volume', r.id, { type: 'volume-attachment', id: v.id, parent: serverId });
    await requestAttach(os, v, serverId);
    await reportProgress(db, s.taskId, { progress: 65, step: 'attach', message: `Attaching to server ${serverId}` });
    return { ...s, ready: false, poll: { ...s.poll, round: 0 } };
  },

  async 'volume.check-attached'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'volume', s.id);
    const v = await cloudVolume(os, r);
    if (await attachDone(os, v, specOf(r).server_id!)) return readyState(s);
    await progress(db, s, 'attach', 65, 95);
    return nextRound(s, `volume ${v.id} to be attached`);
  },

  async 'volume.finish-create'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'volume', s.id);
    const v = (await volumeOf(os, r)) ?? undefined;
    await finishCloudTask(db, s, { state: 'active', made: [] }, { volume: volumeView({ ...r, state: 'active' }, v) });
    return s;
  },
};

/** Cloud-action input: extend `{new_size}`, attach `{instance_id, server_id}`, detach `{}`. */
const input = (s: CloudState) => s.input as { new_size?: number; instance_id?: string; server_id?: string };

export const volumeHooks: KindHooks = {
  async destroy(r, os) {
    const v = await unless404(() => os.cinder.getVolume(r.cloud_id!));
    if (!v) return;
    if (v.attachments.length > 0 || v.status === 'in-use') {
      throw new CloudStepError('CloudRequestError', 'VOLUME_IN_USE', `Volume ${v.id} was attached meanwhile: detach it first`);
    }
    // Transitional statuses (creating, extending, detaching…): the check loop asks again.
    if (DELETABLE.includes(v.status)) await is404(() => os.cinder.deleteVolume(v.id, { cascade: specOf(r).delete_cascade === true }));
  },

  async gone(r, os) {
    const v = await unless404(() => os.cinder.getVolume(r.cloud_id!));
    if (!v) return true;
    if (v.status === 'error_deleting') throw await volumeFault(os, v);
    return false;
  },

  async act(s, r, os) {
    const v = await cloudVolume(os, r);
    if (s.op === 'extend') {
      if (v.size >= input(s).new_size! || v.status === 'extending') return;
      await os.cinder.extendVolume(v.id, input(s).new_size!);
    } else if (s.op === 'attach') {
      await requestAttach(os, v, input(s).server_id!);
    } else if (s.op === 'detach') {
      if (v.status !== 'in-use') return;
      for (const a of v.attachments) await is404(() => os.nova.detachVolume(a.server_id, v.id));
    } else {
      throw new CloudStepError('CloudRequestError', 'UNKNOWN_ACTION', `Unknown volume action ${s.op}`);
    }
  },

  async actDone(s, r, os) {
    const v = await cloudVolume(os, r);
    if (s.op === 'attach') return attachDone(os, v, input(s).server_id!);
    if (v.status === 'error' || v.status === 'error_extending') throw await volumeFault(os, v);
    if (s.op === 'extend') return v.size >= input(s).new_size! && (v.status === 'available' || v.status === 'in-use');
    if (v.status === 'in-use' && s.poll.round > 0)
      throw new CloudStepError('CloudFaultError', 'DETACH_FAILED', `Nova could not detach volume ${v.id}: it is in-use again`);
    return v.status === 'available' && v.attachments.length === 0;
  },

  async actFinish(s, r, os) {
    const spec: VolumeSpec = { ...specOf(r) };
    if (s.op === 'extend') spec.size = input(s).new_size!;
    if (s.op === 'attach') Object.assign(spec, { instance_id: input(s).instance_id, server_id: input(s).server_id });
    if (s.op === 'detach') {
      delete spec.instance_id;
      delete spec.server_id;
    }
    const patch = { spec: spec as unknown as Record<string, unknown> };
    return { patch, result: { volume: volumeView({ ...r, ...patch }, (await volumeOf(os, r)) ?? undefined) } };
  },

  beforeCompensate: {
    /** A failed attach leaves the volume detached from that server. */
    async attach(s, { db, os }) {
      const r = await getRecord(db, 'volume', s.id);
      const serverId = input(s).server_id;
      if (!r.cloud_id || !serverId) return;
      const v = await os.cinder.getVolume(r.cloud_id);
      if (attachedTo(v, serverId)) await is404(() => os.nova.detachVolume(serverId, v.id));
    },
  },

  /** The records of the volume's snapshots that went with it (cascade), or that never had a cloud object, become tombstones. */
  async afterDelete(s, r, { db, os }) {
    for (const snap of await listRecords(db, 'snapshot')) {
      if ((snap.spec as { volume_id?: string }).volume_id !== r.id || snap.busy_task) continue;
      if (snap.cloud_id && !(await is404(() => os.cinder.getSnapshot(snap.cloud_id!)))) continue;
      const done = await patchRecord(
        db,
        'snapshot',
        snap.id,
        { state: 'deleted', deleted_at: new Date().toISOString(), deleted_by: String(s.input.by ?? r.owner), made: [] },
        { notBusy: true },
      );
      if (done) {
        await writeAudit(db, {
          category: 'mutation',
          action: 'snapshot.delete.completed',
          actor: String(s.input.by ?? r.owner),
          target: `snapshot:${snap.id}`,
          result: 'success',
          details: { task_id: s.taskId, with_volume: r.id },
        });
      }
    }
  },
};
