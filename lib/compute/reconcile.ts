/**
 * Drift reconciliation (a schedule, every few minutes). OpenStack is the source of truth for state; our
 * records say what the API made and how. One pass, per kind, with one paged list call to the cloud:
 * - a record whose cloud object is gone was deleted outside the API: drift `deleted`, state `missing`;
 * - a cloud object whose name (or, for instances, flavor) differs from what the API set: drift `changed`;
 * - a cloud object in ERROR: drift `error`;
 * - drift that no longer holds is cleared (and a `missing` record found again is active again);
 * - a record left holding a task that already ended is released; objects a failed workflow could not
 *   delete yet (`made`) are swept again, so no compensation leftover stays in the cloud;
 * - a server carrying our id in its metadata with no live record is reported as an orphan.
 * Each new or changed drift is recorded on the record and written to the audit log (`cloud.drift`).
 */
import { writeAudit } from '../audit/audit.js';
import { logger } from '../core/logger.js';
import type { OpenStackClient } from '../providers/openstack/index.js';
import type { Db } from '../store/dynamo.js';
import { getTask, TERMINAL } from '../tasks/task-store.js';
import { sweepMade } from './compensation.js';
import { listRecords, patchRecord, type CloudKind, type CloudRecord, type Drift } from './records.js';

/** What the reconciliation compares of a live cloud object. */
export interface LiveObject {
  name: string | null;
  status: string;
  /** Kind-specific attributes compared with the record's spec, `{spec key: actual}`. */
  attrs?: Record<string, unknown>;
  /** Our record id, when the object carries it (server metadata `apibibind_id`). */
  ourId?: string;
}

type Lister = (os: OpenStackClient) => Promise<Map<string, LiveObject>>;

async function collectInto<T>(it: AsyncIterable<T>, key: (t: T) => string, view: (t: T) => LiveObject) {
  const out = new Map<string, LiveObject>();
  for await (const t of it) out.set(key(t), view(t));
  return out;
}

export const LIVE: Partial<Record<CloudKind, Lister>> = {
  instance: (os) =>
    collectInto(
      os.nova.listServers(),
      (s) => s.id,
      (s) => ({
        name: s.name,
        status: s.status,
        attrs: { ...(s.flavor.original_name && { flavor_name: s.flavor.original_name }) },
        ...(s.metadata?.apibibind_id && { ourId: s.metadata.apibibind_id }),
      }),
    ),
  volume: (os) =>
    collectInto(
      os.cinder.listVolumes(),
      (v) => v.id,
      (v) => ({ name: v.name, status: v.status === 'error' ? 'ERROR' : v.status, attrs: { size: v.size } }),
    ),
  snapshot: (os) =>
    collectInto(
      os.cinder.listSnapshots(),
      (s) => s.id,
      (s) => ({ name: s.name, status: s.status === 'error' ? 'ERROR' : s.status }),
    ),
  network: (os) =>
    collectInto(
      os.neutron.networks.list(),
      (n) => n.id,
      (n) => ({ name: n.name, status: n.status }),
    ),
  'floating-ip': (os) =>
    collectInto(
      os.neutron.floatingIps.list(),
      (f) => f.id,
      (f) => ({ name: null, status: f.status ?? 'ACTIVE' }),
    ),
  'load-balancer': (os) =>
    collectInto(
      os.octavia.loadBalancers.list(),
      (l) => l.id,
      (l) => ({ name: l.name ?? null, status: l.provisioning_status }),
    ),
};

export interface ReconcileReport {
  started_at: string;
  ended_at: string;
  checked: Record<string, number>;
  drift: { kind: CloudKind; id: string; name: string; drift: Drift }[];
  cleared: { kind: CloudKind; id: string }[];
  released: { kind: CloudKind; id: string; task: string }[];
  swept: { kind: CloudKind; id: string; left: number }[];
  orphans: { kind: CloudKind; cloud_id: string; name: string | null; claimed_by: string }[];
  errors: { kind: CloudKind; message: string }[];
}

/** The drift of one record against its live object (undefined: none). */
export function driftOf(r: CloudRecord, live: LiveObject | undefined, now: string): Drift | undefined {
  if (!live) return { detected_at: now, kind: 'deleted' };
  if (live.status === 'ERROR') return { detected_at: now, kind: 'error' };
  const changes: NonNullable<Drift['changes']> = [];
  if (live.name !== null && live.name !== r.name) changes.push({ attribute: 'name', recorded: r.name, actual: live.name });
  for (const [k, actual] of Object.entries(live.attrs ?? {})) {
    const recorded = (r.spec as Record<string, unknown>)[k];
    if (recorded !== undefined && actual !== undefined && recorded !== actual) changes.push({ attribute: k, recorded, actual });
  }
  return changes.length ? { detected_at: now, kind: 'changed', changes } : undefined;
}

