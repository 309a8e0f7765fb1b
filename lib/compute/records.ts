/**
 * Our records of cloud resources (DynamoDB). OpenStack stays the source of truth for a resource's state;
 * the record holds what the cloud does not: owner, department, the request that made it, the task history,
 * the cloud ids of what a workflow made (for compensation), a fault, drift found by the reconciliation job,
 * and a tombstone once deleted (who and when).
 *
 * Keys: `CLOUD#<kind>#<id>` / `RECORD`; by kind and creation time on gsi1 (`CLOUD#<kind>`, `<created_at>#<id>`).
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, unless404 } from '../core/errors.js';
import type { Db } from '../store/dynamo.js';

export const CLOUD_KINDS = ['instance', 'network', 'floating-ip', 'load-balancer', 'volume', 'snapshot'] as const;
export type CloudKind = (typeof CLOUD_KINDS)[number];
export const isCloudKind = (v: unknown): v is CloudKind => (CLOUD_KINDS as readonly unknown[]).includes(v);

/** Our lifecycle of a record (the cloud's own status is read live). */
export type RecordState = 'creating' | 'active' | 'updating' | 'deleting' | 'deleted' | 'error' | 'missing';

export interface MadeResource {
  /** What it is in the cloud: server, volume, network, subnet, router, router-interface, floatingip, loadbalancer, snapshot. */
  type: string;
  id: string;
  /** For a router interface: the router; for a volume attachment: the server. */
  parent?: string;
}

export interface TaskHistoryEntry {
  task_id: string;
  action: string;
  at: string;
  by: string;
}

export interface Drift {
  detected_at: string;
  /** `deleted`: gone from the cloud; `changed`: attributes differ; `error`: the cloud shows ERROR. */
  kind: 'deleted' | 'changed' | 'error';
  changes?: { attribute: string; recorded: unknown; actual: unknown }[];
}

export interface CloudRecord {
  kind: CloudKind;
  id: string;
  name: string;
  owner: string;
  department: string;
  state: RecordState;
  /** The main cloud object's id (server, volume, network, load balancer…). */
  cloud_id?: string;
  /** The request that made it, without secrets (user data is kept as a digest). */
  request: Record<string, unknown>;
  /** Facts the views and the reconciliation compare (flavor id, size, cidr…), as last set through the API. */
  spec: Record<string, unknown>;
  /** Cloud objects made for this record, in creation order: compensation deletes them in reverse. */
  made: MadeResource[];
  tasks: TaskHistoryEntry[];
  /** The task currently changing the record (one at a time). */
  busy_task?: string;
  fault?: { code: string; message: string };
  drift?: Drift;
  created_at: string;
  updated_at: string;
  deleted_at?: string;
  deleted_by?: string;
  version: number;
}

const key = (kind: CloudKind, id: string) => ({ pk: `CLOUD#${kind}#${id}`, sk: 'RECORD' });
const strip = (item: Record<string, unknown>): CloudRecord => {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, ...rest } = item;
  return rest as unknown as CloudRecord;
};

export const KIND_NOT_FOUND: Record<CloudKind, string> = {
  instance: 'INSTANCE_NOT_FOUND',
  network: 'NETWORK_NOT_FOUND',
  'floating-ip': 'FLOATING_IP_NOT_FOUND',
  'load-balancer': 'LOAD_BALANCER_NOT_FOUND',
  volume: 'VOLUME_NOT_FOUND',
  snapshot: 'SNAPSHOT_NOT_FOUND',
};

const LABEL: Record<CloudKind, string> = {
  instance: 'Instance',
  network: 'Network',
  'floating-ip': 'Floating IP',
  'load-balancer': 'Load balancer',
  volume: 'Volume',
  snapshot: 'Snapshot',
};

export const notFound = (kind: CloudKind, id: string) => new NotFoundError(KIND_NOT_FOUND[kind], `${LABEL[kind]} ${id} not found`, { id });

export function newRecord(
  kind: CloudKind,
  r: Pick<CloudRecord, 'name' | 'owner' | 'department' | 'request'> & Partial<CloudRecord>,
): CloudRecord {
  const now = new Date().toISOString();
  return { id: randomUUID(), state: 'creating', spec: {}, made: [], tasks: [], created_at: now, updated_at: now, version: 1, ...r, kind };
}

