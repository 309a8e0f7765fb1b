/**
 * The steps of the snapshot state machines:
 * - snapshot-create: `snapshot.create` → Wait/`snapshot.check-available` (Cinder's progress onto the task)
 *   → `snapshot.finish-create`; compensation deletes the snapshot.
 * - cloud-delete through the hooks.
 */
import { is404, unless404 } from '../../core/errors.js';
import type { OpenStackClient, Snapshot } from '../../providers/openstack/index.js';
import { reportProgress } from '../../tasks/workflows.js';
import { type KindHooks } from '../kinds.js';
import { getRecord, type CloudRecord } from '../records.js';
import {
  madeMainObject,
  cloudFault,
  finishCloudTask,
  nextRound,
  progress,
  readyState,
  type CloudState,
  type Step,
  type StepEnv,
} from '../workflow.js';
import { cinderMessage } from '../volumes/service.js';
import { progressOf, snapshotOf, snapshotSpecOf, snapshotView } from './service.js';

async function cloudSnapshot(os: OpenStackClient, r: CloudRecord): Promise<Snapshot> {
  const found = await unless404(() => os.cinder.getSnapshot(r.cloud_id!));
  if (!found) throw cloudFault(`Snapshot ${r.cloud_id}`, 'it disappeared from the cloud');
  return found;
}

const snapshotFault = async (os: OpenStackClient, snap: Snapshot) =>
  cloudFault(`Snapshot ${snap.id}`, (await cinderMessage(os, snap.id)) ?? `Cinder reports ${snap.status}`);

/** A snapshot a previous attempt of this step made (its answer was lost): found by our id in its metadata. */
async function adoptable(os: OpenStackClient, r: CloudRecord): Promise<Snapshot | undefined> {
  const query = { volume_id: snapshotSpecOf(r).volume_cloud_id, metadata: JSON.stringify({ apibibind_id: r.id }) };
  for await (const s of os.cinder.listSnapshots(query)) if (s.metadata?.apibibind_id === r.id) return s;
  return undefined;
}

export const snapshotSteps: Record<string, Step> = {
  async 'snapshot.create'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'snapshot', s.id);
    if (r.cloud_id) return { ...s, ready: false };
    const spec = snapshotSpecOf(r);
    let id = (await adoptable(os, r))?.id;
    if (!id) {
      const created = await os.cinder.createSnapshot({
        volume_id: spec.volume_cloud_id,
        name: r.name,
        ...(spec.description !== undefined && { description: spec.description }),
        ...(spec.force !== undefined && { force: spec.force }),
        metadata: { ...(spec.metadata ?? {}), apibibind_id: r.id },
      });
      id = created.id;
    }
    return madeMainObject(db, s, { type: 'snapshot', id }, { progress: 10, step: 'snapshot', message: `Snapshot ${id} requested` });
  },

  async 'snapshot.check-available'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'snapshot', s.id);
    const snap = await cloudSnapshot(os, r);
    if (snap.status === 'error') throw await snapshotFault(os, snap);
    if (snap.status === 'available') return readyState(s);
    // Cinder's own percentage when the backend reports one, else the rounds that passed.
    const pct = Number.parseInt(progressOf(snap) ?? '', 10);
    if (Number.isFinite(pct) && pct > 0) {
      await reportProgress(db, s.taskId, { progress: 10 + Math.min(pct, 99) * 0.85, step: 'snapshot', message: `Cinder: ${pct}%` });
    } else {
      await progress(db, s, 'snapshot', 10, 90);
    }
    return nextRound(s, `snapshot ${snap.id} to become available`);
  },

  async 'snapshot.finish-create'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'snapshot', s.id);
    const snap = (await snapshotOf(os, r)) ?? undefined;
    await finishCloudTask(db, s, { state: 'active', made: [] }, { snapshot: snapshotView({ ...r, state: 'active' }, snap) });
    return s;
  },
};

export const snapshotHooks: KindHooks = {
  async destroy(r, os) {
    const snap = await unless404(() => os.cinder.getSnapshot(r.cloud_id!));
    if (!snap) return;
    // Cinder deletes available or error snapshots only; the check loop asks again after a transitional status.
    if (snap.status === 'available' || snap.status === 'error') await is404(() => os.cinder.deleteSnapshot(snap.id));
  },
  async gone(r, os) {
    const snap = await unless404(() => os.cinder.getSnapshot(r.cloud_id!));
    if (!snap) return true;
    if (snap.status === 'error_deleting') throw await snapshotFault(os, snap);
    return snap.status === 'deleted';
  },
};