const sameDrift = (a: Drift | undefined, b: Drift | undefined) =>
  a?.kind === b?.kind && JSON.stringify(a?.changes ?? []) === JSON.stringify(b?.changes ?? []);

const RECONCILER = 'system:reconciler';
/** A synchronous hold older than this was left by a request that died. */
const SYNC_HOLD_MAX_MS = 5 * 60_000;

export async function reconcile(
  db: Db,
  os: OpenStackClient,
  kinds: CloudKind[] = Object.keys(LIVE) as CloudKind[],
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    started_at: new Date().toISOString(),
    ended_at: '',
    checked: {},
    drift: [],
    cleared: [],
    released: [],
    swept: [],
    orphans: [],
    errors: [],
  };
  for (const kind of kinds) {
    try {
      await reconcileKind(db, os, kind, report);
    } catch (e) {
      logger.error('reconciliation failed for a kind', { kind, error: e as Error });
      report.errors.push({ kind, message: (e as Error).message.slice(0, 300) });
    }
  }
  report.ended_at = new Date().toISOString();
  await db.put({ TableName: db.table, Item: { pk: 'CLOUD#RECONCILE', sk: 'LAST', ...report } });
  return report;
}

async function reconcileKind(db: Db, os: OpenStackClient, kind: CloudKind, report: ReconcileReport): Promise<void> {
  const [records, live] = await Promise.all([listRecords(db, kind), LIVE[kind]!(os)]);
  report.checked[kind] = records.length;
  const now = new Date().toISOString();
  const liveIds = new Set(records.filter((r) => r.cloud_id).map((r) => r.id));
  for (let r of records) {
    if (r.busy_task) {
      // A synchronous hold (record-lock.ts, `sync:<uuid>`) is no task: alive while recent (a Lambda lives ≤ 29 s).
      const syncHold = r.busy_task.startsWith('sync:');
      if (syncHold && Date.now() - Date.parse(r.updated_at) < SYNC_HOLD_MAX_MS) continue;
      const ended =
        syncHold ||
        (await getTask(db, r.busy_task).then(
          (t) => TERMINAL.includes(t.status),
          () => true,
        ));
      if (!ended) continue;
      await patchRecord(db, kind, r.id, {}, { busyTask: r.busy_task, remove: ['busy_task'] });
      report.released.push({ kind, id: r.id, task: r.busy_task });
      r = { ...r, busy_task: undefined };
    }
    // Leftovers of a failed workflow, or of a synchronous create whose Lambda died mid-way (no holder left).
    if (r.made.length > 0 && (r.state === 'error' || r.state === 'creating')) {
      const left = await sweepMade(db, os, kind, r.id);
      report.swept.push({ kind, id: r.id, left: left.length });
      if (r.state === 'creating') {
        await patchRecord(db, kind, r.id, {
          state: 'error',
          fault: { code: 'WORKFLOW_ENDED', message: 'The create ended before finishing; what it made was removed' },
          ...(left.length === 0 && { cloud_id: undefined }),
        });
        continue;
      }
    }
    if (!r.cloud_id || !['active', 'missing'].includes(r.state)) continue;
    const drift = driftOf(r, live.get(r.cloud_id), now);
    if (sameDrift(drift, r.drift)) continue;
    if (!drift) {
      await patchRecord(db, kind, r.id, { drift: undefined, ...(r.state === 'missing' && { state: 'active' as const }) });
      report.cleared.push({ kind, id: r.id });
      continue;
    }
    await patchRecord(db, kind, r.id, { drift, ...(drift.kind === 'deleted' && { state: 'missing' as const }) });
    report.drift.push({ kind, id: r.id, name: r.name, drift });
    await writeAudit(db, {
      category: 'mutation',
      action: 'cloud.drift',
      actor: RECONCILER,
      target: `${kind}:${r.id}`,
      result: 'success',
      changes: drift.changes?.map((c) => ({ attribute: c.attribute, old: c.recorded, new: c.actual })) ?? [
        { attribute: 'cloud_state', old: r.state, new: drift.kind },
      ],
      details: { cloud_id: r.cloud_id, kind: drift.kind },
    });
  }
  for (const [cloudId, obj] of live) {
    if (obj.ourId && !liveIds.has(obj.ourId) && !records.some((r) => r.cloud_id === cloudId)) {
      report.orphans.push({ kind, cloud_id: cloudId, name: obj.name, claimed_by: obj.ourId });
    }
  }
}

export async function lastReport(db: Db): Promise<ReconcileReport | undefined> {
  const out = await db.get({ TableName: db.table, Key: { pk: 'CLOUD#RECONCILE', sk: 'LAST' } });
  if (!out.Item) return undefined;
  const { pk: _pk, sk: _sk, ...report } = out.Item;
  return report as ReconcileReport;
}
