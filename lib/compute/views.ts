/** What every cloud view shares: the fields of our record, and the live half read from the cloud. */
import { ConflictError, unless404 } from '../core/errors.js';
import type { CloudRecord } from './records.js';

/** Owner, department, timestamps, the last fault, drift, and the task changing the resource now. */
export function recordFields(r: CloudRecord) {
  return {
    owner: r.owner,
    department: r.department,
    created_at: r.created_at,
    updated_at: r.updated_at,
    ...(r.fault && { fault: r.fault }),
    ...(r.drift && { drift: r.drift }),
    ...(r.busy_task && { current_task: { id: r.busy_task, href: `/api/v1/tasks/${r.busy_task}` } }),
  };
}

/** The cloud object behind a record: null when the cloud answers 404, undefined when there is none (yet). */
export async function liveObject<T>(r: CloudRecord, get: (cloudId: string) => Promise<T>): Promise<T | null | undefined> {
  const id = r.cloud_id;
  if (!id || r.state === 'deleted') return undefined;
  return (await unless404(() => get(id))) ?? null;
}

/** A record's object in a list read from the cloud: null when the cloud no longer has it, undefined when there is none (yet). */
export const liveIn = <T>(r: CloudRecord, byId: Map<string, T>): T | null | undefined =>
  r.cloud_id ? (byId.get(r.cloud_id) ?? null) : undefined;

/** Every object of a paged cloud list, by id: the live half of a list endpoint (one list call). */
export async function byCloudId<T extends { id: string }>(items: AsyncIterable<T>): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for await (const item of items) out.set(item.id, item);
  return out;
}

/**
 * The live cloud object of a record a request wants to change: 409 `RESOURCE_BUSY` (with the task) while a
 * task holds it, 409 `<stateCode>` when there is no cloud object to act on (not created, deleted, or deleted
 * outside the API).
 */
export async function idleLiveObject<T>(
  r: CloudRecord,
  label: string,
  stateCode: string,
  get: (r: CloudRecord) => Promise<T | null | undefined>,
): Promise<T> {
  if (r.busy_task) {
    throw new ConflictError('RESOURCE_BUSY', `${label} ${r.id} is being changed by task ${r.busy_task}`, {
      id: r.id,
      task: `/api/v1/tasks/${r.busy_task}`,
    });
  }
  const live = r.state === 'active' ? await get(r) : undefined;
  if (!live) {
    const why = r.state === 'active' ? 'deleted outside the API' : r.state;
    throw new ConflictError(stateCode, `${label} ${r.id} has no ${label.toLowerCase()} in the cloud (${why})`, {
      id: r.id,
      state: r.state,
    });
  }
  return live;
}
