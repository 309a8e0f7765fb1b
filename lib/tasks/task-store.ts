import { ConflictError, NotFoundError } from '../core/errors.js';
import type { Db } from '../store/dynamo.js';

export const TASK_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface TaskError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface Task {
  id: string;
  type: string;
  status: TaskStatus;
  progress: number;
  step?: string;
  owner: string;
  target?: string;
  created_at: string;
  updated_at: string;
  started_at?: string;
  ended_at?: string;
  error?: TaskError;
  result?: unknown;
  execution_arn?: string;
  cancel_requested?: boolean;
  /** Input the workflow's compensation needs (never secrets). */
  context?: Record<string, unknown>;
}

export interface TaskLogLine {
  timestamp: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  step?: string;
}

const key = (id: string) => ({ pk: `TASK#${id}`, sk: 'TASK' });
const strip = (item: Record<string, unknown>): Task => {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, ...rest } = item;
  return rest as unknown as Task;
};

export async function createTask(db: Db, t: Task): Promise<void> {
  await db.put({
    TableName: db.table,
    Item: { ...key(t.id), ...t, gsi1pk: `OWNER#${t.owner}`, gsi1sk: `TASK#${t.created_at}#${t.id}` },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
}

export async function getTask(db: Db, id: string): Promise<Task> {
  const out = await db.get({ TableName: db.table, Key: key(id), ConsistentRead: true });
  if (!out.Item) throw new NotFoundError('TASK_NOT_FOUND', `Task ${id} not found`, { id });
  return strip(out.Item);
}

/**
 * Updates a task unless it already ended: a terminal status is never overwritten (a cancelled task stays
 * cancelled even if a late step reports progress). Returns false when the task had already ended.
 */
export async function updateTask(db: Db, id: string, patch: Partial<Omit<Task, 'id' | 'type' | 'owner' | 'created_at'>>): Promise<boolean> {
  const entries = Object.entries({ ...patch, updated_at: new Date().toISOString() }).filter(([, v]) => v !== undefined);
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':succeeded': 'succeeded', ':failed': 'failed', ':cancelled': 'cancelled' };
  const sets = entries.map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:v${i}`] = v;
    return `#f${i} = :v${i}`;
  });
  try {
    await db.update({
      TableName: db.table,
      Key: key(id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND NOT (#status IN (:succeeded, :failed, :cancelled))',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

let seq = 0;
export async function appendTaskLog(db: Db, id: string, line: Omit<TaskLogLine, 'timestamp'>): Promise<void> {
  const timestamp = new Date().toISOString();
  seq = (seq + 1) % 1_000_000;
  await db.put({
    TableName: db.table,
    Item: { pk: `TASK#${id}`, sk: `LOG#${timestamp}#${process.pid}-${String(seq).padStart(6, '0')}`, type: 'task-log', timestamp, ...line },
  });
}

export async function readTaskLogs(db: Db, id: string, limit: number, offset: number): Promise<{ data: TaskLogLine[]; total: number }> {
  const all: TaskLogLine[] = [];
  for await (const item of db.items({
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :log)',
    ExpressionAttributeValues: { ':pk': `TASK#${id}`, ':log': 'LOG#' },
  })) {
    all.push({ timestamp: item.timestamp, level: item.level, message: item.message, ...(item.step ? { step: item.step } : {}) });
  }
  return { data: all.slice(offset, offset + limit), total: all.length };
}

export async function listTasksOf(db: Db, owner: string, limit: number, offset: number): Promise<{ data: Task[]; total: number }> {
  const all: Task[] = [];
  for await (const item of db.items({
    TableName: db.table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :t)',
    ExpressionAttributeValues: { ':pk': `OWNER#${owner}`, ':t': 'TASK#' },
    ScanIndexForward: false,
  }))
    all.push(strip(item));
  return { data: all.slice(offset, offset + limit), total: all.length };
}

export function assertCancellable(task: Task): void {
  if (TERMINAL.includes(task.status)) {
    throw new ConflictError('TASK_NOT_CANCELLABLE', `Task ${task.id} already ended (${task.status})`, { id: task.id, status: task.status });
  }
}
