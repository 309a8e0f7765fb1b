/**
 * Undoing what a failed workflow made. `removeMade` moves one cloud object towards deletion and says
 * whether it is gone; it is idempotent and safe to call on an object in any state (it waits out transitional
 * states instead of failing). `compensate` is the Catch path of every cloud state machine; the workflow-events
 * safety net and the reconciliation job call `sweepMade` for executions that died without their Catch.
 */
import { ApiError, is404, unless404 } from '../core/errors.js';
import { logger } from '../core/logger.js';
import type { Db } from '../store/dynamo.js';
import type { OpenStackClient } from '../providers/openstack/index.js';
import { appendTaskLog } from '../tasks/task-store.js';
import { reportProgress } from '../tasks/workflows.js';
import { getRecord, patchRecord, type CloudKind, type CloudRecord, type MadeResource } from './records.js';
import { causeOf, failCloudTask, type CloudState, type StepEnv } from './workflow.js';

type Removal = 'gone' | 'pending';

/** One step towards deleting `m`: 'gone' when the cloud no longer has it. */
export async function removeMade(os: OpenStackClient, m: MadeResource): Promise<Removal> {
  switch (m.type) {
    case 'server': {
      const server = await unless404(() => os.nova.getServer(m.id));
      if (!server || server.status === 'DELETED') return 'gone';
      if (server['OS-EXT-STS:task_state'] !== 'deleting') if (await is404(() => os.nova.deleteServer(m.id))) return 'gone';
      return 'pending';
    }
    case 'volume': {
      const v = await unless404(() => os.cinder.getVolume(m.id));
      if (!v) return 'gone';
      if (v.status === 'in-use') {
        for (const a of v.attachments ?? []) await is404(() => os.nova.detachVolume(a.server_id, m.id));
        return 'pending';
      }
      if (['available', 'error', 'error_extending', 'error_restoring', 'error_managing'].includes(v.status)) {
        if (await is404(() => os.cinder.deleteVolume(m.id, { cascade: true }))) return 'gone';
      }
      return 'pending';
    }
    case 'volume-attachment': {
      // id: the volume, parent: the server.
      if (await is404(() => os.nova.detachVolume(m.parent!, m.id))) return 'gone';
      const v = await unless404(() => os.cinder.getVolume(m.id));
      return (v?.attachments ?? []).some((a) => a.server_id === m.parent) ? 'pending' : 'gone';
    }
    case 'snapshot': {
      const snap = await unless404(() => os.cinder.getSnapshot(m.id));
      if (!snap) return 'gone';
      if (snap.status === 'available' || snap.status === 'error') if (await is404(() => os.cinder.deleteSnapshot(m.id))) return 'gone';
      return 'pending';
    }
    case 'loadbalancer': {
      const lb = await unless404(() => os.octavia.loadBalancers.get(m.id));
      if (!lb || lb.provisioning_status === 'DELETED') return 'gone';
      if (lb.provisioning_status === 'ACTIVE' || lb.provisioning_status === 'ERROR')
        if (await is404(() => os.octavia.deleteLoadBalancerCascade(m.id))) return 'gone';
      return 'pending';
    }
    case 'floatingip':
      await is404(() => os.neutron.floatingIps.delete(m.id));
      return 'gone';
    case 'router-interface':
      // id: the subnet, parent: the router.
      await is404(() => os.neutron.removeRouterInterface(m.parent!, { subnet_id: m.id }));
      return 'gone';
    case 'router':
      await is404(() => os.neutron.routers.delete(m.id));
      return 'gone';
    case 'subnet':
      await is404(() => os.neutron.subnets.delete(m.id));
      return 'gone';
    case 'network':
      await is404(() => os.neutron.networks.delete(m.id));
      return 'gone';
    default:
      logger.error('unknown made resource type', { type: m.type });
      return 'gone';
  }
}

/**
 * One pass over what a record's workflow made, newest first: objects found gone are dropped from `made`.
 * An object the cloud refuses to delete yet (409 in use, transitional state) stays for the next pass.
 */