export async function putRecord(db: Db, r: CloudRecord): Promise<void> {
  await db.put({
    TableName: db.table,
    Item: { ...key(r.kind, r.id), ...r, gsi1pk: `CLOUD#${r.kind}`, gsi1sk: `${r.created_at}#${r.id}` },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
}

/** A record, tombstones included (`includeDeleted`), or 404 in the kind's own code. */
export async function getRecord(db: Db, kind: CloudKind, id: string, opts: { includeDeleted?: boolean } = {}): Promise<CloudRecord> {
  const out = await db.get({ TableName: db.table, Key: key(kind, id), ConsistentRead: true });
  if (!out.Item) throw notFound(kind, id);
  const r = strip(out.Item);
  if (r.state === 'deleted' && !opts.includeDeleted) throw notFound(kind, id);
  return r;
}

export async function findRecord(db: Db, kind: CloudKind, id: string): Promise<CloudRecord | undefined> {
  return unless404(() => getRecord(db, kind, id, { includeDeleted: true }));
}

/** Every record of a kind, oldest first (tombstones only with `includeDeleted`). */
export async function listRecords(db: Db, kind: CloudKind, opts: { includeDeleted?: boolean } = {}): Promise<CloudRecord[]> {
  const out: CloudRecord[] = [];
  for await (const item of db.items({
    TableName: db.table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': `CLOUD#${kind}` },
  })) {
    const r = strip(item);
    if (opts.includeDeleted || r.state !== 'deleted') out.push(r);
  }
  return out;
}

type Patch = Partial<Omit<CloudRecord, 'kind' | 'id' | 'created_at' | 'version'>>;

/**
 * Sets fields (a key given as `undefined` is removed) and bumps the version. `expect` adds conditions: `version` (optimistic locking), `notBusy`
 * (no other task is changing it), `busyTask` (only the task that holds it). Returns false when a condition failed.
 */
export async function patchRecord(
  db: Db,
  kind: CloudKind,
  id: string,
  patch: Patch,
  expect: { version?: number; notBusy?: boolean; busyTask?: string; remove?: (keyof CloudRecord)[] } = {},
): Promise<boolean> {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':one': 1 };
  const entries = Object.entries({ ...patch, updated_at: new Date().toISOString() });
  const sets = entries
    .filter(([, v]) => v !== undefined)
    .map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
  // A key given as `undefined` is removed (`{ cloud_id: undefined }`).
  const toRemove = [
    ...new Set([...(expect.remove ?? []), ...entries.filter(([, v]) => v === undefined).map(([k]) => k as keyof CloudRecord)]),
  ];
  const removes = toRemove.map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  const conditions = ['attribute_exists(pk)'];
  if (expect.version !== undefined) {
    values[':expected'] = expect.version;
    conditions.push('#version = :expected');
  }
  if (expect.notBusy) {
    names['#busy'] = 'busy_task';
    conditions.push('attribute_not_exists(#busy)');
  }
  if (expect.busyTask) {
    names['#busy'] = 'busy_task';
    values[':task'] = expect.busyTask;
    conditions.push('#busy = :task');
  }
  try {
    await db.update({
      TableName: db.table,
      Key: key(kind, id),
      UpdateExpression: `SET ${sets.join(', ')} ADD #version :one${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

/** Appends to the task history (read-modify-write under the version, retried on a concurrent change). */
export async function addTaskToHistory(db: Db, kind: CloudKind, id: string, entry: TaskHistoryEntry): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await getRecord(db, kind, id, { includeDeleted: true });
    if (await patchRecord(db, kind, id, { tasks: [...r.tasks, entry].slice(-50) }, { version: r.version })) return;
  }
}

/**
 * Records a cloud object made by a workflow step, once (steps may run twice), and applies `patch` (e.g. the
 * record's `cloud_id`) in the same conditional write.
 */
export async function addMade(db: Db, kind: CloudKind, id: string, made: MadeResource, patch: Patch = {}): Promise<CloudRecord> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await getRecord(db, kind, id, { includeDeleted: true });
    const known = r.made.some((m) => m.type === made.type && m.id === made.id);
    if (known && Object.keys(patch).length === 0) return r;
    const next = known ? r.made : [...r.made, made];
    if (await patchRecord(db, kind, id, { ...patch, made: next }, { version: r.version })) return { ...r, ...patch, made: next };
  }
  throw new Error(`Could not record ${made.type} ${made.id} on ${kind} ${id}`);
}
