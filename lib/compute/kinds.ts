/**
 * The generic steps every cloud kind shares (delete, action, compensation), driven by per-kind hooks, and
 * the table of every step the step Lambda can run. A kind module (instances/, volumes/, …) exports its
 * hooks and its own steps; adding a kind is one line in `KINDS` and one in `STEPS`.
 */
import type { OpenStackClient } from '../providers/openstack/index.js';
import { reportProgress } from '../tasks/workflows.js';
import { compensate, type BeforeCompensate, type Settle } from './compensation.js';
import { getRecord, type CloudKind, type CloudRecord } from './records.js';
import { finishCloudTask, nextRound, progress, readyState, type CloudState, type Step, type StepEnv } from './workflow.js';

export interface KindHooks {
  /** Asks the cloud to delete the resource (and what belongs to it); 404 means already done. */
  destroy(r: CloudRecord, os: OpenStackClient): Promise<void>;
  /** Is it gone? (throws a CloudFaultError when the cloud failed to delete it). */
  gone(r: CloudRecord, os: OpenStackClient): Promise<boolean>;
  /** An action on an existing resource (`s.op`: start, stop, extend, attach…). */
  act?(s: CloudState, r: CloudRecord, os: OpenStackClient): Promise<void>;
  /** Has the action's awaited state been reached? */
  actDone?(s: CloudState, r: CloudRecord, os: OpenStackClient): Promise<boolean>;
  /** What a finished action changes on the record, and the task's result. */
  actFinish?(s: CloudState, r: CloudRecord, os: OpenStackClient): Promise<{ patch: Partial<CloudRecord>; result: unknown }>;
  /** Per op, before the made objects of a failed workflow go (e.g. revert a resize). */
  beforeCompensate?: Record<string, BeforeCompensate>;
  /** Once the cloud no longer has it, before the record becomes a tombstone (e.g. records of what went with it). */
  afterDelete?(s: CloudState, r: CloudRecord, env: StepEnv): Promise<void>;
}

/** A failed create leaves an ERROR record with nothing in the cloud; any other failed op leaves it active. */
export const settleAfterFailure =
  (op: string): Settle =>
  (r) =>
    op === 'create' ? { state: 'error', made: [], cloud_id: undefined } : { state: r.state === 'deleted' ? 'deleted' : 'active' };

export function genericSteps(kinds: Partial<Record<CloudKind, KindHooks>>): Record<string, Step> {
  const hooksOf = (kind: CloudKind): KindHooks => {
    const h = kinds[kind];
    if (!h) throw new Error(`No workflow hooks for ${kind}`);
    return h;
  };
  return {
    /** cloud-delete: ask the cloud to delete. */
    async delete(s: CloudState, { db, os }: StepEnv) {
      const r = await getRecord(db, s.kind, s.id, { includeDeleted: true });
      await reportProgress(db, s.taskId, { progress: 10, step: 'delete', message: `Deleting ${s.kind} ${r.cloud_id ?? r.id}` });
      if (r.cloud_id) await hooksOf(s.kind).destroy(r, os);
      return { ...s, ready: !r.cloud_id };
    },
    /** cloud-delete: wait until the cloud no longer has it. */
    async 'check-gone'(s: CloudState, { db, os }: StepEnv) {
      const r = await getRecord(db, s.kind, s.id, { includeDeleted: true });
      if (!r.cloud_id || (await hooksOf(s.kind).gone(r, os))) return readyState(s);
      // A delete the cloud dropped (a transitional state refused it): ask again every few rounds.
      if (s.poll.round > 0 && s.poll.round % 5 === 0) await hooksOf(s.kind).destroy(r, os);
      await progress(db, s, 'delete', 10, 95);
      return nextRound(s, `${s.kind} deletion`);
    },
    /** cloud-delete: the record becomes a tombstone. */
    async 'finish-delete'(s: CloudState, env: StepEnv) {
      const { db } = env;
      const r = await getRecord(db, s.kind, s.id, { includeDeleted: true });
      await kinds[s.kind]?.afterDelete?.(s, r, env);
      await finishCloudTask(
        db,
        s,
        { state: 'deleted', deleted_at: new Date().toISOString(), deleted_by: String(s.input.by ?? r.owner), made: [] },
        {
          id: s.id,
          deleted: true,
        },
      );
      return s;
    },
    /** cloud-action: do it. */
    async act(s: CloudState, { db, os }: StepEnv) {
      const h = hooksOf(s.kind);
      const r = await getRecord(db, s.kind, s.id);
      await reportProgress(db, s.taskId, { progress: 10, step: s.op, message: `${s.op} ${s.kind} ${r.cloud_id}` });
      await h.act!(s, r, os);
      return { ...s, ready: false, poll: { ...s.poll, round: 0 } };
    },
    /** cloud-action: wait for its state. */
    async 'check-act'(s: CloudState, { db, os }: StepEnv) {
      const r = await getRecord(db, s.kind, s.id);
      if (await hooksOf(s.kind).actDone!(s, r, os)) return readyState(s);
      await progress(db, s, s.op, 10, 95);
      return nextRound(s, `${s.kind} ${s.op}`);
    },
    async 'finish-act'(s: CloudState, { db, os }: StepEnv) {
      const r = await getRecord(db, s.kind, s.id);
      const h = hooksOf(s.kind);
      const { patch, result } = h.actFinish ? await h.actFinish(s, r, os) : { patch: {}, result: { id: s.id } };
      await finishCloudTask(db, s, { state: 'active', ...patch }, result);
      return s;
    },
    /** The Catch path of every cloud state machine. */
    async compensate(s: CloudState, env: StepEnv) {
      const before = kinds[s.kind]?.beforeCompensate?.[s.op];
      return compensate(s, env, { ...(before && { before }), settle: settleAfterFailure(s.op) });
    },
  };
}
