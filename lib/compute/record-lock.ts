/**
 * Synchronous changes to a cloud record (network delete, floating IP associate/release) hold the record the
 * way a workflow does: `busy_task`, taken with a conditional write, so two requests never act on one
 * resource at once. The holder is not a task (`sync:<uuid>`): the reconciliation job releases such a hold
 * if a Lambda died holding it (no task of that id ever ends, so it counts as ended).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { ConflictError, unless404 } from '../core/errors.js';
import type { Db } from '../store/dynamo.js';
import { getRecord, patchRecord, type CloudKind, type CloudRecord } from './records.js';

export const isSyncHold = (busy: string | undefined) => !!busy && busy.startsWith('sync:');

/** A holder id for a record that a synchronous create writes already held. */
export const syncHolder = () => `sync:${randomUUID()}`;

export type Hold = { record: CloudRecord; holder: string };

/**
 * Takes the record, waiting up to `waitMs` for another holder to let go. Answers `gone` when it is deleted
 * meanwhile (by the request that held it), or 409 RESOURCE_BUSY once the wait runs out.
 */
export async function holdRecord(db: Db, kind: CloudKind, id: string, waitMs = 15_000): Promise<Hold | 'gone'> {
  const deadline = Date.now() + waitMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
    const r = await unless404(() => getRecord(db, kind, id));
    if (!r) return 'gone';
    if (!r.busy_task) {
      const holder = syncHolder();
      if (await patchRecord(db, kind, id, { busy_task: holder }, { version: r.version, notBusy: true })) {
        return { record: { ...r, busy_task: holder, version: r.version + 1 }, holder };
      }
      continue;
    }
    if (Date.now() + pause > deadline) {
      throw new ConflictError('RESOURCE_BUSY', `${kind} ${id} is being changed by another request`, {
        id,
        ...(!isSyncHold(r.busy_task) && { task: `/api/v1/tasks/${r.busy_task}` }),
      });
    }
    await sleep(pause);
  }
}

/** Lets go of the record, changing it by `patch` (only if still held by `holder`). */
export async function releaseRecord(db: Db, h: Hold, patch: Partial<CloudRecord> = {}): Promise<void> {
  await patchRecord(db, h.record.kind, h.record.id, patch, { busyTask: h.holder, remove: ['busy_task'] });
}

/** Runs `fn` holding the record; released (with `fn`'s patch) whatever happens. */
export async function withRecord<T>(
  db: Db,
  h: Hold,
  fn: (r: CloudRecord) => Promise<{ patch?: Partial<CloudRecord>; result: T }>,
  onError: (e: unknown) => Partial<CloudRecord> = () => ({}),
): Promise<T> {
  let out: { patch?: Partial<CloudRecord>; result: T };
  try {
    out = await fn(h.record);
  } catch (e) {
    await releaseRecord(db, h, onError(e));
    throw e;
  }
  await releaseRecord(db, h, out.patch ?? {});
  return out.result;
}