export async function sweepMade(db: Db, os: OpenStackClient, kind: CloudKind, id: string): Promise<MadeResource[]> {
  const r = await getRecord(db, kind, id, { includeDeleted: true });
  const remaining: MadeResource[] = [];
  for (const m of [...r.made].reverse()) {
    let state: Removal = 'pending';
    try {
      state = await removeMade(os, m);
    } catch (e) {
      // 409 in use, 5xx, a transitional state: the next pass tries again.
      logger.warn('compensation: not removed yet', { type: m.type, cloud_id: m.id, code: (e as ApiError).code });
    }
    if (state === 'pending') remaining.push(m);
  }
  remaining.reverse();
  // Under the version: a step that recorded a new object meanwhile is not overwritten.
  const now = await getRecord(db, kind, id, { includeDeleted: true });
  const keep = now.made.filter(
    (m) => remaining.some((x) => x.type === m.type && x.id === m.id) || !r.made.some((x) => x.type === m.type && x.id === m.id),
  );
  await patchRecord(db, kind, id, { made: keep }, { version: now.version });
  return keep;
}

/** What a failed operation leaves on the record once compensated. */
export type Settle = (r: CloudRecord) => Partial<CloudRecord>;

/** Per op: work to do before the made objects go (e.g. revert a resize). Runs once. */
export type BeforeCompensate = (s: CloudState, env: StepEnv) => Promise<void>;

/**
 * The Catch path: first call records the cause; each call sweeps the made objects once; when nothing is
 * left (or the bounded loop ran out) the task fails with the cloud's message and the leftovers, if any.
 */
export async function compensate(s: CloudState, env: StepEnv, hooks: { before?: BeforeCompensate; settle: Settle }): Promise<CloudState> {
  const { db, os } = env;
  let state = s;
  if (!state.compensation) {
    const cause = causeOf(state);
    state = { ...state, compensation: { started: true, ...cause }, poll: { ...state.poll, round: 0 } };
    await reportProgress(db, s.taskId, { progress: 95, step: 'compensate', message: `Failed: ${cause.message}; undoing what was made` });
    if (hooks.before) {
      try {
        await hooks.before(state, env);
      } catch (e) {
        await appendTaskLog(db, s.taskId, { level: 'warn', message: `Compensation: ${(e as Error).message}`, step: 'compensate' });
      }
    }
  }
  const left = await sweepMade(db, os, s.kind, s.id);
  const cause = state.compensation!;
  if (left.length === 0 || state.poll.round >= state.poll.max) {
    const r = await getRecord(db, s.kind, s.id, { includeDeleted: true });
    const leftovers = left.map((m) => `${m.type} ${m.id}`).join(', ');
    await failCloudTask(db, state, hooks.settle(r), {
      code: cause.code,
      message: leftovers ? `${cause.message} (not yet removed from the cloud: ${leftovers})` : cause.message,
    });
    return { ...state, ready: true };
  }
  return { ...state, ready: false, poll: { ...state.poll, round: state.poll.round + 1 } };
}

/**
 * The safety net for a cloud workflow that ended without its Catch path (timed out, aborted by a cancel,
 * the engine restarted): one sweep of what it made, then the record is released with the reason. What the
 * cloud would not delete yet stays in `made` for the reconciliation job.
 */
export async function compensateAbandoned(
  db: Db,
  os: OpenStackClient,
  task: { id: string; type: string; context?: Record<string, unknown> },
) {
  const kind = task.context?.kind as CloudKind | undefined;
  const id = task.context?.id as string | undefined;
  const op = String(task.context?.op ?? task.type.split('.').pop());
  if (!kind || !id) return;
  const r = await unless404(() => getRecord(db, kind, id, { includeDeleted: true }));
  if (r?.busy_task !== task.id) return;
  const left = await sweepMade(db, os, kind, id);
  const settle =
    op === 'create'
      ? { state: 'error' as const, ...(left.length === 0 && { cloud_id: undefined }) }
      : { state: r.state === 'deleting' ? ('active' as const) : r.state };
  await patchRecord(
    db,
    kind,
    id,
    { ...settle, fault: { code: 'WORKFLOW_ENDED', message: `The ${op} workflow ended before finishing` } },
    {
      busyTask: task.id,
      remove: ['busy_task'],
    },
  );
}
