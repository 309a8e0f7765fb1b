/**
 * The HTTP side every cloud surface shares: read a record under the ACL (403 before 404), list what the
 * caller may read, audit a mutation, answer a long operation.
 */
import { writeAudit, type AttributeChange } from '../audit/audit.js';
import { matches, type FilterClause } from '../http/filter.js';
import { page, type PageQuery } from '../http/pagination.js';
import { accepted } from '../http/respond.js';
import type { RequestContext } from '../http/types.js';
import type { Platform } from '../platform.js';
import { NotFoundError } from '../core/errors.js';
import { authorizeRecord, homeDepartment } from './cloud.js';
import { randomUUID } from 'node:crypto';
import { ConflictError } from '../core/errors.js';
import { getRecord, listRecords, newRecord, patchRecord, putRecord, type CloudKind, type CloudRecord } from './records.js';
import { startCloudTask } from './workflow.js';

type Ctx = RequestContext<any, any, any>;

/** The record of the path under the ACL: a missing one answers 404 only to callers allowed on the whole base. */
export async function authorizedRecord(p: Platform, ctx: Ctx, kind: CloudKind, id: string, action: 'read' | 'write' | 'delete') {
  let r: CloudRecord;
  try {
    r = await getRecord(p.db, kind, id);
  } catch (e) {
    if (e instanceof NotFoundError) await ctx.authorize({ action, objectType: kind, objectDn: p.cfg.LDAP_BASE_DN });
    throw e;
  }
  await authorizeRecord(ctx, action, kind, r);
  return r;
}

/**
 * The records of a kind the caller may read: 403 when they may read none in their own department, else
 * those whose department/owner the ACL allows.
 */
export async function readableRecords(p: Platform, ctx: Ctx, kind: CloudKind): Promise<CloudRecord[]> {
  const actor = ctx.actor!;
  await ctx.authorize({ action: 'read', objectType: kind, objectDn: homeDepartment(actor.dn, p.cfg.LDAP_BASE_DN), ownerDn: actor.dn });
  const all = await listRecords(p.db, kind);
  const allowed = await Promise.all(
    all.map(
      async (r) => (await p.authorize(actor, { action: 'read', objectType: kind, objectDn: r.department, ownerDn: r.owner })).allowed,
    ),
  );
  return all.filter((_, i) => allowed[i]);
}

/** `filter=` and paging over views, newest first. */
export function pageOf<T extends { created_at: string }>(views: T[], q: PageQuery & { filter?: FilterClause[] }) {
  const hits = views
    .filter((v) => matches(v as Record<string, unknown>, q.filter ?? []))
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
  return page(hits.slice(q.offset, q.offset + q.limit), hits.length, q);
}

export async function auditCloud(
  p: Platform,
  ctx: Ctx,
  action: string,
  r: Pick<CloudRecord, 'kind' | 'id'>,
  changes: AttributeChange[],
  details?: Record<string, unknown>,
) {
  await writeAudit(p.db, {
    category: 'mutation',
    action,
    actor: ctx.actor!.dn,
    target: `${r.kind}:${r.id}`,
    changes,
    result: 'success',
    source_ip: ctx.sourceIp,
    request_id: ctx.requestId,
    ...(details && { details }),
  });
}

/** 202 with the resource and its task, `Location` the task. */
export const acceptedWith = <T extends object>(view: T, task: { id: string; status: string }) =>
  accepted(view, { id: task.id, status: task.status === 'running' ? 'running' : 'pending' });

/** Changes for an audit event: every field of `after` that differs from `before`. */
export function changesOf(before: Record<string, unknown>, after: Record<string, unknown>): AttributeChange[] {
  return Object.entries(after)
    .filter(([k, v]) => v !== undefined && JSON.stringify(before[k]) !== JSON.stringify(v))
    .map(([attribute, v]) => ({ attribute, old: before[attribute] ?? null, new: v }));
}

/**
 * A new record, held by its create task from the start, and the create workflow. A workflow that cannot
 * start leaves the record in error (503 to the caller), never a record without a task.
 */
export async function startCloudCreate(
  p: Platform,
  ctx: Ctx,
  kind: CloudKind,
  rec: Pick<CloudRecord, 'name' | 'department' | 'request' | 'spec'>,
  stateMachine: string,
  hooks: { beforeStart?: (record: CloudRecord) => Promise<void>; onStartFailure?: (record: CloudRecord) => Promise<void> } = {},
) {
  const taskId = randomUUID();
  const record = newRecord(kind, {
    ...rec,
    owner: ctx.actor!.dn,
    busy_task: taskId,
    tasks: [{ task_id: taskId, action: 'create', at: new Date().toISOString(), by: ctx.actor!.dn }],
  });
  await putRecord(p.db, record);
  try {
    await hooks.beforeStart?.(record);
    const task = await startCloudTask(p, { record, op: 'create', stateMachine, actor: ctx.actor!.dn, taskId });
    return { record, task };
  } catch (e) {
    await patchRecord(p.db, kind, record.id, {
      state: 'error',
      fault: { code: 'WORKFLOW_START_FAILED', message: 'The workflow could not start' },
    });
    await hooks.onStartFailure?.(record);
    throw e;
  }
}

/** `cloud-delete` on a record; concurrent or repeated deletes are one deletion (a delete under way answers its task). */
export async function startCloudDelete<V extends object>(
  p: Platform,
  ctx: Ctx,
  r: CloudRecord,
  view: (x: CloudRecord) => V,
  recordPatch: Partial<CloudRecord> = {},
) {
  const pending = (x: CloudRecord) => x.state === 'deleting' && x.busy_task;
  if (pending(r)) return acceptedWith(view(r), { id: r.busy_task!, status: 'running' });
  let task;
  try {
    task = await startCloudTask(p, {
      record: r,
      op: 'delete',
      stateMachine: 'cloud-delete',
      actor: ctx.actor!.dn,
      input: { by: ctx.actor!.dn },
      recordPatch: { state: 'deleting', ...recordPatch },
    });
  } catch (e) {
    const now = await getRecord(p.db, r.kind, r.id, { includeDeleted: true });
    if (e instanceof ConflictError && pending(now)) return acceptedWith(view(now), { id: now.busy_task!, status: 'running' });
    throw e;
  }
  await auditCloud(p, ctx, `${r.kind}.delete`, r, [{ attribute: 'state', old: r.state, new: 'deleting' }], { task_id: task.id });
  return acceptedWith(view({ ...r, ...recordPatch, state: 'deleting', busy_task: task.id }), task);
}
